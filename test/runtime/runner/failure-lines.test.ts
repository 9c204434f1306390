import { describe, expect, it } from 'vitest';
import { ExecutorUnavailableError } from '../../../src/core/errors.js';
import {
  executorFailureLine,
  storeFailureLine,
} from '../../../src/runtime/runner/failure-lines.js';

function systemError(code: string, message: string, path?: string): Error {
  return Object.assign(new Error(message), { code, ...(path === undefined ? {} : { path }) });
}

describe('the line a run pauses or fails with', () => {
  it("is an unavailable executor's own message, which names it and the fix", () => {
    const error = new ExecutorUnavailableError('ssh:dev', 'host key changed', 'verify it');
    expect(executorFailureLine('ssh:dev', error)).toBe('ssh:dev: host key changed; verify it');
  });

  it('names the executor, the directory and what to do for a full disk under a calc', () => {
    const line = executorFailureLine(
      'local',
      systemError('ENOSPC', 'ENOSPC: no space left on device, write'),
      '/c/work/ab/abcd',
    );
    expect(line).toBe(
      'executor local failed: ENOSPC: no space left on device, write (writing /c/work/ab/abcd); free space there, then run the same command again: nothing recorded is lost',
    );
  });

  it('points at hosts check for a remote executor whose error says no more', () => {
    expect(executorFailureLine('ssh:dev', new Error('channel closed'))).toMatch(
      /^executor ssh:dev failed: channel closed; fix it \(`retort hosts check dev` tells more\)/,
    );
  });

  it('names the store for a full SQLite store, and the file for a file-system error', () => {
    expect(
      storeFailureLine('/c/retort.db', systemError('SQLITE_FULL', 'database or disk is full')),
    ).toBe(
      'the store /c/retort.db cannot be written: the disk is full; free space there, then run the same command again: nothing recorded is lost',
    );
    expect(
      storeFailureLine(
        '/c/retort.db',
        systemError('EROFS', 'EROFS: read-only file system', '/c/status.json.1.tmp'),
      ),
    ).toBe(
      'cannot write /c/status.json.1.tmp: EROFS: read-only file system; make it writable, then run the same command again: nothing recorded is lost',
    );
  });
});
