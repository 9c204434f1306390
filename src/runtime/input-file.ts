import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors.js';

/**
 * The text of a file the user named (UTF-8). A file that cannot be read is the user's to fix:
 * an {@link InputError} at `where` (the option or field that named it) saying `cannot read PATH`,
 * with the system error as its cause.
 */
export function readInputFile(path: string, where: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (cause) {
    throw new InputError(where, `cannot read ${path}`, { cause });
  }
}
