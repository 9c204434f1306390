import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tailOfFile } from '../../../src/runtime/monitor/tail-file.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.remove();
});

describe('the tail of a file', () => {
  it('is its last lines, without the final newline', () => {
    const file = join(tmp.dir, 'out');
    writeFileSync(file, 'a\nb\nc\n');
    expect(tailOfFile(file, 2)).toBe('b\nc');
    expect(tailOfFile(file, 10)).toBe('a\nb\nc');
  });

  it('reads only the end of a large file and drops the cut first line', () => {
    const file = join(tmp.dir, 'big');
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    writeFileSync(file, lines.join('\n'));
    const tail = tailOfFile(file, 100_000).split('\n');
    expect(tail.at(-1)).toBe(lines.at(-1));
    expect(tail.length).toBeLessThan(lines.length);
    expect(lines).toContain(tail[0]);
  });

  it('is empty for a file that cannot be read', () => {
    expect(tailOfFile(join(tmp.dir, 'missing'), 5)).toBe('');
  });
});
