import { InputError } from '../errors.js';

/**
 * Runs `fn`, prefixing `where` (a file and line, `calcs.jsonl:3`) to an InputError that names
 * only a field (an engine's `options.x`, `molecule.multiplicity`), so that every message names
 * the line of the input it came from.
 */
export function within<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError && !error.message.startsWith(where)) {
      throw new InputError(where, error.message, { cause: error });
    }
    throw error;
  }
}
