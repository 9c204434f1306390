import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Bytes read from the end of a file for its tail: enough for the lines a view shows. */
const TAIL_WINDOW = 64 * 1024;

/**
 * The last `lines` lines of a text file, reading at most its last 64 KiB (a calc's stdout or a
 * run's log can be gigabytes; a view must not read them whole). '' when it cannot be read.
 */
export function tailOfFile(path: string, lines: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_WINDOW);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\n$/, '');
    const all = text.split('\n');
    // The first line of a cut window is likely partial.
    const whole = length < size ? all.slice(1) : all;
    return whole.slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}
