import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SystemSshTransport } from '../../../src/executors/remote/system-ssh-transport.js';
import type { SshTarget } from '../../../src/executors/remote/transport.js';
import {
  killSshd,
  sshdUnavailable,
  startBurstRelay,
  startSshd,
  stopSshd,
  type SshdInfo,
} from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { NASTY, failure, waitForFile } from './transport-kit.js';

// The system ssh transport against a real sshd on 127.0.0.1:2302 (scripts/dev/sshd-up.sh),
// MaxSessions 4.
const PORT = 2302;
const MAX_SESSIONS = 4;
const skip = sshdUnavailable();

/** The transports' private directories (of every test file) that exist now. */
function controlDirs(): string[] {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith('retort-ssh-'))
    .map((name) => join(tmpdir(), name));
}

/** How many connections the sshd serves: its per-connection processes. */
function connections(sshd: SshdInfo): number {
  const listener = readFileSync(sshd.pidFile, 'utf8').trim();
  let count = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === listener) count++;
    } catch {
      // Gone meanwhile.
    }
  }
  return count;
}

async function until(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe.skipIf(skip !== undefined)(
  `SystemSshTransport against a real sshd${skip === undefined ? '' : ` (skipped: ${skip})`}`,
  () => {
    let sshd: SshdInfo;
    let scratch: ReturnType<typeof tempDir>;
    let shared: SystemSshTransport;
    const opened: SystemSshTransport[] = [];

    function transport(changes: Partial<SshTarget> = {}): SystemSshTransport {
      const made = new SystemSshTransport({
        name: 'test',
        hostname: sshd.host,
        port: sshd.port,
        user: sshd.user,
        identityFile: sshd.identityFile,
        knownHosts: sshd.knownHosts,
        maxSessions: MAX_SESSIONS,
        ...changes,
      });
      opened.push(made);
      return made;
    }

    beforeAll(async () => {
      sshd = await startSshd({ port: PORT, maxSessions: MAX_SESSIONS });
      scratch = tempDir('retort-system-ssh-');
      shared = transport();
    }, 600_000);

    afterAll(async () => {
      await Promise.all(opened.map((t) => t.close()));
      await stopSshd(sshd);
      scratch.remove();
    });

    it('describes itself as user@host:port, or by its alias', () => {
      expect(shared.description).toBe(`root@127.0.0.1:${PORT} (system ssh)`);
      expect(new SystemSshTransport({ name: 'x', alias: 'login' }).description).toBe(
        'login (system ssh)',
      );
    });

    it('runs a command and reports its exit status, stdout and stderr', async () => {
      expect(await shared.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({
        exitCode: 3,
        stdout: 'out\n',
        stderr: 'err\n',
      });
      expect((await shared.exec(['true'])).exitCode).toBe(0);
    });

    it('reports the exit status when the reply, output and exit status arrive in one read', async () => {
      const relay = await startBurstRelay(sshd);
      try {
        const t = transport({ port: relay.port, knownHosts: relay.knownHosts });
        for (let i = 0; i < 3; i++) {
          expect(await t.exec(['sh', '-c', 'echo out; exit 3'])).toEqual({
            exitCode: 3,
            stdout: 'out\n',
            stderr: '',
          });
        }
        await t.close();
      } finally {
        await relay.close();
      }
    });

    it("takes a remote command's own exit status 255 for what it is", async () => {
      expect(await shared.exec(['sh', '-c', 'echo mine >&2; exit 255'])).toEqual({
        exitCode: 255,
        stdout: '',
        stderr: 'mine\n',
      });
    });

    it('feeds stdin and then closes it; without stdin the program reads nothing', async () => {
      expect((await shared.exec(['cat'], { stdin: 'to stdin\n' })).stdout).toBe('to stdin\n');
      expect((await shared.exec(['cat'])).stdout).toBe('');
    });

    it('passes every argument unchanged, whatever the login shell would make of it', async () => {
      const result = await shared.exec(['printf', '%s\\0', ...NASTY]);
      expect(result.stdout.split('\0').slice(0, -1)).toEqual(NASTY);
    });

    it('gives up on a command past its timeoutMs (retryable) and stays usable', async () => {
      const error = await failure(shared.exec(['sleep', '5'], { timeoutMs: 300 }));
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/did not finish within 300 ms/);
      expect((await shared.exec(['echo', 'still here'])).stdout).toBe('still here\n');
    });

    it('uploads into a directory whose path has spaces and quotes, and downloads back', async () => {
      const local = join(scratch.dir, 'local');
      const files: Record<string, string> = {
        'a.txt': 'alpha\n',
        'sub/dir/b.txt': 'beta\n',
        'with space.txt': 'gamma\n',
        'it\'s "quoted" *.txt': 'delta\n',
        'back\\slash': 'epsilon\n',
        'run.sh': '#!/bin/sh\necho ran\n',
      };
      for (const [name, text] of Object.entries(files)) {
        mkdirSync(dirname(join(local, name)), { recursive: true });
        writeFileSync(join(local, name), text);
      }
      chmodSync(join(local, 'run.sh'), 0o755);
      const names = Object.keys(files);
      const remote = join(scratch.dir, `remote dir with 'single' and "double" quotes`, 'deep');

      await shared.upload(local, remote, names);
      await shared.upload(local, remote, names); // again: the directories exist by now
      for (const [name, text] of Object.entries(files)) {
        expect(readFileSync(join(remote, name), 'utf8')).toBe(text);
      }
      expect(statSync(join(remote, 'run.sh')).mode & 0o777).toBe(0o755);

      const back = join(scratch.dir, 'back');
      mkdirSync(back);
      writeFileSync(join(back, 'missing.txt'), 'stale local file');
      const copied = await shared.download(remote, back, [
        ...names,
        'missing.txt',
        'sub/missing/c.txt',
      ]);
      expect(copied).toEqual(names);
      for (const [name, text] of Object.entries(files)) {
        expect(readFileSync(join(back, name), 'utf8')).toBe(text);
      }
      expect(readFileSync(join(back, 'missing.txt'), 'utf8')).toBe('stale local file');
      expect(existsSync(join(back, 'sub/missing'))).toBe(false);
    });

    it('fails an upload of a missing local file without retrying', async () => {
      const error = await failure(shared.upload(scratch.dir, join(scratch.dir, 'x'), ['nope']));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('nope');
    });

    it(`runs 30 execs at once, never more than MaxSessions=${MAX_SESSIONS} sessions`, async () => {
      // Each exec marks itself running, counts the marks, and clears its mark 0.2 s later.
      const marks = join(scratch.dir, 'running');
      mkdirSync(marks);
      const script = 'touch "$1/$2"; n=$(ls "$1" | wc -l); sleep 0.2; rm "$1/$2"; echo $n';
      const results = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          shared.exec(['sh', '-c', script, 'sh', marks, `${i}`]),
        ),
      );
      expect(results.map((r) => r.exitCode)).toEqual(results.map(() => 0));
      const peak = Math.max(...results.map((r) => Number(r.stdout)));
      expect(peak).toBeLessThanOrEqual(MAX_SESSIONS);
      expect(peak).toBeGreaterThan(1);
    });

    it('works through a Host alias of an ssh config (-F)', async () => {
      const t = transport({
        alias: sshd.alias,
        sshConfig: sshd.sshConfig,
        hostname: undefined,
        port: undefined,
        user: undefined,
        identityFile: undefined,
        knownHosts: undefined,
      });
      expect((await t.exec(['echo', 'via alias'])).stdout).toBe('via alias\n');
    });

    it('works with key and known_hosts paths that have spaces, quotes and %', async () => {
      const odd = join(scratch.dir, `odd "dir" it's 100%`);
      mkdirSync(odd);
      const identityFile = join(odd, 'client key');
      const knownHosts = join(odd, 'known hosts');
      copyFileSync(sshd.identityFile, identityFile);
      chmodSync(identityFile, 0o600);
      copyFileSync(sshd.knownHosts, knownHosts);
      const t = transport({ identityFile, knownHosts });
      expect((await t.exec(['echo', 'odd paths'])).stdout).toBe('odd paths\n');
    });

    it('refuses a host whose key is not in known_hosts, naming the file', async () => {
      const knownHosts = join(scratch.dir, 'empty_known_hosts');
      writeFileSync(knownHosts, '');
      const error = await failure(transport({ knownHosts }).exec(['true']));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`is not in ${knownHosts}`);
      expect(error.message).toContain(`ssh-keyscan -p ${PORT} 127.0.0.1 >> ${knownHosts}`);
    });

    it('refuses a host whose key has changed', async () => {
      const key = join(scratch.dir, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      const other = readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      const knownHosts = join(scratch.dir, 'changed_known_hosts');
      writeFileSync(knownHosts, `[127.0.0.1]:${PORT} ${other}\n`);
      const error = await failure(transport({ knownHosts }).exec(['true']));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('CHANGED');
      expect(error.message).toContain(`${knownHosts}:1`);
    });

    it('fails without retrying when the key is refused', async () => {
      const identityFile = join(scratch.dir, 'unknown_client_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
      const error = await failure(transport({ identityFile }).exec(['true']));
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/authentication was refused/);
    });

    it('fails retryable when nothing listens on the port', async () => {
      const error = await failure(transport({ port: 1 }).exec(['true']));
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/Connection refused/);
    });

    it('fails retryable when sshd crashes, and reconnects on the same instance once it is back', async () => {
      const t = transport();
      expect((await t.exec(['echo', 'before'])).stdout).toBe('before\n');
      const started = join(scratch.dir, 'long-exec-started');
      const inFlight = failure(t.exec(['sh', '-c', 'touch "$1"; sleep 30', 'sh', started]));
      await waitForFile(started);

      killSshd(sshd);
      expect((await inFlight).retryable).toBe(true);
      expect((await failure(t.exec(['true']))).retryable).toBe(true);

      sshd = await startSshd({ port: PORT, maxSessions: MAX_SESSIONS });
      expect((await t.exec(['echo', 'after'])).stdout).toBe('after\n');
      const back = join(scratch.dir, 'after-restart');
      await t.upload(join(scratch.dir, 'local'), back, ['a.txt']);
      expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('alpha\n');
    });

    it('makes its private directory under TMPDIR', async () => {
      const saved = process.env.TMPDIR;
      const own = join(scratch.dir, 'tmpdir');
      mkdirSync(own);
      process.env.TMPDIR = own;
      try {
        const t = transport();
        await t.exec(['true']);
        expect(readdirSync(own)).toEqual([expect.stringMatching(/^retort-ssh-/)]);
        await t.close();
        expect(readdirSync(own)).toEqual([]);
      } finally {
        if (saved === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = saved;
      }
    });

    it('close() ends the master connection and removes its private directory', async () => {
      const before = connections(sshd);
      const dirsBefore = controlDirs();
      const t = transport();
      await t.exec(['true']);
      expect(connections(sshd)).toBe(before + 1);
      const made = controlDirs().filter((dir) => !dirsBefore.includes(dir));
      await t.close();
      await until('the connection ends', () => connections(sshd) === before);
      // Other test files may make and remove directories meanwhile, but ours is gone.
      expect(made.some((dir) => !existsSync(dir))).toBe(true);
      expect((await t.exec(['echo', 'reopened'])).stdout).toBe('reopened\n');
      await t.close();
    });
  },
);
