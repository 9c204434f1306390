import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whileUnreachable } from '../../../src/executors/remote/retry.js';
import { Ssh2Transport } from '../../../src/executors/remote/ssh2-transport.js';
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

// The ssh2 transport against a real sshd on 127.0.0.1:2301 (scripts/dev/sshd-up.sh), MaxSessions 4.
const PORT = 2301;
const MAX_SESSIONS = 4;
const skip = sshdUnavailable();

describe.skipIf(skip !== undefined)(
  `Ssh2Transport against a real sshd${skip === undefined ? '' : ` (skipped: ${skip})`}`,
  () => {
    let sshd: SshdInfo;
    let scratch: ReturnType<typeof tempDir>;
    let shared: Ssh2Transport;
    const opened: Ssh2Transport[] = [];

    function transport(changes: Partial<SshTarget> = {}): Ssh2Transport {
      const made = new Ssh2Transport({
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
      scratch = tempDir('retort-ssh2-');
      shared = transport();
    }, 600_000);

    afterAll(async () => {
      await Promise.all(opened.map((t) => t.close()));
      await stopSshd(sshd);
      scratch.remove();
    });

    it('describes itself as user@host:port', () => {
      expect(shared.description).toBe(`root@127.0.0.1:${PORT} (ssh2)`);
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

    it('reports exit status null for a remote process killed by a signal', async () => {
      expect((await shared.exec(['sh', '-c', 'kill -KILL $$'])).exitCode).toBeNull();
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
        'it\'s "quoted".txt': 'delta\n',
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
      const copied = await shared.download(remote, back, [
        ...names,
        'missing.txt',
        'sub/missing/c.txt',
      ]);
      expect(copied).toEqual(names);
      for (const [name, text] of Object.entries(files)) {
        expect(readFileSync(join(back, name), 'utf8')).toBe(text);
      }
      expect(existsSync(join(back, 'missing.txt'))).toBe(false);
      expect(existsSync(join(back, 'sub/missing'))).toBe(false);
    });

    it('fails an upload of a missing local file without retrying', async () => {
      const error = await failure(shared.upload(scratch.dir, join(scratch.dir, 'x'), ['nope']));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('nope');
    });

    it(`runs 30 execs at once, never more than MaxSessions=${MAX_SESSIONS} channels`, async () => {
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

    it('shares a single channel between SFTP and execs when maxSessions is 1', async () => {
      const t = transport({ maxSessions: 1 });
      const remote = join(scratch.dir, 'one channel');
      await t.upload(join(scratch.dir, 'local'), remote, ['a.txt']);
      const results = await Promise.all([
        t.exec(['cat', join(remote, 'a.txt')]),
        t.download(remote, join(scratch.dir, 'one channel back'), ['a.txt']),
        t.exec(['echo', 'second']),
      ]);
      expect(results).toEqual([
        { exitCode: 0, stdout: 'alpha\n', stderr: '' },
        ['a.txt'],
        { exitCode: 0, stdout: 'second\n', stderr: '' },
      ]);
    });

    it('refuses a host whose key is not in known_hosts, naming the file', async () => {
      const knownHosts = join(scratch.dir, 'empty_known_hosts');
      writeFileSync(knownHosts, '');
      const error = await failure(transport({ knownHosts }).exec(['true']));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain(`host key of [127.0.0.1]:${PORT}`);
      expect(error.message).toContain(`is not in ${knownHosts}`);
      expect(error.message).toContain(`ssh-keyscan -p ${PORT} 127.0.0.1 >> ${knownHosts}`);
    });

    it('refuses a host whose key has changed, naming the file and line', async () => {
      const key = join(scratch.dir, 'other_host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      const other = readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
      const knownHosts = join(scratch.dir, 'changed_known_hosts');
      writeFileSync(
        knownHosts,
        `# another host\nelsewhere ${other}\n[127.0.0.1]:${PORT} ${other}\n`,
      );
      const error = await failure(transport({ knownHosts }).exec(['true']));
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('CHANGED');
      expect(error.message).toContain(`${knownHosts} line 3`);
    });

    it('accepts the host key from a hashed known_hosts entry', async () => {
      const knownHosts = join(scratch.dir, 'hashed_known_hosts');
      writeFileSync(knownHosts, readFileSync(sshd.knownHosts));
      execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHosts], { stdio: 'pipe' });
      expect(readFileSync(knownHosts, 'utf8')).toMatch(/^\|1\|/);
      expect((await transport({ knownHosts }).exec(['echo', 'hashed'])).stdout).toBe('hashed\n');
    });

    it('fails without retrying when the key is refused', async () => {
      const identityFile = join(scratch.dir, 'unknown_client_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
      const error = await failure(transport({ identityFile }).exec(['true']));
      expect(error.retryable).toBe(false);
      expect(error.message).toMatch(/authentication as root was refused/);
      expect(error.message).toContain(identityFile);
    });

    it('fails retryable when nothing listens on the port', async () => {
      const error = await failure(transport({ port: 1 }).exec(['true']));
      expect(error.retryable).toBe(true);
      expect(error.message).toMatch(/ECONNREFUSED/);
    });

    it('fails retryable when sshd crashes, and reconnects on the same instance once it is back', async () => {
      const t = transport();
      // Retryable failures are retried, as the executors do.
      const before = await whileUnreachable(() => t.exec(['echo', 'before']), { giveUpMs: 30_000 });
      expect(before.stdout).toBe('before\n');
      const started = join(scratch.dir, 'long-exec-started');
      const inFlight = failure(t.exec(['sh', '-c', 'touch "$1"; sleep 30', 'sh', started]));
      await waitForFile(started);

      killSshd(sshd);
      expect((await inFlight).retryable).toBe(true);
      expect((await failure(t.exec(['true']))).retryable).toBe(true);

      sshd = await startSshd({ port: PORT, maxSessions: MAX_SESSIONS });
      // As callers do (the executors): a retryable failure is tried again, with backoff.
      const after = await whileUnreachable(() => t.exec(['echo', 'after']), { giveUpMs: 30_000 });
      expect(after.stdout).toBe('after\n');
      const back = join(scratch.dir, 'after-restart');
      await t.upload(join(scratch.dir, 'local'), back, ['a.txt']);
      expect(readFileSync(join(back, 'a.txt'), 'utf8')).toBe('alpha\n');
    });
  },
);
