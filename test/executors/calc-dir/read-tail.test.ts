import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTail } from '../../../src/executors/calc-dir/read-tail.js';
import { survivors } from '../../helpers/processes.js';
import { makeTempDir } from '../local/make-job.js';

let root: string;

beforeEach(() => {
  root = makeTempDir();
});

afterEach(async () => {
  rmSync(root, { recursive: true, force: true });
  expect(await survivors(root)).toEqual([]);
});

describe('readTail', () => {
  it('returns a short file whole and a missing one as empty', () => {
    writeFileSync(join(root, 'f'), 'short\n');
    expect(readTail(join(root, 'f'), 100)).toBe('short\n');
    expect(readTail(join(root, 'missing'), 100)).toBe('');
  });

  it('returns the last bytes of a long file', () => {
    writeFileSync(join(root, 'f'), 'a'.repeat(1000) + 'the end');
    expect(readTail(join(root, 'f'), 10)).toBe('aaathe end');
  });

  it('drops a character cut at the start of the tail', () => {
    writeFileSync(join(root, 'f'), 'xé€ok');
    // The last 4 bytes start inside the 3-byte euro sign.
    expect(readTail(join(root, 'f'), 4)).toBe('ok');
    expect(readTail(join(root, 'f'), 5)).toBe('€ok');
  });
});
