import { InputError } from '../core/errors.js';
import { normalizeSymbol } from './elements.js';
import {
  checkStructure,
  latticeFromParameters,
  type PeriodicStructure,
  samePosition,
  type Site,
  type Vec3,
  wrapFractional,
} from './structure.js';

/**
 * Reads the crystal of a CIF file into a {@link PeriodicStructure}: the asymmetric unit expanded
 * by the listed symmetry operations into the full conventional cell.
 *
 * The subset read (enough for the files COD, ICSD and the Materials Project write for ordered
 * crystals):
 * - the first `data_` block; comments (`#`), quoted values and `;` text fields are understood,
 *   other items are ignored;
 * - `_cell_length_a|b|c` (Å) and `_cell_angle_alpha|beta|gamma` (degrees), standard
 *   uncertainties in parentheses dropped (`5.4307(2)`); the lattice is set up with a along x and
 *   b in the xy plane;
 * - symmetry operations from a loop of `_space_group_symop_operation_xyz` or
 *   `_symmetry_equiv_pos_as_xyz` (`-x+1/2, y, z+1/4`, `x-y`, decimals or fractions); without
 *   such a loop the file must be P1 (`_symmetry_space_group_name_H-M` or
 *   `_space_group_name_H-M_alt` absent or `P 1`): a space-group symbol alone is not expanded;
 * - atoms from the loop of `_atom_site_fract_x|y|z`, the element from `_atom_site_type_symbol`
 *   (charges such as `O2-` dropped) or else from the leading letters of `_atom_site_label`;
 *   a site with `_atom_site_occupancy` below 1 (a disordered crystal) is refused.
 * Images of a site closer than 0.01 Å to one already placed (through the periodic boundary
 * too) are the same atom; positions are wrapped into [0, 1).
 * Errors are InputErrors naming `name` and, where it helps, the line.
 */
export function readCif(text: string, name = 'CIF'): PeriodicStructure {
  const items = firstBlock(tokenize(text, name), name);
  const number = (tag: string): number => {
    const token = items.values.get(tag);
    if (token === undefined) throw new InputError(name, `no ${tag}`);
    return cifNumber(token, name);
  };
  const lattice = latticeFromParameters(
    number('_cell_length_a'),
    number('_cell_length_b'),
    number('_cell_length_c'),
    number('_cell_angle_alpha'),
    number('_cell_angle_beta'),
    number('_cell_angle_gamma'),
  );
  const ops = symmetryOperations(items, name);
  const asymmetric = atomSites(items, name);
  const sites: Site[] = [];
  for (const site of asymmetric) {
    for (const op of ops) {
      const f = wrapFractional(applyOperation(op, site.fractional));
      if (
        !sites.some((s) => s.element === site.element && samePosition(lattice, s.fractional, f))
      ) {
        if (sites.some((s) => samePosition(lattice, s.fractional, f))) {
          throw new InputError(name, `two different elements on one site (${f.join(', ')})`);
        }
        sites.push({ element: site.element, fractional: f });
      }
    }
  }
  return checkStructure({ lattice_angstrom: lattice, sites }, name);
}

interface Token {
  readonly text: string;
  readonly line: number;
  /** True for quoted values and text fields: never a tag or keyword. */
  readonly quoted: boolean;
}

interface Loop {
  readonly tags: readonly string[];
  readonly rows: readonly (readonly Token[])[];
}

interface Block {
  readonly values: Map<string, Token>;
  readonly loops: Loop[];
}

function tokenize(text: string, name: string): Token[] {
  const tokens: Token[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith(';')) {
      const field = [line.slice(1)];
      const start = i + 1;
      i++;
      while (i < lines.length && !(lines[i] ?? '').startsWith(';')) field.push(lines[i++] ?? '');
      if (i >= lines.length) throw new InputError(`${name}:${start}`, 'unterminated ; text field');
      tokens.push({ text: field.join('\n'), line: start, quoted: true });
      continue;
    }
    const pattern = /'((?:[^']|'(?=\S))*)'(?=\s|$)|"((?:[^"]|"(?=\S))*)"(?=\s|$)|(#.*$)|(\S+)/g;
    for (const m of line.matchAll(pattern)) {
      if (m[3] !== undefined) break;
      const quoted = m[1] ?? m[2];
      tokens.push({ text: quoted ?? m[4] ?? '', line: i + 1, quoted: quoted !== undefined });
    }
  }
  return tokens;
}

function firstBlock(tokens: readonly Token[], name: string): Block {
  const block: Block = { values: new Map(), loops: [] };
  let i = tokens.findIndex((t) => !t.quoted && /^data_/i.test(t.text));
  if (i < 0) throw new InputError(name, 'no data_ block: not a CIF file');
  i++;
  const isKeyword = (t: Token | undefined): boolean =>
    t !== undefined && !t.quoted && /^(_|loop_$|data_|save_|global_)/i.test(t.text);
  while (i < tokens.length) {
    const token = tokens[i];
    if (token === undefined) break;
    const word = token.text.toLowerCase();
    if (!token.quoted && word.startsWith('data_')) break;
    if (!token.quoted && word === 'loop_') {
      const tags: string[] = [];
      i++;
      while (i < tokens.length && !tokens[i]?.quoted && tokens[i]?.text.startsWith('_')) {
        tags.push(tokens[i]?.text.toLowerCase() ?? '');
        i++;
      }
      const values: Token[] = [];
      for (let t = tokens[i]; t !== undefined && !isKeyword(t); t = tokens[++i]) values.push(t);
      if (tags.length === 0 || values.length % tags.length !== 0) {
        throw new InputError(
          `${name}:${token.line}`,
          `loop_ with ${tags.length} tags has ${values.length} values, not a multiple`,
        );
      }
      const rows: Token[][] = [];
      for (let r = 0; r < values.length; r += tags.length)
        rows.push(values.slice(r, r + tags.length));
      block.loops.push({ tags, rows });
      continue;
    }
    if (!token.quoted && word.startsWith('_')) {
      const value = tokens[i + 1];
      if (value === undefined || isKeyword(value)) {
        throw new InputError(`${name}:${token.line}`, `${token.text} has no value`);
      }
      block.values.set(word, value);
      i += 2;
      continue;
    }
    i++;
  }
  return block;
}

function cifNumber(token: Token, name: string): number {
  const value = Number(token.text.replace(/\(\d+\)$/, ''));
  if (!Number.isFinite(value)) {
    throw new InputError(`${name}:${token.line}`, `expected a number, got "${token.text}"`);
  }
  return value;
}

/** One operation: row i gives coordinate i as coefficients of x, y, z plus a translation. */
type Operation = readonly [readonly number[], readonly number[], readonly number[]];

const OP_TAGS = ['_space_group_symop_operation_xyz', '_symmetry_equiv_pos_as_xyz'];
const SPACE_GROUP_TAGS = ['_symmetry_space_group_name_h-m', '_space_group_name_h-m_alt'];

function symmetryOperations(block: Block, name: string): Operation[] {
  for (const tag of OP_TAGS) {
    const loop = block.loops.find((l) => l.tags.includes(tag));
    const single = block.values.get(tag);
    const column = loop?.tags.indexOf(tag) ?? -1;
    const tokens =
      loop !== undefined
        ? loop.rows.flatMap((r) => r.slice(column, column + 1))
        : single
          ? [single]
          : [];
    if (tokens.length > 0) return tokens.map((t) => parseOperation(t, name));
  }
  for (const tag of SPACE_GROUP_TAGS) {
    const group = block.values.get(tag)?.text.replace(/\s+/g, '');
    if (group !== undefined && group !== '' && group !== '?' && group.toUpperCase() !== 'P1') {
      throw new InputError(
        name,
        `space group ${group} without a list of symmetry operations (${OP_TAGS.join(' or ')}); only P1 is read without one`,
      );
    }
  }
  return [parseOperation({ text: 'x,y,z', line: 0, quoted: true }, name)];
}

function parseOperation(token: Token, name: string): Operation {
  const parts = token.text.toLowerCase().replace(/\s+/g, '').split(',');
  const bad = (): InputError =>
    new InputError(
      `${name}:${token.line}`,
      `cannot read symmetry operation "${token.text}" (expected three terms such as -x+1/2,y,z)`,
    );
  if (parts.length !== 3) throw bad();
  return parts.map((part) => {
    const row = [0, 0, 0, 0];
    const terms = part.match(/[+-]?[^+-]+/g);
    if (terms?.join('') !== part) throw bad();
    for (const term of terms) {
      const m = /^([+-]?)(?:(\d+(?:\.\d*)?|\.\d+)(?:\/(\d+))?)?\*?([xyz])?$/.exec(term);
      if (m === null || (m[2] === undefined && m[4] === undefined)) throw bad();
      const sign = m[1] === '-' ? -1 : 1;
      const magnitude =
        m[2] === undefined ? 1 : Number(m[2]) / (m[3] === undefined ? 1 : Number(m[3]));
      const index = m[4] === undefined ? 3 : 'xyz'.indexOf(m[4]);
      row[index] = (row[index] ?? 0) + sign * magnitude;
    }
    return row;
  }) as unknown as Operation;
}

function applyOperation(op: Operation, f: Vec3): Vec3 {
  const row = (r: readonly number[]): number =>
    (r[0] ?? 0) * f[0] + (r[1] ?? 0) * f[1] + (r[2] ?? 0) * f[2] + (r[3] ?? 0);
  return [row(op[0]), row(op[1]), row(op[2])];
}

function atomSites(block: Block, name: string): Site[] {
  const loop = block.loops.find((l) => l.tags.includes('_atom_site_fract_x'));
  if (loop === undefined) throw new InputError(name, 'no loop of _atom_site_fract_x, y, z');
  const column = (tag: string): number => loop.tags.indexOf(tag);
  const [cx, cy, cz] = ['x', 'y', 'z'].map((a) => column(`_atom_site_fract_${a}`));
  if (cy === undefined || cz === undefined || cy < 0 || cz < 0) {
    throw new InputError(name, 'the _atom_site loop lacks _atom_site_fract_y or _z');
  }
  const cType = column('_atom_site_type_symbol');
  const cLabel = column('_atom_site_label');
  const cOccupancy = column('_atom_site_occupancy');
  return loop.rows.map((row) => {
    const at = (c: number): Token | undefined => (c < 0 ? undefined : row[c]);
    const line = row[0]?.line ?? 0;
    const raw = at(cType)?.text ?? at(cLabel)?.text ?? '';
    const element =
      normalizeSymbol(/^[A-Za-z]{1,2}/.exec(raw)?.[0] ?? '') ??
      normalizeSymbol(/^[A-Za-z]/.exec(raw)?.[0] ?? '');
    if (element === undefined) {
      throw new InputError(`${name}:${line}`, `no element in atom site "${raw}"`);
    }
    const occupancy = at(cOccupancy);
    if (
      occupancy !== undefined &&
      !['.', '?'].includes(occupancy.text) &&
      cifNumber(occupancy, name) < 0.999
    ) {
      throw new InputError(
        `${name}:${line}`,
        `site ${raw} is partly occupied (${occupancy.text}): disordered crystals are not read`,
      );
    }
    const f = [cx ?? 0, cy, cz].map((c) =>
      cifNumber(row[c] ?? { text: '', line, quoted: false }, name),
    );
    return { element, fractional: [f[0], f[1], f[2]] as unknown as Vec3 };
  });
}
