import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelRequests,
  clearCancelRequest,
  requestCancel,
} from '../../../src/runtime/control/cancel-request.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => {
  tmp.remove();
});

describe('cancel requests', () => {
  it('are files named by calc key, listed until cleared, and other files are ignored', () => {
    const dir = join(tmp.dir, 'cancel');
    expect(cancelRequests(dir)).toEqual([]);
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    requestCancel(dir, a, 'by a test');
    requestCancel(dir, b, 'by a test');
    requestCancel(dir, a, 'again');
    writeFileSync(join(dir, 'notes.txt'), 'not a request');
    expect(cancelRequests(dir).sort()).toEqual([a, b]);
    clearCancelRequest(dir, a);
    clearCancelRequest(dir, a);
    expect(cancelRequests(dir)).toEqual([b]);
  });
});
