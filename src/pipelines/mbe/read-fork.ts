import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { normalizeSymbol } from '../../chem/elements.js';
import { AUTO_MC, BOHR_TO_ANGSTROM, normalizeMbeFields, type NormalizedMbe } from './input.js';
import { checkKnownKeys, isObject, type JsonObject, type Problems } from './problems.js';
import { describeValue } from '../../core/fields/describe.js';

/** schema_name of the QCManyBody fork's CLI input (`qcmanybody run INPUT`). */
export const FORK_SCHEMA_NAME = 'qcmanybody_cli_input';

const TOP_KEYS = [
  'schema_name',
  'schema_version',
  'molecule',
  'calculation',
  'bsse',
  'manybody',
  'program',
  'execution',
  'output',
];
const MOLECULE_KEYS = ['source', 'inline', 'file', 'fragments'];
const INLINE_KEYS = [
  'symbols',
  'geometry',
  'fragments',
  'molecular_charge',
  'molecular_multiplicity',
  'units',
  'fragment_charges',
  'fragment_multiplicities',
];
const CALCULATION_KEYS = ['type', 'single', 'multi'];
const SINGLE_KEYS = ['driver', 'method', 'basis', 'program'];
const MULTI_KEYS = ['driver', 'levels'];
const LEVEL_KEYS = ['method', 'basis', 'program'];
const BSSE_KEYS = ['type'];
const MANYBODY_KEYS = [
  'max_nbody',
  'return_total_data',
  'supersystem_ie_only',
  'embedding_charges',
  'hmbe',
];
const PROGRAM_KEYS = ['keywords'];
const EXECUTION_KEYS = [
  'parallel',
  'n_workers',
  'executor_type',
  'timeout_per_task',
  'max_retries',
];

/** Whether a parsed document has the fork's CLI input layout. */
export function isForkInput(doc: JsonObject): boolean {
  if (doc.schema_name === FORK_SCHEMA_NAME) return true;
  return isObject(doc.molecule) && isObject(doc.calculation);
}

/**
 * Reads the QCManyBody fork's CLI input (`qcmanybody/cli/schemas/input_schema.py`; see
 * ../shared/data/qcmb/ALGORITHM.md §2.2), mapped as its converter maps it onto ManyBodyInput:
 * `calculation.single` becomes the one model chemistry "(auto)"; each level of
 * `calculation.multi.levels` becomes the mc "method/basis", with levels in QCManyBody's user form
 * (sparse, keyed by the highest n-body level of each mc); `program.keywords` applies to every mc.
 * Molecule sources: `inline` (units default angstrom, as the fork's) and `xyz` (a file, in Å,
 * relative to `baseDir`, fragments from `molecule.fragments`). `execution` maps onto ours
 * (parallel/n_workers → workers, timeout_per_task → timeout_s, max_retries → retries); `output`
 * is input.ts's MbeOutput, field for field. Every mistake is named by its path in the fork's
 * layout.
 */
export function readForkInput(
  doc: JsonObject,
  problems: Problems,
  baseDir?: string,
): NormalizedMbe | undefined {
  const before = problems.count;
  checkKnownKeys(doc, TOP_KEYS, '', problems);
  if (doc.schema_name !== undefined && doc.schema_name !== FORK_SCHEMA_NAME) {
    problems.add(
      'schema_name',
      `expected ${FORK_SCHEMA_NAME}, found ${describeValue(doc.schema_name)}`,
    );
  }
  if (doc.schema_version !== undefined && doc.schema_version !== 1) {
    problems.add('schema_version', `expected 1, found ${describeValue(doc.schema_version)}`);
  }
  const section = (key: string, allowed: readonly string[], required = false): JsonObject => {
    const value = doc[key];
    if (value === undefined || value === null) {
      if (required) problems.add(key, 'missing: a required section');
      return {};
    }
    if (!isObject(value)) {
      problems.add(key, `expected a mapping, found ${describeValue(value)}`);
      return {};
    }
    checkKnownKeys(value, allowed, key, problems);
    return value;
  };
  const molecule = section('molecule', MOLECULE_KEYS, true);
  const calculation = section('calculation', CALCULATION_KEYS, true);
  const bsse = section('bsse', BSSE_KEYS);
  const manybody = section('manybody', MANYBODY_KEYS);
  const program = section('program', PROGRAM_KEYS);
  const execution = section('execution', EXECUTION_KEYS);
  // Checked field by field with the other layouts' output section (input.ts).
  const output = doc.output;

  if (manybody.hmbe !== undefined && manybody.hmbe !== null) {
    problems.add('manybody.hmbe', 'hierarchical MBE (the revised_hmbe branch) is not supported');
  }

  const mol = readMolecule(molecule, problems, baseDir);
  const calc = readCalculation(calculation, problems);
  const exec = readExecution(execution, problems);

  const keywords: unknown = program.keywords ?? {};
  const mcs: Record<string, unknown> = {};
  for (const [label, mc] of Object.entries(calc.mcs)) mcs[label] = { ...mc, keywords };

  if (mol === undefined || Object.keys(mcs).length === 0) return undefined;
  const read = normalizeMbeFields(
    {
      molecule: mol,
      driver: calc.driver ?? 'energy',
      bsse_type: bsse.type,
      levels: calc.levels,
      levels_form: 'user',
      max_nbody: manybody.max_nbody,
      return_total_data: manybody.return_total_data,
      supersystem_ie_only: manybody.supersystem_ie_only,
      model_chemistries: mcs,
      embedding_charges: manybody.embedding_charges,
      execution: exec,
      output,
      path: (field) => forkPath(field, mol.where, calc),
    },
    problems,
  );
  return problems.count > before ? undefined : read;
}

interface ForkMolecule {
  symbols: unknown;
  geometry_bohr: unknown;
  fragments: unknown;
  fragment_charges?: unknown;
  fragment_multiplicities?: unknown;
  molecular_charge?: unknown;
  molecular_multiplicity?: unknown;
  /** Where the atoms came from: molecule.inline or molecule.file. */
  where: string;
  /** Where the fragments came from: molecule.inline.fragments or molecule.fragments. */
  fragmentsAt: string;
}

function readMolecule(
  molecule: JsonObject,
  problems: Problems,
  baseDir: string | undefined,
): ForkMolecule | undefined {
  const source = molecule.source ?? 'inline';
  if (source === 'inline') {
    for (const key of ['file', 'fragments']) {
      if (molecule[key] !== undefined) {
        problems.add(`molecule.${key}`, 'only for file sources (xyz, pdb, qcschema)');
      }
    }
    const inline = molecule.inline;
    if (!isObject(inline)) {
      problems.add(
        'molecule.inline',
        inline === undefined
          ? 'missing: required when source is inline'
          : `expected a mapping, found ${describeValue(inline)}`,
      );
      return undefined;
    }
    checkKnownKeys(inline, INLINE_KEYS, 'molecule.inline', problems);
    const units = inline.units ?? 'angstrom';
    let scale = 1;
    if (units === 'angstrom') scale = 1 / BOHR_TO_ANGSTROM;
    else if (units !== 'bohr') {
      problems.add(
        'molecule.inline.units',
        `expected angstrom or bohr, found ${describeValue(units)}`,
      );
    }
    let geometry: unknown = inline.geometry;
    if (Array.isArray(geometry)) {
      const flat: unknown[] = [];
      (geometry as unknown[]).forEach((row, i) => {
        if (!Array.isArray(row) || row.length !== 3) {
          problems.add(
            `molecule.inline.geometry[${i}]`,
            `expected one [x, y, z] per atom, found ${describeValue(row)}`,
          );
          return;
        }
        for (const v of row as unknown[]) flat.push(typeof v === 'number' ? v * scale : v);
      });
      geometry = flat;
    }
    return {
      symbols: inline.symbols,
      geometry_bohr: geometry,
      fragments: inline.fragments,
      fragment_charges: inline.fragment_charges,
      fragment_multiplicities: inline.fragment_multiplicities,
      molecular_charge: inline.molecular_charge,
      molecular_multiplicity: inline.molecular_multiplicity,
      where: 'molecule.inline',
      fragmentsAt: 'molecule.inline.fragments',
    };
  }
  if (source !== 'xyz') {
    problems.add(
      'molecule.source',
      source === 'pdb' || source === 'qcschema'
        ? `${source} files are not supported here (use inline or xyz)`
        : `expected inline or xyz (pdb and qcschema are not supported), found ${describeValue(source)}`,
    );
    return undefined;
  }
  if (molecule.inline !== undefined) {
    problems.add('molecule.inline', 'only for source inline');
  }
  if (typeof molecule.file !== 'string' || molecule.file.trim() === '') {
    problems.add(
      'molecule.file',
      `expected the path of an XYZ file, found ${describeValue(molecule.file)}`,
    );
    return undefined;
  }
  const path =
    isAbsolute(molecule.file) || baseDir === undefined
      ? molecule.file
      : join(baseDir, molecule.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const why = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    problems.add('molecule.file', `cannot read ${molecule.file}: ${why}`);
    return undefined;
  }
  const atoms = parseXyz(text, problems);
  if (atoms === undefined) return undefined;
  if (molecule.fragments === undefined) {
    problems.add('molecule.fragments', 'missing: an XYZ file needs fragments ([[0, 1, 2], …])');
  }
  return {
    symbols: atoms.symbols,
    geometry_bohr: atoms.geometry.map((x) => x / BOHR_TO_ANGSTROM),
    fragments: molecule.fragments,
    where: 'molecule.file',
    fragmentsAt: 'molecule.fragments',
  };
}

/** A standard XYZ file (Å): atom count, comment, one "El x y z" line per atom. */
function parseXyz(
  text: string,
  problems: Problems,
): { symbols: string[]; geometry: number[] } | undefined {
  const lines = text.split(/\r?\n/);
  const n = Number(lines[0]?.trim());
  if (!Number.isInteger(n) || n < 1) {
    problems.add(
      'molecule.file',
      `line 1: expected the number of atoms, found "${lines[0] ?? ''}"`,
    );
    return undefined;
  }
  const symbols: string[] = [];
  const geometry: number[] = [];
  for (let i = 0; i < n; i++) {
    const line = (lines[i + 2] ?? '').trim();
    const [el, ...rest] = line.split(/\s+/);
    const element = el === undefined ? undefined : normalizeSymbol(el);
    const xyz = rest.slice(0, 3).map(Number);
    if (element === undefined || xyz.length !== 3 || !xyz.every(Number.isFinite)) {
      problems.add('molecule.file', `line ${i + 3}: expected "element x y z", found "${line}"`);
      return undefined;
    }
    symbols.push(element);
    geometry.push(...xyz);
  }
  return { symbols, geometry };
}

interface ForkCalculation {
  driver?: unknown;
  /** {label: {program, method, basis}} */
  mcs: Record<string, Record<string, unknown>>;
  levels?: Record<string, string>;
  /** mc label → its path in the document (calculation.single or calculation.multi.levels.N) */
  mcPath: Record<string, string>;
  /** where `levels` is: calculation.multi.levels */
  base: string;
}

function readCalculation(calculation: JsonObject, problems: Problems): ForkCalculation {
  const type = calculation.type ?? 'single';
  const out: ForkCalculation = { mcs: {}, mcPath: {}, base: 'calculation' };
  if (type !== 'single' && type !== 'multi') {
    problems.add('calculation.type', `expected single or multi, found ${describeValue(type)}`);
    return out;
  }
  out.base = `calculation.${type}`;
  const other = type === 'single' ? 'multi' : 'single';
  if (calculation[other] !== undefined) {
    problems.add(`calculation.${other}`, `not used with type ${type} (remove it or set type)`);
  }
  const spec = calculation[type];
  if (!isObject(spec)) {
    problems.add(
      `calculation.${type}`,
      spec === undefined
        ? `missing: required when type is ${type}`
        : `expected a mapping, found ${describeValue(spec)}`,
    );
    return out;
  }
  out.driver = spec.driver;
  if (type === 'single') {
    checkKnownKeys(spec, SINGLE_KEYS, 'calculation.single', problems);
    out.mcs[AUTO_MC] = { program: spec.program, method: spec.method, basis: spec.basis };
    out.mcPath[AUTO_MC] = 'calculation.single';
    return out;
  }
  checkKnownKeys(spec, MULTI_KEYS, 'calculation.multi', problems);
  if (!isObject(spec.levels)) {
    problems.add(
      'calculation.multi.levels',
      `expected a mapping, found ${describeValue(spec.levels)}`,
    );
    return out;
  }
  out.levels = {};
  for (const [key, level] of Object.entries(spec.levels)) {
    const path = `calculation.multi.levels.${key}`;
    if (!isObject(level)) {
      problems.add(path, `expected {method, basis, program}, found ${describeValue(level)}`);
      continue;
    }
    checkKnownKeys(level, LEVEL_KEYS, path, problems);
    const label =
      typeof level.method === 'string' && typeof level.basis === 'string'
        ? `${level.method}/${level.basis}`.toLowerCase()
        : `(level ${key})`;
    const mc = { program: level.program, method: level.method, basis: level.basis };
    const previous = out.mcs[label];
    if (previous !== undefined && previous.program !== mc.program) {
      problems.add(
        path,
        `"${label}" is also run by ${describeValue(previous.program)} at level ${out.mcPath[label]?.split('.').pop() ?? '?'}: one method/basis can have one program only`,
      );
      continue;
    }
    out.mcs[label] = mc;
    out.mcPath[label] ??= path;
    out.levels[key] = label;
  }
  return out;
}

/** The fork's ExecutionSchema → our execution section (same field names as ours). */
function readExecution(execution: JsonObject, problems: Problems): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { parallel, n_workers: nWorkers, executor_type: type } = execution;
  if (parallel !== undefined && typeof parallel !== 'boolean') {
    problems.add('execution.parallel', `expected true or false, found ${describeValue(parallel)}`);
  }
  if (type !== undefined && type !== 'multiprocessing' && type !== 'sequential') {
    problems.add(
      'execution.executor_type',
      `expected multiprocessing or sequential, found ${describeValue(type)}`,
    );
  }
  const sequential = parallel !== true || type === 'sequential';
  if (nWorkers !== undefined && nWorkers !== null) {
    if (sequential) {
      problems.add(
        'execution.n_workers',
        'only with parallel: true and executor_type multiprocessing',
      );
    }
    out.workers = nWorkers;
  } else if (sequential) out.workers = 1;
  if (execution.timeout_per_task !== undefined) out.timeout_s = execution.timeout_per_task;
  if (execution.max_retries !== undefined) out.retries = execution.max_retries;
  return out;
}

/** Our field names → the fork's. */
function forkPath(field: string, where: string, calc: ForkCalculation): string {
  const geo = /^molecule\.geometry_bohr(?:\[(\d+)\])?(.*)$/.exec(field);
  if (geo !== null) {
    if (where === 'molecule.file' || geo[1] === undefined) {
      return where === 'molecule.file' ? where : 'molecule.inline.geometry';
    }
    const k = Number(geo[1]);
    return `molecule.inline.geometry[${Math.floor(k / 3)}][${k % 3}]`;
  }
  if (field.startsWith('molecule.symbols')) {
    return where === 'molecule.file' ? where : field.replace('molecule.', 'molecule.inline.');
  }
  if (field.startsWith('molecule.fragments')) {
    return where === 'molecule.file' ? field : field.replace('molecule.', 'molecule.inline.');
  }
  if (field.startsWith('molecule.')) return field.replace('molecule.', 'molecule.inline.');
  if (field === 'driver') return `${calc.base}.driver`;
  if (field.startsWith('bsse_type')) return field.replace('bsse_type', 'bsse.type');
  if (field.startsWith('levels')) {
    return field.replace('levels', 'calculation.multi.levels');
  }
  if (field.startsWith('model_chemistries')) {
    for (const [label, path] of Object.entries(calc.mcPath)) {
      const base = `model_chemistries.${label}`;
      if (field === base) return path;
      if (field.startsWith(`${base}.keywords`)) {
        return `program${field.slice(base.length)}`;
      }
      if (field.startsWith(`${base}.`)) return `${path}${field.slice(base.length)}`;
    }
    return calc.base;
  }
  if (field === 'output' || field.startsWith('output.')) return field;
  if (field.startsWith('execution.')) {
    const key = field.slice('execution.'.length);
    const name: Record<string, string> = {
      workers: 'n_workers',
      timeout_s: 'timeout_per_task',
      retries: 'max_retries',
    };
    return `execution.${name[key] ?? key}`;
  }
  return `manybody.${field}`;
}
