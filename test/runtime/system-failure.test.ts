import { describe, expect, it } from 'vitest';
import { systemFailureLine } from '../../src/runtime/system-failure.js';

function withCode(message: string, code: string, path?: string): Error {
  return Object.assign(new Error(message), path === undefined ? { code } : { code, path });
}

describe('systemFailureLine', () => {
  it('tells a full disk, naming the file, and says nothing recorded is lost', () => {
    const line = systemFailureLine(withCode('no space left on device', 'ENOSPC', '/c/status.json'));
    expect(line).toMatch(
      /^cannot write \(\/c\/status\.json\): no space left on device; free space there/,
    );
    expect(line).toMatch(/nothing recorded is lost$/);
    expect(systemFailureLine(withCode('database or disk is full', 'SQLITE_FULL'))).toMatch(
      /^the disk is full: database or disk is full; free space there/,
    );
  });

  it('tells a write refused and an I/O error of SQLite or Node', () => {
    expect(systemFailureLine(withCode('permission denied', 'EACCES', '/c/work'))).toMatch(
      /^cannot write \(\/c\/work\): permission denied; make it writable/,
    );
    expect(systemFailureLine(withCode('disk I/O error', 'SQLITE_IOERR_WRITE'))).toMatch(
      /^the file system failed to read or write: disk I\/O error; check the disk/,
    );
    expect(
      systemFailureLine(withCode('attempt to write a readonly database', 'SQLITE_READONLY')),
    ).toMatch(/^the store cannot be written/);
  });

  it('leaves every other error to the caller', () => {
    expect(systemFailureLine(new Error('a bug'))).toBeUndefined();
    expect(systemFailureLine(withCode('bad argument', 'ERR_INVALID_ARG_TYPE'))).toBeUndefined();
    expect(systemFailureLine('a string')).toBeUndefined();
  });
});
