import { InputError } from '../core/errors.js';
import type { Atom } from './molecule.js';
import { normalizeSymbol } from './elements.js';

/** One frame of an XYZ file: atoms (Å) and the comment line. */
export interface XyzFrame {
  readonly comment: string;
  readonly atoms: readonly Atom[];
}

/**
 * Reads every frame of an XYZ text (a count line, a comment line, then one `El x y z` line per
 * atom; several frames may follow each other, as in conformer ensembles). `source` names the
 * file in error messages, which give the line number.
 */
export function parseXyz(text: string, source = 'xyz'): XyzFrame[] {
  const lines = text.split(/\r?\n/);
  const frames: XyzFrame[] = [];
  let i = 0;
  while (i < lines.length) {
    const countLine = (lines[i] ?? '').trim();
    if (countLine === '') {
      i++;
      continue;
    }
    const count = Number(countLine);
    if (!Number.isInteger(count) || count <= 0) {
      throw new InputError(`${source}:${i + 1}`, `expected an atom count, found "${countLine}"`);
    }
    const comment = lines[i + 1] ?? '';
    const atoms: Atom[] = [];
    for (let k = 0; k < count; k++) {
      const lineNo = i + 2 + k;
      const fields = (lines[lineNo] ?? '').trim().split(/\s+/);
      const [el, xs, ys, zs] = fields;
      const element = el === undefined ? undefined : normalizeSymbol(el.replace(/[^A-Za-z]/g, ''));
      const x = Number(xs);
      const y = Number(ys);
      const z = Number(zs);
      if (element === undefined || fields.length < 4 || ![x, y, z].every(Number.isFinite)) {
        throw new InputError(
          `${source}:${lineNo + 1}`,
          `expected "element x y z" for atom ${k + 1} of ${count}, found "${(lines[lineNo] ?? '').trim()}"`,
        );
      }
      atoms.push({ element, x, y, z });
    }
    frames.push({ comment, atoms });
    i += 2 + count;
  }
  if (frames.length === 0) throw new InputError(source, 'no atoms found (expected XYZ format)');
  return frames;
}

/** Writes atoms as one XYZ frame (coordinates in Å, 10 decimals). */
export function formatXyz(atoms: readonly Atom[], comment = ''): string {
  const body = atoms
    .map((a) => `${a.element.padEnd(2)} ${fmt(a.x)} ${fmt(a.y)} ${fmt(a.z)}`)
    .join('\n');
  return `${atoms.length}\n${comment.replace(/\n/g, ' ')}\n${body}\n`;
}

function fmt(v: number): string {
  return v.toFixed(10).padStart(16);
}
