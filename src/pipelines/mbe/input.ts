import { atomicNumber, normalizeSymbol } from '../../chem/elements.js';
import { spinChargeProblem, type Atom } from '../../chem/molecule.js';
import {
  fieldPath,
  isObject,
  readBoolean,
  readInteger,
  readList,
  readNumber,
  readObject,
  readString,
  type JsonObject,
  type Problems,
} from './problems.js';
import { describeValue } from '../../core/fields/describe.js';

/**
 * The normalised many-body-expansion input: what every reader (our YAML/JSON, QCManyBody's
 * ManyBodyInput v1/v2, the qcmb case layout) turns its document into, and what plan, subsystem
 * and analyze work from. Semantics are QCManyBody's (MolSSI/QCManyBody v0.7.1, see
 * ../shared/data/qcmb/ALGORITHM.md). Plain data: it serialises as JSON unchanged.
 */
export interface MbeInput {
  readonly molecule: MbeMolecule;
  readonly driver: MbeDriver;
  /**
   * BSSE treatments as requested (aliases resolved, duplicates dropped, order kept; the first is
   * returned). The free nocp/cp that single-level vmfc adds are NOT here: see plan's `bsse_type`.
   */
  readonly bsse_type: readonly BsseType[];
  /** The largest n-body level computed by an MBE (≤ nfragments). */
  readonly max_nbody: number;
  /**
   * Levels in QCManyBody's core form: one key per n-body level "1" … String(max_nbody), each the
   * label of a model chemistry (one mc's levels contiguous), plus optionally "supersystem".
   */
  readonly levels: Readonly<Record<string, string>>;
  /** True: total data; false: interaction data. Default false for energy, true otherwise. */
  readonly return_total_data: boolean;
  /** Only the monomers and the full cluster (interaction energy of the whole cluster). */
  readonly supersystem_ie_only: boolean;
  /** Model chemistries by label (the labels used in `levels` and in task labels). */
  readonly model_chemistries: Readonly<Record<string, ModelChemistry>>;
  /**
   * EE-MBE point charges (experimental in QCManyBody): for each 1-based fragment number (as a
   * string key), one charge (e) per atom of that fragment. Absent: no embedding.
   */
  readonly embedding_charges?: Readonly<Record<string, readonly number[]>>;
  readonly execution: MbeExecution;
  readonly output: MbeOutput;
}

/** A normalised input and the name of each of its fields in the document it was read from. */
export interface NormalizedMbe {
  readonly input: MbeInput;
  /** Our field name (`model_chemistries.hf.keywords.scf_type`) → the document's. */
  readonly path: (field: string) => string;
}

/**
 * The molecule of an MBE. `geometry_bohr` is flat [x0, y0, z0, x1, …] in bohr; `fragments` are
 * 0-based atom index lists, contiguous and in order (fragment 1 holds the first atoms). Charges
 * in e, multiplicities 2S+1, per fragment; the molecular values are for the whole cluster.
 */
export interface MbeMolecule {
  readonly symbols: readonly string[];
  readonly geometry_bohr: readonly number[];
  readonly fragments: readonly (readonly number[])[];
  readonly fragment_charges: readonly number[];
  readonly fragment_multiplicities: readonly number[];
  readonly molecular_charge: number;
  readonly molecular_multiplicity: number;
}

/** One model chemistry: which program runs which method in which basis, with which keywords. */
export interface ModelChemistry {
  readonly program: string;
  readonly method: string;
  readonly basis: string;
  readonly keywords: Readonly<Record<string, unknown>>;
}

/**
 * How to run the tasks: executor (local, ssh:NAME, slurm:NAME), workers (null: the executor's
 * default), walltime per task in seconds, how many times a failed task is retried, and
 * `max_tasks`, the most unique tasks the input may have (absent: size.ts DEFAULT_MAX_TASKS;
 * `--max-tasks` overrides it).
 */
export interface MbeExecution {
  readonly executor: string;
  readonly workers: number | null;
  readonly timeout_s: number;
  readonly retries: number;
  readonly max_tasks?: number;
}

/**
 * How `retort mbe run` writes its result (the `output` section of the QCManyBody fork's CLI
 * input, the same in our layout):
 * - `format`: `json` (the ManyBodyResult document), `yaml` (the same document as YAML) or `text`
 *   (the n-body tables and a summary of the return values and timings);
 * - `file`: where, relative to the input file's directory; null: exports/mbe-<input
 *   name>.<json|yaml|txt> (`--output` wins over both);
 * - `pretty`: JSON indented by 2 (true) or on one line (false);
 * - `include_timings`: the document carries `timings` (each task's run time and whether it came
 *   from the store, the totals and the wall time of the run).
 */
export interface MbeOutput {
  readonly format: MbeOutputFormat;
  readonly file: string | null;
  readonly pretty: boolean;
  readonly include_timings: boolean;
}

export const MBE_OUTPUT_FORMATS = ['json', 'yaml', 'text'] as const;
export type MbeOutputFormat = (typeof MBE_OUTPUT_FORMATS)[number];

/** The fork's defaults. */
export const DEFAULT_OUTPUT: MbeOutput = {
  format: 'json',
  file: null,
  pretty: true,
  include_timings: true,
};

export const MBE_DRIVERS = ['energy', 'gradient', 'hessian'] as const;
export type MbeDriver = (typeof MBE_DRIVERS)[number];

export const BSSE_TYPES = ['nocp', 'cp', 'vmfc'] as const;
export type BsseType = (typeof BSSE_TYPES)[number];

/** QCManyBody's BsseEnum names and aliases (case-insensitive). */
export const BSSE_ALIASES: Readonly<Record<string, BsseType>> = {
  nocp: 'nocp',
  cp: 'cp',
  vmfc: 'vmfc',
  ssfc: 'cp',
  mbe: 'nocp',
  none: 'nocp',
};

/** local, or a host of retort.yaml: ssh:NAME, slurm:NAME. */
export const EXECUTOR_PATTERN = /^(local|ssh:[\w.-]+|slurm:[\w.-]+)$/;

export const DEFAULT_EXECUTION: MbeExecution = {
  executor: 'local',
  workers: null,
  timeout_s: 3600,
  retries: 2,
};

/** The label QCManyBody gives a single unnamed model chemistry. */
export const AUTO_MC = '(auto)';

/**
 * Bohr radius in ångström used for every bohr ↔ Å conversion of MBE geometries: CODATA 2014,
 * the value of qcelemental's default constants and psi4 (`qcel.constants.bohr2angstroms`), so
 * that subsystem geometries are bit-for-bit those QCManyBody would hand to psi4.
 */
export const BOHR_TO_ANGSTROM = 0.52917721067;

/**
 * The fields of an input document after a reader has taken its format apart, not yet checked.
 * `levels_form` says whether `levels` is QCManyBody's user form (`{highest n of mc: mc}`; an mc
 * fills the unlisted levels below; duplicate mcs rejected, as the high-level Computer does) or
 * the core form (every level listed). `path` maps a field of this layout (`bsse_type[1]`,
 * `model_chemistries.mp2.basis`) to its name in the document, for messages.
 */
export interface RawMbeFields {
  readonly molecule: {
    readonly symbols: unknown;
    readonly geometry_bohr: unknown;
    readonly fragments: unknown;
    readonly fragment_charges?: unknown;
    readonly fragment_multiplicities?: unknown;
    readonly molecular_charge?: unknown;
    readonly molecular_multiplicity?: unknown;
  };
  readonly driver: unknown;
  readonly bsse_type: unknown;
  readonly levels: unknown;
  readonly levels_form: 'user' | 'core';
  readonly max_nbody: unknown;
  readonly return_total_data: unknown;
  readonly supersystem_ie_only: unknown;
  /** {label: {program, method, basis, keywords}} */
  readonly model_chemistries: unknown;
  readonly embedding_charges: unknown;
  readonly execution: unknown;
  readonly output: unknown;
  readonly path: (field: string) => string;
}

/**
 * Checks the fields of any format and builds the normalised input; every mistake goes to
 * `problems` (named by its field in the document). Returns undefined when there was any.
 */
export function normalizeMbeFields(
  raw: RawMbeFields,
  problems: Problems,
): NormalizedMbe | undefined {
  const before = problems.count;
  const p = raw.path;
  const molecule = normalizeMolecule(raw.molecule, problems, p);
  const nfr = molecule?.fragments.length;

  let driver: MbeDriver | undefined;
  if (typeof raw.driver === 'string' && (MBE_DRIVERS as readonly string[]).includes(raw.driver)) {
    driver = raw.driver as MbeDriver;
  } else {
    problems.add(
      p('driver'),
      `expected one of ${MBE_DRIVERS.join(', ')}, found ${describeValue(raw.driver)}`,
    );
  }

  const bsse = normalizeBsse(raw.bsse_type, problems, p);
  const mcs = normalizeModelChemistries(raw.model_chemistries, problems, p);

  let maxNbodyGiven: number | undefined;
  if (raw.max_nbody !== undefined && raw.max_nbody !== null) {
    maxNbodyGiven = readInteger(raw.max_nbody, p('max_nbody'), problems, 1, nfr ?? undefined);
  }

  const levels =
    mcs === undefined ? undefined : normalizeLevels(raw, mcs, nfr, maxNbodyGiven, problems, p);
  const maxNbody = levels === undefined ? undefined : maxLevel(levels);

  let rtd: boolean | undefined;
  if (raw.return_total_data === undefined || raw.return_total_data === null) {
    rtd = driver === undefined ? undefined : driver !== 'energy';
  } else {
    rtd = readBoolean(raw.return_total_data, p('return_total_data'), problems);
  }

  let sio = false;
  if (raw.supersystem_ie_only !== undefined && raw.supersystem_ie_only !== null) {
    sio = readBoolean(raw.supersystem_ie_only, p('supersystem_ie_only'), problems) ?? false;
  }
  if (sio && nfr !== undefined && maxNbody !== undefined && maxNbody !== nfr) {
    problems.add(
      p('supersystem_ie_only'),
      `cannot skip intermediate n-body jobs when max_nbody=${maxNbody} != nfragments=${nfr}`,
    );
  }
  if (sio && bsse?.includes('vmfc') === true) {
    problems.add(
      p('supersystem_ie_only'),
      `cannot skip intermediate n-body jobs when vmfc is in bsse_type; use cp instead`,
    );
  }
  if (sio && levels !== undefined && new Set(Object.values(levels)).size > 1) {
    problems.add(
      p('supersystem_ie_only'),
      'supersystem_ie_only works with a single model chemistry only (QCManyBody fails on multilevel or supersystem levels with it)',
    );
  }

  const embedding = normalizeEmbedding(raw.embedding_charges, molecule, problems, p);
  if (embedding !== undefined) {
    if (rtd === false) {
      problems.add(
        p('return_total_data'),
        'cannot return interaction data when using embedding charges (set it to true)',
      );
    }
    if (mcs !== undefined && levels !== undefined) {
      for (const mc of new Set(Object.values(levels))) {
        const program = mcs[mc]?.program;
        if (program !== undefined && program !== 'psi4' && program !== 'nwchem') {
          problems.add(
            p(`model_chemistries.${mc}.program`),
            `embedding charges reach only psi4 and NWChem (as external point charges), not ${program}`,
          );
        }
      }
    }
  }

  const execution = normalizeExecution(raw.execution, problems, p);
  const output = normalizeOutput(raw.output, problems, p);

  if (
    problems.count > before ||
    molecule === undefined ||
    driver === undefined ||
    bsse === undefined ||
    mcs === undefined ||
    levels === undefined ||
    maxNbody === undefined ||
    rtd === undefined ||
    execution === undefined ||
    output === undefined
  ) {
    return undefined;
  }
  const input: MbeInput = {
    molecule,
    driver,
    bsse_type: bsse,
    max_nbody: maxNbody,
    levels,
    return_total_data: rtd,
    supersystem_ie_only: sio,
    model_chemistries: mcs,
    ...(embedding === undefined ? {} : { embedding_charges: embedding }),
    execution,
    output,
  };
  return { input, path: p };
}

/** The largest integer key of core-form levels. */
export function maxLevel(levels: Readonly<Record<string, string>>): number {
  let max = 0;
  for (const key of Object.keys(levels))
    if (key !== 'supersystem') max = Math.max(max, Number(key));
  return max;
}

/**
 * Core-form levels → QCManyBody's user form: each mc keyed by the highest level it covers, then
 * "supersystem". (Inverse of the expansion the Computer does.)
 */
export function levelsToUserForm(levels: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  const n = maxLevel(levels);
  for (let k = 1; k <= n; k++) {
    const mc = levels[String(k)];
    if (mc !== undefined && levels[String(k + 1)] !== mc) out[String(k)] = mc;
  }
  const ss = levels.supersystem;
  if (ss !== undefined) out.supersystem = ss;
  return out;
}

function normalizeMolecule(
  raw: RawMbeFields['molecule'],
  problems: Problems,
  p: (f: string) => string,
): MbeMolecule | undefined {
  const before = problems.count;
  const symbolsRaw = readList(raw.symbols, p('molecule.symbols'), problems);
  const symbols: string[] = [];
  symbolsRaw?.forEach((s, i) => {
    const sym = typeof s === 'string' ? normalizeSymbol(s) : undefined;
    if (sym === undefined) {
      problems.add(
        p(`molecule.symbols[${i}]`),
        `expected an element symbol, found ${describeValue(s)}`,
      );
    } else symbols.push(sym);
  });
  const nat = symbolsRaw?.length;

  const geomRaw = readList(raw.geometry_bohr, p('molecule.geometry_bohr'), problems);
  const geometry: number[] = [];
  if (geomRaw !== undefined) {
    geomRaw.forEach((v, i) => {
      const x = readNumber(v, p(`molecule.geometry_bohr[${i}]`), problems);
      if (x !== undefined) geometry.push(x);
    });
    if (nat !== undefined && geomRaw.length !== 3 * nat) {
      problems.add(
        p('molecule.geometry_bohr'),
        `expected ${3 * nat} coordinates (3 per atom for ${nat} atoms), found ${geomRaw.length}`,
      );
    }
  }

  const fragments = normalizeFragments(raw.fragments, nat, problems, p);
  const nfr = fragments?.length;

  // Charges and multiplicities: per fragment, defaults as qcelemental fills them.
  const fragCharges = optionalNumberList(
    raw.fragment_charges,
    nfr,
    'molecule.fragment_charges',
    problems,
    p,
    false,
  );
  const fragMults = optionalNumberList(
    raw.fragment_multiplicities,
    nfr,
    'molecule.fragment_multiplicities',
    problems,
    p,
    true,
  );
  let molCharge: number | undefined;
  if (raw.molecular_charge !== undefined && raw.molecular_charge !== null) {
    molCharge = readNumber(raw.molecular_charge, p('molecule.molecular_charge'), problems);
  }
  let molMult: number | undefined;
  if (raw.molecular_multiplicity !== undefined && raw.molecular_multiplicity !== null) {
    molMult = readInteger(
      raw.molecular_multiplicity,
      p('molecule.molecular_multiplicity'),
      problems,
      1,
    );
  }
  if (problems.count > before || fragments === undefined || nat === undefined) return undefined;

  const charges = fragCharges ?? fragments.map(() => 0);
  if (fragCharges === undefined && molCharge !== undefined && molCharge !== 0) {
    problems.add(
      p('molecule.fragment_charges'),
      `give the charge of each fragment: the molecule has charge ${molCharge}, and a subsystem's charge is the sum of its fragments'`,
    );
    return undefined;
  }
  const totalCharge = charges.reduce((a, b) => a + b, 0);
  if (molCharge !== undefined && Math.abs(molCharge - totalCharge) > 1e-8) {
    problems.add(
      p('molecule.molecular_charge'),
      `${molCharge} is not the sum of fragment_charges (${totalCharge})`,
    );
  }
  const atomsOf = (frag: readonly number[]): Atom[] =>
    frag.map((i) => ({ element: symbols[i] ?? 'X', x: 0, y: 0, z: 0 }));
  const mults = fragMults ?? [];
  fragments.forEach((frag, f) => {
    const charge = charges[f] ?? 0;
    if (fragMults === undefined) {
      const electrons = electronsOf(frag, symbols, charge);
      mults.push(electrons % 2 === 0 ? 1 : 2);
    }
    const mult = mults[f] ?? 1;
    const problem = Number.isInteger(charge)
      ? spinChargeProblem(atomsOf(frag), charge, mult)
      : undefined;
    if (problem !== undefined) {
      problems.add(
        p(
          fragMults === undefined
            ? `molecule.fragment_charges[${f}]`
            : `molecule.fragment_multiplicities[${f}]`,
        ),
        `fragment ${f + 1}: ${problem}`,
      );
    }
  });
  const highSpin = mults.reduce((a, m) => a + (m - 1), 0) + 1;
  const multiplicity = molMult ?? highSpin;
  if (molMult !== undefined && Number.isInteger(totalCharge)) {
    const problem = spinChargeProblem(
      symbols.map((element) => ({ element, x: 0, y: 0, z: 0 })),
      totalCharge,
      molMult,
    );
    if (problem !== undefined) problems.add(p('molecule.molecular_multiplicity'), problem);
  }
  if (problems.count > before) return undefined;
  return {
    symbols,
    geometry_bohr: geometry,
    fragments,
    fragment_charges: charges,
    fragment_multiplicities: mults,
    molecular_charge: molCharge ?? totalCharge,
    molecular_multiplicity: multiplicity,
  };
}

function electronsOf(frag: readonly number[], symbols: readonly string[], charge: number): number {
  let n = 0;
  for (const i of frag) n += atomicNumber(symbols[i] ?? '') ?? 0;
  return n - charge;
}

function optionalNumberList(
  value: unknown,
  length: number | undefined,
  field: string,
  problems: Problems,
  p: (f: string) => string,
  positiveInteger: boolean,
): number[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = readList(value, p(field), problems);
  if (list === undefined) return undefined;
  const out: number[] = [];
  list.forEach((v, i) => {
    const x = positiveInteger
      ? readInteger(v, p(`${field}[${i}]`), problems, 1)
      : readNumber(v, p(`${field}[${i}]`), problems);
    if (x !== undefined) out.push(x);
  });
  if (length !== undefined && list.length !== length) {
    problems.add(p(field), `expected one value per fragment (${length}), found ${list.length}`);
    return undefined;
  }
  return out.length === list.length ? out : undefined;
}

function normalizeFragments(
  value: unknown,
  nat: number | undefined,
  problems: Problems,
  p: (f: string) => string,
): number[][] | undefined {
  const field = 'molecule.fragments';
  if (value === undefined || value === null) {
    problems.add(
      p(field),
      'missing: the molecule has no fragments (QCManyBody refuses to expand a molecule with one fragment)',
    );
    return undefined;
  }
  const list = readList(value, p(field), problems);
  if (list === undefined) return undefined;
  const before = problems.count;
  const fragments: number[][] = [];
  list.forEach((frag, f) => {
    const atoms = readList(frag, p(`${field}[${f}]`), problems);
    if (atoms === undefined) return;
    if (atoms.length === 0) problems.add(p(`${field}[${f}]`), 'a fragment needs at least one atom');
    const indices: number[] = [];
    atoms.forEach((a, k) => {
      const i = readInteger(
        a,
        p(`${field}[${f}][${k}]`),
        problems,
        0,
        nat === undefined ? undefined : nat - 1,
      );
      if (i !== undefined) indices.push(i);
    });
    fragments.push(indices);
  });
  if (problems.count > before) return undefined;
  if (fragments.length === 1) {
    problems.add(
      p(field),
      'only one fragment: QCManyBody refuses to expand a molecule with one fragment (define fragments)',
    );
    return undefined;
  }
  if (fragments.length === 0) {
    problems.add(p(field), 'no fragments given');
    return undefined;
  }
  const flat = fragments.flat();
  const contiguous = flat.every((atom, i) => atom === i) && flat.length === (nat ?? flat.length);
  if (!contiguous) {
    const seen = new Set<number>();
    const dup = flat.find((a) => (seen.has(a) ? true : (seen.add(a), false)));
    const missing =
      nat === undefined ? [] : [...Array(nat).keys()].filter((i) => !flat.includes(i));
    const detail =
      dup !== undefined
        ? `atom ${dup} is in more than one fragment`
        : missing.length > 0
          ? `atom${missing.length > 1 ? 's' : ''} ${missing.slice(0, 5).join(', ')} ${missing.length > 1 ? 'are' : 'is'} in no fragment`
          : 'atoms must be numbered in order, fragment after fragment';
    problems.add(
      p(field),
      `non-contiguous fragments (${detail}): each fragment must hold consecutive atoms and fragments must follow each other, as QCManyBody requires`,
    );
    return undefined;
  }
  return fragments;
}

function normalizeBsse(
  value: unknown,
  problems: Problems,
  p: (f: string) => string,
): BsseType[] | undefined {
  if (value === undefined || value === null) return ['cp'];
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  const single = !Array.isArray(value);
  if (list.length === 0) {
    problems.add(p('bsse_type'), 'no BSSE treatment given (expected nocp, cp and/or vmfc)');
    return undefined;
  }
  const out: BsseType[] = [];
  const before = problems.count;
  list.forEach((v, i) => {
    const name = typeof v === 'string' ? BSSE_ALIASES[v.toLowerCase()] : undefined;
    if (name === undefined) {
      problems.add(
        p(single ? 'bsse_type' : `bsse_type[${i}]`),
        `unknown BSSE treatment ${describeValue(v)} (expected nocp, cp or vmfc; aliases ssfc, mbe, none)`,
      );
    } else if (!out.includes(name)) out.push(name);
  });
  return problems.count > before ? undefined : out;
}

function normalizeModelChemistries(
  value: unknown,
  problems: Problems,
  p: (f: string) => string,
): Record<string, ModelChemistry> | undefined {
  const obj = readObject(value, p('model_chemistries'), problems);
  if (obj === undefined) return undefined;
  const before = problems.count;
  const out: Record<string, ModelChemistry> = {};
  const keys = Object.keys(obj);
  if (keys.length === 0) problems.add(p('model_chemistries'), 'no model chemistry given');
  for (const label of keys) {
    const base = `model_chemistries.${label}`;
    if (label.trim() === '') problems.add(p(base), 'a model chemistry needs a non-empty label');
    const mc = readObject(obj[label], p(base), problems);
    if (mc === undefined) continue;
    const program = readString(mc.program, p(`${base}.program`), problems);
    const method = readString(mc.method, p(`${base}.method`), problems);
    const basis = readString(mc.basis, p(`${base}.basis`), problems);
    let keywords: JsonObject = {};
    if (mc.keywords !== undefined && mc.keywords !== null) {
      keywords = readObject(mc.keywords, p(`${base}.keywords`), problems) ?? {};
    }
    if (program !== undefined && method !== undefined && basis !== undefined) {
      out[label] = {
        program: program.toLowerCase(),
        method: method.toLowerCase(),
        basis: basis.toLowerCase(),
        keywords,
      };
    }
  }
  return problems.count > before ? undefined : out;
}

function normalizeLevels(
  raw: RawMbeFields,
  mcs: Readonly<Record<string, ModelChemistry>>,
  nfr: number | undefined,
  maxNbodyGiven: number | undefined,
  problems: Problems,
  p: (f: string) => string,
): Record<string, string> | undefined {
  const labels = Object.keys(mcs);
  if (raw.levels === undefined || raw.levels === null) {
    // QCManyBody: {max_nbody or nfragments: "(auto)"}; a single named mc stands for "(auto)".
    const n = maxNbodyGiven ?? nfr;
    if (n === undefined) return undefined;
    const only = labels.length === 1 ? labels[0] : undefined;
    if (only === undefined) {
      problems.add(
        p('levels'),
        `missing: with ${labels.length} model chemistries, say which one computes which n-body level`,
      );
      return undefined;
    }
    const core: Record<string, string> = {};
    for (let k = 1; k <= n; k++) core[String(k)] = only;
    return core;
  }
  const obj = readObject(raw.levels, p('levels'), problems);
  if (obj === undefined) return undefined;
  const before = problems.count;
  const numeric: [number, string][] = [];
  let ss: string | undefined;
  for (const [key, value] of Object.entries(obj)) {
    const path = fieldPath('levels', key);
    const mc = typeof value === 'string' ? value : undefined;
    if (mc === undefined) {
      problems.add(
        p(path),
        `expected the label of a model chemistry, found ${describeValue(value)}`,
      );
      continue;
    }
    if (!(mc in mcs)) {
      problems.add(
        p(path),
        `model chemistry "${mc}" is not defined (defined: ${labels.map((l) => `"${l}"`).join(', ')})`,
      );
    }
    if (key === 'supersystem') {
      ss = mc;
      continue;
    }
    const n = Number(key);
    if (!Number.isInteger(n) || n < 1 || (nfr !== undefined && n > nfr)) {
      problems.add(
        p(path),
        `expected an n-body level between 1 and ${nfr ?? 'the number of fragments'} or "supersystem" as key`,
      );
      continue;
    }
    numeric.push([n, mc]);
  }
  if (numeric.length === 0 && problems.count === before) {
    problems.add(p('levels'), 'no n-body level given (keys 1, 2, … or "supersystem")');
  }
  if (problems.count > before) return undefined;
  numeric.sort((a, b) => a[0] - b[0]);
  const core: Record<string, string> = {};
  if (raw.levels_form === 'user') {
    const values = [...numeric.map(([, mc]) => mc), ...(ss === undefined ? [] : [ss])];
    const dup = values.find((mc, i) => values.indexOf(mc) !== i);
    if (dup !== undefined) {
      problems.add(
        p('levels'),
        `duplicate model chemistries: "${dup}" appears twice (list each model chemistry once, keyed by the highest n-body level it computes)`,
      );
      return undefined;
    }
    let prev = 0;
    for (const [n, mc] of numeric) {
      for (let k = prev + 1; k <= n; k++) core[String(k)] = mc;
      prev = n;
    }
  } else {
    const max = numeric[numeric.length - 1]?.[0] ?? 0;
    if (numeric.length !== max) {
      problems.add(p('levels'), `levels must be contiguous from 1 to ${max}`);
      return undefined;
    }
    for (const [n, mc] of numeric) core[String(n)] = mc;
    const spans = new Map<string, number[]>();
    for (const [n, mc] of numeric) spans.set(mc, [...(spans.get(mc) ?? []), n]);
    for (const [mc, ns] of spans) {
      const first = ns[0] ?? 0;
      const last = ns[ns.length - 1] ?? 0;
      if (last - first !== ns.length - 1) {
        problems.add(
          p('levels'),
          `n-body levels must be contiguous within a model chemistry ("${mc}": ${ns.join(', ')})`,
        );
        return undefined;
      }
    }
    if (ss !== undefined && numeric.some(([, mc]) => mc === ss)) {
      problems.add(
        p('levels.supersystem'),
        `duplicate model chemistries: "${ss}" is both an n-body level and the supersystem (use another label)`,
      );
      return undefined;
    }
  }
  if (ss !== undefined) core.supersystem = ss;
  const max = maxLevel(core);
  if (maxNbodyGiven !== undefined && maxNbodyGiven !== max) {
    problems.add(
      p('max_nbody'),
      `${maxNbodyGiven} disagrees with levels, whose highest n-body level is ${max} (QCManyBody would silently drop levels; give one or make them agree)`,
    );
    return undefined;
  }
  return core;
}

function normalizeEmbedding(
  value: unknown,
  molecule: MbeMolecule | undefined,
  problems: Problems,
  p: (f: string) => string,
): Record<string, number[]> | undefined {
  if (value === undefined || value === null) return undefined;
  const obj = readObject(value, p('embedding_charges'), problems);
  if (obj === undefined || molecule === undefined) return undefined;
  const nfr = molecule.fragments.length;
  const out: Record<string, number[]> = {};
  for (const [key, charges] of Object.entries(obj)) {
    const path = fieldPath('embedding_charges', key);
    const f = Number(key);
    if (!Number.isInteger(f) || f < 1 || f > nfr) {
      problems.add(p(path), `expected a fragment number between 1 and ${nfr} as key`);
      continue;
    }
    const list = readList(charges, p(path), problems);
    if (list === undefined) continue;
    const nat = molecule.fragments[f - 1]?.length ?? 0;
    if (list.length !== nat) {
      problems.add(
        p(path),
        `expected one charge per atom of fragment ${f} (${nat}), found ${list.length}`,
      );
      continue;
    }
    const qs: number[] = [];
    list.forEach((q, i) => {
      const x = readNumber(q, p(`${path}[${i}]`), problems);
      if (x !== undefined) qs.push(x);
    });
    out[String(f)] = qs;
  }
  if (Object.keys(out).length !== nfr) {
    problems.add(
      p('embedding_charges'),
      `expected an entry for each of the ${nfr} fragments (keys 1 … ${nfr}), found ${Object.keys(obj).length}`,
    );
    return undefined;
  }
  return out;
}

function normalizeExecution(
  value: unknown,
  problems: Problems,
  p: (f: string) => string,
): MbeExecution | undefined {
  if (value === undefined || value === null) return DEFAULT_EXECUTION;
  if (!isObject(value)) {
    problems.add(p('execution'), `expected a mapping, found ${describeValue(value)}`);
    return undefined;
  }
  const before = problems.count;
  for (const key of Object.keys(value)) {
    if (!['executor', 'workers', 'timeout_s', 'retries', 'max_tasks'].includes(key)) {
      problems.add(
        p(`execution.${key}`),
        'unknown field (expected one of: executor, workers, timeout_s, retries, max_tasks)',
      );
    }
  }
  let executor = DEFAULT_EXECUTION.executor;
  if (value.executor !== undefined) {
    if (typeof value.executor === 'string' && EXECUTOR_PATTERN.test(value.executor)) {
      executor = value.executor;
    } else {
      problems.add(
        p('execution.executor'),
        `expected local, ssh:NAME or slurm:NAME, found ${describeValue(value.executor)}`,
      );
    }
  }
  let workers: number | null = DEFAULT_EXECUTION.workers;
  if (value.workers !== undefined && value.workers !== null) {
    workers = readInteger(value.workers, p('execution.workers'), problems, 1) ?? null;
  }
  let timeout = DEFAULT_EXECUTION.timeout_s;
  if (value.timeout_s !== undefined) {
    const t = readNumber(value.timeout_s, p('execution.timeout_s'), problems);
    if (t !== undefined && t <= 0) {
      problems.add(p('execution.timeout_s'), `expected a positive number of seconds, found ${t}`);
    } else if (t !== undefined) timeout = t;
  }
  let retries = DEFAULT_EXECUTION.retries;
  if (value.retries !== undefined) {
    retries = readInteger(value.retries, p('execution.retries'), problems, 0) ?? retries;
  }
  const maxTasks =
    value.max_tasks === undefined
      ? undefined
      : readInteger(value.max_tasks, p('execution.max_tasks'), problems, 1);
  if (problems.count > before) return undefined;
  return {
    executor,
    workers,
    timeout_s: timeout,
    retries,
    ...(maxTasks === undefined ? {} : { max_tasks: maxTasks }),
  };
}

const OUTPUT_KEYS = ['format', 'file', 'pretty', 'include_timings'];

function normalizeOutput(
  value: unknown,
  problems: Problems,
  p: (f: string) => string,
): MbeOutput | undefined {
  if (value === undefined || value === null) return DEFAULT_OUTPUT;
  if (!isObject(value)) {
    problems.add(p('output'), `expected a mapping, found ${describeValue(value)}`);
    return undefined;
  }
  const before = problems.count;
  for (const key of Object.keys(value)) {
    if (!OUTPUT_KEYS.includes(key)) {
      problems.add(
        p(`output.${key}`),
        `unknown field (expected one of: ${OUTPUT_KEYS.join(', ')})`,
      );
    }
  }
  let format = DEFAULT_OUTPUT.format;
  if (value.format !== undefined && value.format !== null) {
    const found = MBE_OUTPUT_FORMATS.find((f) => f === value.format);
    if (found === undefined) {
      problems.add(
        p('output.format'),
        `expected one of ${MBE_OUTPUT_FORMATS.join(', ')}, found ${describeValue(value.format)}`,
      );
    } else format = found;
  }
  let file = DEFAULT_OUTPUT.file;
  if (value.file !== undefined && value.file !== null) {
    file = readString(value.file, p('output.file'), problems, 'the path of a file') ?? null;
    if (file !== null && file.trim() === '') {
      problems.add(p('output.file'), 'expected the path of a file, found an empty text');
    }
  }
  const flag = (key: 'pretty' | 'include_timings'): boolean => {
    const v = value[key];
    if (v === undefined || v === null) return DEFAULT_OUTPUT[key];
    return readBoolean(v, p(`output.${key}`), problems) ?? DEFAULT_OUTPUT[key];
  };
  const pretty = flag('pretty');
  const timings = flag('include_timings');
  if (problems.count > before) return undefined;
  return { format, file, pretty, include_timings: timings };
}
