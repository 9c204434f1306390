/**
 * known_hosts: reading the file, finding the keys it holds for a host, and deciding whether a
 * presented host key is accepted. Pure apart from {@link readKnownHosts}.
 *
 * The host is looked up by {@link knownHostsName}: `host` on port 22, `[host]:port` on any
 * other port, lowercased before it is matched. A line is `[marker] hosts type base64-key
 * [comment]`; blank lines, `#` comments and lines with fewer than three fields are skipped.
 * The `hosts` field may be:
 * - a plain name (`example.org`) or a bracketed one with a port (`[example.org]:2222`);
 * - a comma-separated list of such names (`example.org,10.0.0.5`);
 * - patterns with `*` and `?` wildcards, and `!pattern` negations, which win over any match
 *   in the same list (`*.example.org,!bad.example.org`);
 * - a hashed name, `|1|base64(salt)|base64(HMAC-SHA1(salt, name))` (one name per entry, as
 *   `ssh-keygen -H` writes them).
 * The marker `@revoked` makes the line's key refused for the host; `@cert-authority` lines
 * are skipped (host certificates are not supported).
 *
 * {@link checkHostKey} accepts a key equal to an unmarked key listed for the host, and
 * otherwise says why not (`problem`) and what to do (`fix`):
 * - revoked: the key is on a matching `@revoked` line (the file and line are named);
 * - changed: the host has a listed key of the same type but the presented key differs,
 *   which is what an interception (or a reinstalled host) looks like; the message names the
 *   file and the line of the old key and how to replace it;
 * - unknown: no listed key of that type for the host (none at all, or only keys of other
 *   types, whose line is then named); the message says how to add it (`ssh-keyscan`).
 * A missing file is read as empty, so every host is unknown.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { shellQuote } from './shell-quote.js';
import { TransportError } from './transport.js';

/** A key known_hosts holds for a host. */
export interface KnownKey {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly marker: string | undefined;
  readonly type: string;
  readonly blob: Buffer;
}

/** The name a host goes by in known_hosts: `host` on port 22, else `[host]:port`. */
export function knownHostsName(hostname: string, port: number): string {
  return port === 22 ? hostname : `[${hostname}]:${port}`;
}

/** The text of known_hosts, or undefined when there is no such file. */
export async function readKnownHosts(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TransportError(
      `cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`,
      { retryable: false, cause: error },
    );
  }
}

/**
 * The keys of known_hosts lines that name `pattern` (`host`, or `[host]:port` off port 22):
 * comma-separated host lists with `*`/`?` wildcards and `!` negation, and hashed names
 * (`|1|salt|HMAC-SHA1(salt, name)`), with an optional `@revoked` marker
 * (`@cert-authority` lines are skipped: certificates are not supported).
 */
export function knownKeysFor(text: string, pattern: string): KnownKey[] {
  const name = pattern.toLowerCase();
  const keys: KnownKey[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const marker = fields[0]?.startsWith('@') === true ? fields.shift() : undefined;
    const [hosts, type, base64] = fields;
    if (hosts === undefined || type === undefined || base64 === undefined) continue;
    if (marker === '@cert-authority' || !hostsMatch(hosts, name)) continue;
    keys.push({ line: index + 1, marker, type, blob: Buffer.from(base64, 'base64') });
  }
  return keys;
}

/** Whether a line's hosts field (a pattern list or one hashed name) names `name`, lowercased. */
export function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (salt === undefined || hash === undefined) return false;
    const expected = Buffer.from(hash, 'base64');
    const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  let matched = false;
  for (const entry of hosts.toLowerCase().split(',')) {
    const negated = entry.startsWith('!');
    if (!wildcard(negated ? entry.slice(1) : entry).test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${body}$`);
}

/** The key type a key blob names (its first SSH string). */
export function blobType(blob: Buffer): string {
  if (blob.length < 4) return '';
  return blob.toString('latin1', 4, 4 + blob.readUInt32BE(0));
}

/** The OpenSSH-style fingerprint of a key blob, `SHA256:` and unpadded base64. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** Why `key` is not accepted for the host, and what to do; undefined when it is accepted. */
export function checkHostKey(
  known: readonly KnownKey[],
  key: Buffer,
  host: { pattern: string; hostname: string; port: number; file: string },
): { problem: string; fix: string } | undefined {
  const type = blobType(key);
  const presented = `${type} ${fingerprint(key)}`;
  const revoked = known.find((k) => k.marker === '@revoked' && k.blob.equals(key));
  if (revoked !== undefined) {
    return {
      problem: `the host key of ${host.pattern} (${presented}) is marked @revoked in ${host.file} line ${revoked.line}`,
      fix: 'check the host: it must present another key',
    };
  }
  const usable = known.filter((k) => k.marker === undefined);
  if (usable.some((k) => k.blob.equals(key))) return undefined;
  const sameType = usable.find((k) => blobType(k.blob) === type);
  if (sameType !== undefined) {
    return {
      problem: `the host key of ${host.pattern} has CHANGED: it now presents ${presented}, but ${host.file} line ${sameType.line} holds another ${type} key for it. Someone may be intercepting the connection, or the host was reinstalled`,
      fix: `check the host and verify the new key, then update or remove its entry in ${host.file} (ssh-keygen -R ${shellQuote(host.pattern)} -f ${shellQuote(host.file)}, then ssh-keyscan)`,
    };
  }
  const scan = `ssh-keyscan ${host.port === 22 ? '' : `-p ${host.port} `}${shellQuote(host.hostname)} >> ${shellQuote(host.file)}`;
  const other = usable[0];
  return {
    problem:
      other !== undefined
        ? `the host key of ${host.pattern} (${presented}) is not in ${host.file}, which has only a key of another type for it (line ${other.line})`
        : `host key of ${host.pattern} (${presented}) is not in ${host.file}`,
    fix: `verify it and add it (${scan})`,
  };
}

/** The host key algorithms offered, most preferred first. */
export const HOST_KEY_ALGORITHMS: readonly ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/** All host key algorithms, those whose keys known_hosts has for the host first. */
export function preferredHostKeys(known: readonly KnownKey[]): ServerHostKeyAlgorithm[] {
  const types = new Set(known.map((k) => blobType(k.blob)));
  const isKnown = (algorithm: string): boolean =>
    types.has(algorithm.startsWith('rsa-sha2-') ? 'ssh-rsa' : algorithm);
  return [
    ...HOST_KEY_ALGORITHMS.filter(isKnown),
    ...HOST_KEY_ALGORITHMS.filter((a) => !isKnown(a)),
  ];
}
