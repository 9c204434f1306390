import { utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { latestLog } from '../../../src/runtime/monitor/latest-log.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.remove();
});

describe('the latest run log', () => {
  it('is the run log written last, other files ignored', () => {
    const old = join(tmp.dir, 'run-a.log');
    const recent = join(tmp.dir, 'run-b.log');
    writeFileSync(old, 'x');
    writeFileSync(recent, 'y');
    writeFileSync(join(tmp.dir, 'notes.txt'), 'z');
    utimesSync(old, new Date(2000, 1, 1), new Date(2000, 1, 1));
    expect(latestLog(tmp.dir)).toBe(recent);
    utimesSync(recent, new Date(1999, 1, 1), new Date(1999, 1, 1));
    expect(latestLog(tmp.dir)).toBe(old);
  });

  it('is undefined without logs or without the directory', () => {
    expect(latestLog(tmp.dir)).toBeUndefined();
    expect(latestLog(join(tmp.dir, 'missing'))).toBeUndefined();
  });
});
