import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfrastructureError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/runtime/atomic-write.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.remove();
});

describe('writing a file atomically', () => {
  it('replaces the content and leaves no temporary file', () => {
    const path = join(tmp.dir, 'status.json');
    writeFileSync(path, 'old');
    writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(readdirSync(tmp.dir)).toEqual(['status.json']);
  });

  it('reports a failed write as one error naming the file, and leaves no temporary file', () => {
    // A directory where the file should be: the rename fails after the temporary file is written.
    const path = join(tmp.dir, 'status.json');
    mkdirSync(path);
    expect(() => {
      writeFileAtomic(path, 'new');
    }).toThrow(InfrastructureError);
    expect(() => {
      writeFileAtomic(path, 'new');
    }).toThrow(`cannot write ${path} (EISDIR): the file system refused the write`);
    expect(readdirSync(tmp.dir)).toEqual(['status.json']);
  });

  it('says when the directory of the file does not exist', () => {
    const path = join(tmp.dir, 'gone', 'status.json');
    expect(() => {
      writeFileAtomic(path, 'x');
    }).toThrow(`cannot write ${path} (ENOENT): its directory does not exist`);
  });
});
