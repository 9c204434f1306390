import { createHash } from 'node:crypto';

const MAX_PLAIN = 100;
const PREFIX_MAX = 60;

/**
 * The file name (without extension) of an item's own files (`details/<name>.json`,
 * `details/ensembles/<name>.xyz` …), from the item's id as the user wrote it.
 *
 * - The id percent-encoded (encodeURIComponent; a name of only dots has them encoded too), when
 *   that is at most 100 characters: `MOL00001` → `MOL00001`, `a/b` → `a%2Fb`, `a?b` → `a%3Fb`.
 * - Otherwise its first 60 encoded characters (never half an escape), `@`, and the first 16 hex
 *   digits of the SHA-256 of the exact id: 77 characters, far below any file system's limit.
 *
 * The encoding is one-to-one and never produces `@`, so two different ids never share a name
 * (up to a 64-bit hash collision between two long ids).
 */
export function itemFileName(id: string): string {
  const encoded = encodeURIComponent(id).replace(/^\.{1,2}$/, (dots) => dots.replace(/\./g, '%2E'));
  if (encoded.length <= MAX_PLAIN) return encoded;
  const prefix = encoded.slice(0, PREFIX_MAX).replace(/%[0-9A-F]?$/, '');
  const hash = createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16);
  return `${prefix}@${hash}`;
}
