import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { normalizeSymbol } from '../../chem/elements.js';
import { errorMessage, InputError } from '../../core/errors.js';
import type { Field } from '../../core/fields/field.js';
import { readYamlFields } from '../../core/fields/source.js';
import { BOHR_TO_ANGSTROM, normalizeMbeFields, type NormalizedMbe } from './input.js';
import { checkKnownKeys, isObject, Problems, type JsonObject } from './problems.js';
import { describeValue } from '../../core/fields/describe.js';
import { isCaseDocument, readCaseDocument, type ComponentResults } from './read-case.js';
import { isForkInput, readForkInput } from './read-fork.js';
import { isQcSchemaInput, readQcSchemaInput } from './read-qcschema.js';

/** Which layout an input document has. */
export type MbeInputFormat = 'retort' | 'qcschema' | 'case' | 'fork';

/**
 * Our own input layout (YAML or JSON), documented here as its contract:
 *
 * ```yaml
 * molecule:
 *   units: angstrom            # or bohr; required, for atoms and xyz alike
 *   atoms:                     # one [element, x, y, z] (or "El x y z") per atom
 *     - [O, 0.0, 0.0, 0.0]
 *   fragments: [[0, 1, 2], [3, 4, 5]]   # 0-based atom indices, contiguous, in order
 *   # or instead of atoms + fragments, an XYZ block with `--` between fragments; a line
 *   # "charge multiplicity" right after a `--` (or at the top) sets that fragment's values:
 *   # xyz: |
 *   #   0 1
 *   #   O 0.0 0.0 0.0
 *   #   --
 *   #   O 3.0 0.0 0.0
 *   fragment_charges: [0, 0]          # optional (default 0)
 *   fragment_multiplicities: [1, 1]   # optional (default 1 or 2 by electron count)
 *   molecular_charge: 0               # optional (default: sum of fragment charges)
 *   molecular_multiplicity: 1         # optional (default: high-spin sum, as qcelemental)
 * driver: energy                      # energy | gradient | hessian
 * bsse_type: [cp, nocp]               # nocp | cp | vmfc (ssfc, mbe, none); first is returned
 * max_nbody: 2                        # optional when levels are given
 * levels: {1: ccsd, 2: mp2, supersystem: hf}   # QCManyBody user form; optional for one mc
 * return_total_data: false            # optional (default false for energy, else true)
 * supersystem_ie_only: false
 * model_chemistries:
 *   ccsd: {program: psi4, method: ccsd, basis: cc-pvdz, keywords: {}}
 * embedding_charges: {1: [-0.8, 0.4, 0.4], 2: [...]}   # optional, psi4 and NWChem only
 * execution: {executor: local, workers: 4, timeout_s: 3600, retries: 2}
 * output: {format: json, file: null, pretty: true, include_timings: true}   # input.ts MbeOutput
 * ```
 */
export const RETORT_TOP_KEYS = [
  'molecule',
  'driver',
  'bsse_type',
  'max_nbody',
  'levels',
  'return_total_data',
  'supersystem_ie_only',
  'model_chemistries',
  'embedding_charges',
  'execution',
  'output',
] as const;

const MOLECULE_KEYS = [
  'units',
  'atoms',
  'xyz',
  'fragments',
  'fragment_charges',
  'fragment_multiplicities',
  'molecular_charge',
  'molecular_multiplicity',
];

/**
 * A parsed input document: the normalised input, its layout, the names of its fields in the
 * document (input.ts NormalizedMbe), and (case layout) components.
 */
export interface ReadMbeResult extends NormalizedMbe {
  readonly format: MbeInputFormat;
  readonly components?: ComponentResults;
}

/**
 * Parses the text of a YAML or JSON document (core/fields: syntax errors name the file and
 * line); its root field places the mistakes found in it at their lines.
 */
export function parseDocumentFields(
  text: string,
  source: string,
): { readonly doc: JsonObject; readonly root: Field } {
  const root: Field = readYamlFields(text, source);
  const doc = root.value;
  if (!isObject(doc)) root.expected('a mapping at the top');
  return { doc, root };
}

/** The parsed document alone (see {@link parseDocumentFields}). */
export function parseDocument(text: string, source: string): JsonObject {
  return parseDocumentFields(text, source).doc;
}

/** Which layout a parsed document has. */
export function detectFormat(doc: JsonObject): MbeInputFormat {
  if (isQcSchemaInput(doc)) return 'qcschema';
  if (isCaseDocument(doc)) return 'case';
  if (isForkInput(doc)) return 'fork';
  return 'retort';
}

/**
 * Reads an MBE input of any accepted layout. Every mistake is collected in `problems`; returns
 * undefined when there was any. `baseDir` is where files the document names (the fork layout's
 * `molecule.file`) are looked for; default the working directory.
 */
export function readMbeDocument(
  doc: JsonObject,
  problems: Problems,
  baseDir?: string,
): ReadMbeResult | undefined {
  const format = detectFormat(doc);
  const read =
    format === 'fork'
      ? readForkInput(doc, problems, baseDir)
      : format === 'qcschema'
        ? readQcSchemaInput(doc, problems)
        : format === 'case'
          ? readCaseDocument(doc, problems)
          : readRetortInput(doc, problems);
  return read === undefined ? undefined : { format, ...read };
}

/**
 * Reads an input file (any layout). Throws {@link MbeInputErrors} listing every mistake, or an
 * InputError when the file cannot be read or parsed. `check`, when given, looks further at an
 * input read without a mistake and adds what it finds to the same problems (each named at its
 * line through `read.path`).
 */
export function readMbeFile(
  path: string,
  check?: (read: ReadMbeResult, problems: Problems) => void,
): ReadMbeResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(path, `cannot read: ${errorMessage(error)}`, { cause: error });
  }
  const source = basename(path);
  const { doc, root } = parseDocumentFields(text, source);
  const problems = new Problems(source, root);
  const result = readMbeDocument(doc, problems, dirname(path));
  if (result !== undefined && problems.count === 0) check?.(result, problems);
  problems.throwIfAny();
  if (result === undefined) throw new InputError(source, 'invalid input');
  return result;
}

/** Reads our own layout (see {@link RETORT_TOP_KEYS}). */
export function readRetortInput(doc: JsonObject, problems: Problems): NormalizedMbe | undefined {
  checkKnownKeys(doc, RETORT_TOP_KEYS, '', problems);
  const mol = isObject(doc.molecule) ? doc.molecule : undefined;
  if (mol === undefined) {
    problems.add('molecule', `expected a mapping, found ${describeValue(doc.molecule)}`);
  } else checkKnownKeys(mol, MOLECULE_KEYS, 'molecule', problems);
  const geom = mol === undefined ? undefined : readGeometry(mol, problems);
  const where = mol?.xyz !== undefined ? 'molecule.xyz' : 'molecule.atoms';
  return normalizeMbeFields(
    {
      molecule: {
        symbols: geom?.symbols,
        geometry_bohr: geom?.geometry_bohr,
        fragments: geom?.fragments ?? mol?.fragments,
        fragment_charges: geom?.fragment_charges ?? mol?.fragment_charges,
        fragment_multiplicities: geom?.fragment_multiplicities ?? mol?.fragment_multiplicities,
        molecular_charge: mol?.molecular_charge,
        molecular_multiplicity: mol?.molecular_multiplicity,
      },
      driver: doc.driver,
      bsse_type: doc.bsse_type,
      levels: doc.levels,
      levels_form: 'user',
      max_nbody: doc.max_nbody,
      return_total_data: doc.return_total_data,
      supersystem_ie_only: doc.supersystem_ie_only,
      model_chemistries: doc.model_chemistries,
      embedding_charges: doc.embedding_charges,
      execution: doc.execution,
      output: doc.output,
      path: (field) =>
        field.startsWith('molecule.symbols') || field.startsWith('molecule.geometry_bohr')
          ? where
          : field,
    },
    problems,
  );
}

interface ParsedGeometry {
  symbols: string[];
  geometry_bohr: number[];
  fragments?: number[][];
  fragment_charges?: number[];
  fragment_multiplicities?: number[];
}

function readGeometry(mol: JsonObject, problems: Problems): ParsedGeometry | undefined {
  const before = problems.count;
  let scale = 1;
  if (mol.units === 'angstrom') scale = 1 / BOHR_TO_ANGSTROM;
  else if (mol.units !== 'bohr') {
    problems.add(
      'molecule.units',
      mol.units === undefined
        ? 'missing: say whether coordinates are in angstrom or bohr'
        : `expected angstrom or bohr, found ${describeValue(mol.units)}`,
    );
  }
  if (mol.atoms !== undefined && mol.xyz !== undefined) {
    problems.add('molecule.xyz', 'give either atoms (with fragments) or xyz, not both');
    return undefined;
  }
  let out: ParsedGeometry | undefined;
  if (typeof mol.xyz === 'string') {
    out = parseFragmentXyz(mol.xyz, problems);
    if (out?.fragments !== undefined && mol.fragments !== undefined) {
      problems.add('molecule.fragments', 'the xyz block already separates fragments with `--`');
    }
    const setsCharges = out?.fragment_charges !== undefined;
    if (setsCharges && mol.fragment_charges !== undefined) {
      problems.add('molecule.fragment_charges', 'the xyz block already gives fragment charges');
    }
    if (setsCharges && mol.fragment_multiplicities !== undefined) {
      problems.add(
        'molecule.fragment_multiplicities',
        'the xyz block already gives fragment multiplicities',
      );
    }
  } else if (mol.xyz !== undefined) {
    problems.add('molecule.xyz', `expected a block of text, found ${describeValue(mol.xyz)}`);
  } else if (Array.isArray(mol.atoms)) {
    const symbols: string[] = [];
    const geometry: number[] = [];
    (mol.atoms as unknown[]).forEach((a, i) => {
      const fields: unknown[] =
        typeof a === 'string' ? a.trim().split(/\s+/) : Array.isArray(a) ? (a as unknown[]) : [];
      const atom = atomFields(fields);
      if (atom === undefined) {
        problems.add(
          `molecule.atoms[${i}]`,
          `expected [element, x, y, z] or "element x y z", found ${describeValue(a)}`,
        );
      } else {
        symbols.push(atom.element);
        geometry.push(atom.x, atom.y, atom.z);
      }
    });
    out = { symbols, geometry_bohr: geometry };
  } else {
    problems.add(
      'molecule.atoms',
      mol.atoms === undefined
        ? 'missing: give atoms (with fragments) or an xyz block'
        : `expected a list of atoms, found ${describeValue(mol.atoms)}`,
    );
  }
  if (problems.count > before || out === undefined) return undefined;
  return { ...out, geometry_bohr: out.geometry_bohr.map((x) => x * scale) };
}

function atomFields(
  fields: readonly unknown[],
): { element: string; x: number; y: number; z: number } | undefined {
  if (fields.length !== 4) return undefined;
  const [el, ...xyz] = fields;
  const element = typeof el === 'string' ? normalizeSymbol(el) : undefined;
  const coords = xyz.map((v) =>
    typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN,
  );
  const [x, y, z] = coords;
  if (element === undefined || x === undefined || y === undefined || z === undefined)
    return undefined;
  if (!coords.every(Number.isFinite)) return undefined;
  return { element, x, y, z };
}

/**
 * An XYZ-like block: one "El x y z" line per atom, `--` between fragments, `#` comments, and
 * optionally a "charge multiplicity" line opening a fragment (psi4's molecule-block style).
 * Fragments are given only when there is a separator.
 */
function parseFragmentXyz(text: string, problems: Problems): ParsedGeometry | undefined {
  const before = problems.count;
  const symbols: string[] = [];
  const geometry: number[] = [];
  const fragments: number[][] = [[]];
  const chgmult: ([number, number] | undefined)[] = [undefined];
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.replace(/#.*$/, '').trim();
    if (line === '') return;
    const current = fragments[fragments.length - 1] ?? [];
    if (line === '--') {
      fragments.push([]);
      chgmult.push(undefined);
      return;
    }
    const cm = /^(-?\d+)\s+(\d+)$/.exec(line);
    if (cm !== null && current.length === 0 && chgmult[chgmult.length - 1] === undefined) {
      chgmult[chgmult.length - 1] = [Number(cm[1]), Number(cm[2])];
      return;
    }
    const atom = atomFields(line.split(/\s+/));
    if (atom === undefined) {
      problems.add(
        `molecule.xyz`,
        `line ${i + 1}: expected "element x y z", "--" or "charge multiplicity", found "${line}"`,
      );
      return;
    }
    current.push(symbols.length);
    symbols.push(atom.element);
    geometry.push(atom.x, atom.y, atom.z);
  });
  if (problems.count > before) return undefined;
  const given = chgmult.filter((c) => c !== undefined).length;
  if (given > 0 && given !== chgmult.length) {
    problems.add(
      'molecule.xyz',
      'give a "charge multiplicity" line for every fragment or for none',
    );
    return undefined;
  }
  const out: ParsedGeometry = { symbols, geometry_bohr: geometry };
  if (fragments.length > 1) out.fragments = fragments;
  if (given > 0) {
    out.fragment_charges = chgmult.map((c) => c?.[0] ?? 0);
    out.fragment_multiplicities = chgmult.map((c) => c?.[1] ?? 1);
  }
  return out;
}
