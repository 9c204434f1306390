import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../../src/executors/remote/local-transport.js';
import { TransportError } from '../../../src/executors/remote/transport.js';
import { tempDir } from '../../helpers/temp-dir.js';

let scratch: ReturnType<typeof tempDir>;
const transport = new LocalTransport();

beforeEach(() => {
  scratch = tempDir('retort-local-transport-');
});

afterEach(() => {
  scratch.remove();
});

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

describe('LocalTransport', () => {
  it('is this machine', () => {
    expect(transport.description).toBe('this machine');
  });

  it('runs argv in the home directory and reports its exit status, stdout and stderr', async () => {
    expect(await transport.exec(['sh', '-c', 'pwd; echo err >&2; exit 3'])).toEqual({
      exitCode: 3,
      stdout: `${homedir()}\n`,
      stderr: 'err\n',
    });
  });

  it('passes every argument unchanged: there is no shell in between', async () => {
    const args = ['two words', '', "it's", '$HOME', '$(echo no)', '*', 'a\nb', '-n', 'Ωmega'];
    const result = await transport.exec(['printf', '%s\\0', ...args]);
    expect(result.stdout.split('\0').slice(0, -1)).toEqual(args);
  });

  it('feeds stdin and then closes it; without stdin the program reads nothing', async () => {
    expect((await transport.exec(['cat'], { stdin: 'to stdin\n' })).stdout).toBe('to stdin\n');
    expect((await transport.exec(['cat'])).stdout).toBe('');
  });

  it('reports null for a process killed by a signal, 127 for a missing program', async () => {
    expect((await transport.exec(['sh', '-c', 'kill -KILL $$'])).exitCode).toBeNull();
    const missing = await transport.exec(['/nonexistent/program']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toMatch(/not found/);
  });

  it('gives up on a command past its timeoutMs, as retryable', async () => {
    const error: unknown = await transport
      .exec(['sleep', '5'], { timeoutMs: 200 })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).retryable).toBe(true);
  });

  it('copies files both ways, creating directories and skipping missing files', async () => {
    const local = join(scratch.dir, 'local');
    const files = { 'a.txt': 'alpha\n', 'sub/dir/b.txt': 'beta\n', "it's here.txt": 'gamma\n' };
    writeFiles(local, files);
    writeFiles(local, { 'run.sh': '#!/bin/sh\n' });
    chmodSync(join(local, 'run.sh'), 0o755);
    const names = [...Object.keys(files), 'run.sh'];
    const remote = join(scratch.dir, "remote 'dir'", 'deep');

    await transport.upload(local, remote, names);
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(join(remote, name), 'utf8')).toBe(text);
    }
    expect(statSync(join(remote, 'run.sh')).mode & 0o777).toBe(0o755);

    const back = join(scratch.dir, 'back');
    expect(await transport.download(remote, back, [...names, 'missing', 'sub/missing/x'])).toEqual(
      names,
    );
    for (const [name, text] of Object.entries(files)) {
      expect(readFileSync(join(back, name), 'utf8')).toBe(text);
    }
    expect(existsSync(join(back, 'sub/missing'))).toBe(false);
  });

  it('leaves a file alone when source and destination are the same', async () => {
    writeFiles(scratch.dir, { 'same.txt': 'unchanged\n' });
    await transport.upload(scratch.dir, scratch.dir, ['same.txt']);
    expect(await transport.download(scratch.dir, scratch.dir, ['same.txt'])).toEqual(['same.txt']);
    expect(readFileSync(join(scratch.dir, 'same.txt'), 'utf8')).toBe('unchanged\n');
  });

  it('fails an upload of a missing local file without retrying', async () => {
    const error: unknown = await transport
      .upload(scratch.dir, join(scratch.dir, 'to'), ['nope'])
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).retryable).toBe(false);
  });
});
