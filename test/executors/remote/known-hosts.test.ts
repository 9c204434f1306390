import { createHash, createHmac, randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  blobType,
  checkHostKey,
  fingerprint,
  HOST_KEY_ALGORITHMS,
  hostsMatch,
  knownHostsName,
  knownKeysFor,
  preferredHostKeys,
  readKnownHosts,
  type KnownKey,
} from '../../../src/executors/remote/known-hosts.js';
import { TransportError } from '../../../src/executors/remote/transport.js';

const FILE = '/home/someone/.ssh/known_hosts';

/** An SSH string: uint32 length, then the bytes. */
function sshString(data: Buffer | string): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** A key blob of `type` (its wire format: the type, then key material). */
function keyBlob(type: string): Buffer {
  return Buffer.concat([sshString(type), sshString(randomBytes(32))]);
}

function entry(hosts: string, blob: Buffer, marker?: string): string {
  return `${marker === undefined ? '' : `${marker} `}${hosts} ${blobType(blob)} ${blob.toString('base64')} comment`;
}

/** The `|1|salt|hash` form `ssh-keygen -H` writes for `name`. */
function hashed(name: string, salt: Buffer = randomBytes(20)): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

function check(
  known: readonly KnownKey[],
  key: Buffer,
  hostname = 'example.org',
  port = 22,
): string | undefined {
  const refused = checkHostKey(known, key, {
    pattern: knownHostsName(hostname, port),
    hostname,
    port,
    file: FILE,
  });
  return refused === undefined ? undefined : `${refused.problem}; ${refused.fix}`;
}

describe('knownHostsName', () => {
  it('is the bare host on port 22 and [host]:port elsewhere', () => {
    expect(knownHostsName('example.org', 22)).toBe('example.org');
    expect(knownHostsName('example.org', 2222)).toBe('[example.org]:2222');
  });
});

describe('knownKeysFor', () => {
  const ed = keyBlob('ssh-ed25519');

  it('finds a plain entry, case-insensitively, with its line number', () => {
    const text = `# comment\n\n${entry('example.org', ed)}\n${entry('other.org', keyBlob('ssh-ed25519'))}\n`;
    const keys = knownKeysFor(text, 'Example.ORG');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ line: 3, marker: undefined, type: 'ssh-ed25519' });
    expect(keys[0]?.blob.equals(ed)).toBe(true);
    expect(check(keys, ed)).toBeUndefined();
  });

  it('matches a [host]:port entry only for that port', () => {
    const text = entry('[example.org]:2222', ed);
    expect(knownKeysFor(text, knownHostsName('example.org', 2222))).toHaveLength(1);
    expect(knownKeysFor(text, knownHostsName('example.org', 22))).toHaveLength(0);
    expect(knownKeysFor(text, knownHostsName('example.org', 2200))).toHaveLength(0);
    // And a plain entry is for port 22 only.
    expect(knownKeysFor(entry('example.org', ed), '[example.org]:2222')).toHaveLength(0);
  });

  it('matches every name of a comma-separated list', () => {
    const text = entry('alpha.example.org,example.org,10.0.0.5,[10.0.0.5]:2222', ed);
    for (const name of ['alpha.example.org', 'example.org', '10.0.0.5', '[10.0.0.5]:2222']) {
      expect(knownKeysFor(text, name), name).toHaveLength(1);
    }
    expect(knownKeysFor(text, 'beta.example.org')).toHaveLength(0);
    expect(knownKeysFor(text, 'example')).toHaveLength(0);
  });

  it('matches a hashed entry (HMAC-SHA1 of the name under its salt)', () => {
    const text = [
      entry(hashed('example.org'), ed),
      entry(hashed('[example.org]:2222'), ed),
      entry(hashed('other.org'), keyBlob('ssh-ed25519')),
    ].join('\n');
    expect(knownKeysFor(text, 'example.org').map((k) => k.line)).toEqual([1]);
    expect(knownKeysFor(text, 'EXAMPLE.org').map((k) => k.line)).toEqual([1]);
    expect(knownKeysFor(text, '[example.org]:2222').map((k) => k.line)).toEqual([2]);
    expect(knownKeysFor(text, 'nowhere.org')).toHaveLength(0);
    expect(check(knownKeysFor(text, 'example.org'), ed)).toBeUndefined();
  });

  it('does not match a hashed entry with a wrong or malformed hash', () => {
    const salt = randomBytes(20);
    const good = hashed('example.org', salt);
    expect(hostsMatch(good, 'example.org')).toBe(true);
    expect(hostsMatch(hashed('example.net', salt), 'example.org')).toBe(false);
    expect(hostsMatch('|1|', 'example.org')).toBe(false);
    expect(hostsMatch(`|1|${salt.toString('base64')}|AAAA`, 'example.org')).toBe(false);
  });

  it('supports * and ? wildcards and ! negation', () => {
    expect(hostsMatch('*.example.org', 'a.example.org')).toBe(true);
    expect(hostsMatch('*.example.org', 'example.org')).toBe(false);
    expect(hostsMatch('host?.example.org', 'host1.example.org')).toBe(true);
    expect(hostsMatch('host?.example.org', 'host12.example.org')).toBe(false);
    expect(hostsMatch('*.example.org,!bad.example.org', 'good.example.org')).toBe(true);
    expect(hostsMatch('*.example.org,!bad.example.org', 'bad.example.org')).toBe(false);
    expect(hostsMatch('!bad.example.org', 'good.example.org')).toBe(false);
    // Dots are literal, not regular-expression wildcards.
    expect(hostsMatch('example.org', 'exampleXorg')).toBe(false);
  });

  it('keeps @revoked lines, skips @cert-authority and short lines', () => {
    const text = [
      entry('example.org', ed, '@revoked'),
      entry('example.org', ed, '@cert-authority'),
      'example.org ssh-ed25519',
      entry('example.org', ed),
    ].join('\r\n');
    const keys = knownKeysFor(text, 'example.org');
    expect(keys.map((k) => [k.line, k.marker])).toEqual([
      [1, '@revoked'],
      [4, undefined],
    ]);
  });
});

describe('checkHostKey', () => {
  const ed = keyBlob('ssh-ed25519');

  it('accepts a key listed for the host', () => {
    const known = knownKeysFor(
      [entry('example.org', keyBlob('ecdsa-sha2-nistp256')), entry('example.org', ed)].join('\n'),
      'example.org',
    );
    expect(check(known, ed)).toBeUndefined();
  });

  it('calls a host with no keys unknown and says how to add it', () => {
    const problem = check([], ed, 'example.org', 2222);
    expect(problem).toBe(
      `host key of [example.org]:2222 (ssh-ed25519 ${fingerprint(ed)}) is not in ${FILE}; verify it and add it (ssh-keyscan -p 2222 example.org >> ${FILE})`,
    );
    expect(check([], ed)).toContain(`(ssh-keyscan example.org >> ${FILE})`);
  });

  it('calls a key unknown when the host has only keys of other types, naming their line', () => {
    const text = `\n${entry('example.org', keyBlob('ssh-rsa'))}`;
    const problem = check(knownKeysFor(text, 'example.org'), ed);
    expect(problem).toContain(`is not in ${FILE}, which has only a key of another type for it`);
    expect(problem).toContain('(line 2)');
    expect(problem).not.toContain('CHANGED');
  });

  it('reports a changed key of the same type, naming the file and line', () => {
    const text = [
      '# managed by hand',
      entry('other.org', ed),
      entry('[example.org]:2222', keyBlob('ssh-ed25519')),
    ].join('\n');
    const problem = check(knownKeysFor(text, '[example.org]:2222'), ed, 'example.org', 2222);
    expect(problem).toContain('the host key of [example.org]:2222 has CHANGED');
    expect(problem).toContain(`it now presents ssh-ed25519 ${fingerprint(ed)}`);
    expect(problem).toContain(`${FILE} line 3 holds another ssh-ed25519 key`);
    expect(problem).toContain(`ssh-keygen -R '[example.org]:2222' -f ${FILE}`);
  });

  it('refuses a key marked @revoked even when it is also listed', () => {
    const text = [entry('example.org', ed), entry('*.org', ed, '@revoked')].join('\n');
    const problem = check(knownKeysFor(text, 'example.org'), ed);
    expect(problem).toBe(
      `the host key of example.org (ssh-ed25519 ${fingerprint(ed)}) is marked @revoked in ${FILE} line 2; check the host: it must present another key`,
    );
  });
});

describe('key blobs', () => {
  it('reads the type a blob names and fingerprints it like OpenSSH', () => {
    const blob = keyBlob('ssh-ed25519');
    expect(blobType(blob)).toBe('ssh-ed25519');
    expect(blobType(Buffer.alloc(2))).toBe('');
    const digest = createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
    expect(fingerprint(blob)).toBe(`SHA256:${digest}`);
  });

  it('prefers the host key algorithms known_hosts has keys of', () => {
    const keys = (...types: string[]): KnownKey[] =>
      types.map((type, index) => ({
        line: index + 1,
        marker: undefined,
        type,
        blob: keyBlob(type),
      }));
    expect(preferredHostKeys([])).toEqual(HOST_KEY_ALGORITHMS);
    expect(preferredHostKeys(keys('ssh-rsa')).slice(0, 3)).toEqual([
      'rsa-sha2-512',
      'rsa-sha2-256',
      'ssh-rsa',
    ]);
    const preferred = preferredHostKeys(keys('ecdsa-sha2-nistp384', 'ssh-ed25519'));
    expect(preferred.slice(0, 2)).toEqual(['ssh-ed25519', 'ecdsa-sha2-nistp384']);
    expect([...preferred].sort()).toEqual([...HOST_KEY_ALGORITHMS].sort());
  });
});

describe('readKnownHosts', () => {
  it('reads a missing file as no file', async () => {
    await expect(
      readKnownHosts(join(tmpdir(), `no-such-${randomBytes(8).toString('hex')}`)),
    ).resolves.toBeUndefined();
  });

  it('fails, not retryable, on a file it cannot read', async () => {
    const error: unknown = await readKnownHosts(tmpdir()).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).retryable).toBe(false);
    expect((error as TransportError).message).toContain(`cannot read ${tmpdir()}`);
  });
});
