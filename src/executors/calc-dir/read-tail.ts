import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { isNotFound } from './exit-marker.js';

/**
 * The last `maxBytes` of a file as text, reading only those bytes (a program may write
 * gigabytes of stdout). A UTF-8 character cut at the start is dropped, not garbled.
 * A missing file reads as ''.
 */
export function readTail(path: string, maxBytes: number): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if (isNotFound(error)) return '';
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, size - length + read);
      if (n === 0) break;
      read += n;
    }
    let start = 0;
    if (size > length) {
      // Skip continuation bytes (10xxxxxx) of a character that began before the tail.
      while (start < read && start < 3 && ((buffer[start] ?? 0) & 0xc0) === 0x80) start++;
    }
    return buffer.toString('utf8', start, read);
  } finally {
    closeSync(fd);
  }
}

/** A whole file as text, or undefined when it does not exist (or is a directory). */
export function readWhole(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (isNotFound(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    throw error;
  }
}
