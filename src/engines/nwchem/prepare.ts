import { coordinate } from '../coordinate.js';
import { normalizeSymbol } from '../../chem/elements.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { renderedInput } from '../rendered-input.js';
import type { JobSpec } from '../../core/job-spec.js';
import {
  basisName,
  choiceOption,
  refuseEmbeddingFor,
  refuseUnknownOptions,
  requireGeometry,
  requireTask,
} from '../spec-checks.js';
import { EXTERNAL_CHARGES_OPTION, externalCharges } from '../external-charges.js';
import { convergenceLines, NWCHEM_CONVERGENCE_OPTIONS } from './convergence.js';

export const NWCHEM_TASKS = ['energy', 'gradient', 'optimize', 'frequencies', 'nmr'] as const;
// NWChem's operation for each task.
const OPERATIONS: Readonly<Record<string, string>> = {
  energy: 'energy',
  gradient: 'gradient',
  optimize: 'optimize',
  frequencies: 'freq',
  nmr: 'property',
};
export const NWCHEM_INPUT = 'input.nw';
/** Scratch and permanent directories, inside the calc directory (NWChem runs clash otherwise). */
export const NWCHEM_SCRATCH = 'scratch';
export const NWCHEM_PERM = 'perm';

/** NWChem module a method runs in. */
export type NwchemTheory = 'scf' | 'mp2' | 'dft';

/** DFT functionals by method name (lower case) → NWChem `xc` line. */
export const NWCHEM_FUNCTIONALS: Readonly<Record<string, string>> = {
  b3lyp: 'b3lyp',
  pbe0: 'pbe0',
  pbe: 'xpbe96 cpbe96',
  blyp: 'becke88 lyp',
  bp86: 'becke88 perdew86',
  tpss: 'xtpss03 ctpss03',
  'm06-2x': 'm06-2x',
  m06: 'm06',
  bhlyp: 'bhlyp',
  svwn: 'slater vwn_5',
};

const REFERENCES = ['rhf', 'uhf', 'rohf'] as const;

/**
 * Solvents of task `nmr` (option `solvent`, case-insensitive) → NWChem COSMO solvent name;
 * `null` runs in vacuum (no COSMO). NWChem takes an unknown name as water's dielectric without a
 * word, hence the fixed list.
 */
export const NWCHEM_SOLVENTS: Readonly<Record<string, string | null>> = {
  vacuum: null,
  none: null,
  chloroform: 'chcl3',
  chcl3: 'chcl3',
  dmso: 'dmso',
  methanol: 'methanol',
  water: 'h2o',
  h2o: 'h2o',
  acetone: 'acetone',
  benzene: 'benzene',
  pyridine: 'pyridine',
  thf: 'thf',
  tetrahydrofuran: 'thf',
  toluene: 'toluene',
  dcm: 'dcm',
  dichloromethane: 'dcm',
  acetonitrile: 'acetntrl',
  dmf: 'dmf',
};

// Blocks task nmr writes from the spec.
const NMR_DIRECTIVES = ['cosmo', 'property'];

// Directives the spec's own fields write; in keywords they would contradict them.
const OWNED_DIRECTIVES = [
  'start',
  'restart',
  'title',
  'task',
  'geometry',
  'basis',
  'charge',
  'scratch_dir',
  'permanent_dir',
  'memory',
  'mult',
  'nopen',
  'singlet',
  'doublet',
  'triplet',
  'quartet',
  'quintet',
  'sextet',
  'septet',
  'octet',
  'rhf',
  'uhf',
  'rohf',
  'odft',
  'rodft',
  'xc',
];

/**
 * `input.nw` and argv `nwchem input.nw` (serial; NWChem writes its output to stdout).
 *
 * The input: `start retort`; `scratch_dir ./scratch` and `permanent_dir ./perm` (both created
 * by the job through `scratch/.keep` and `perm/.keep`); `memory total N mb` (resources.memory_mb,
 * when set); `charge q`; `geometry units angstrom noautoz nocenter noautosym` so NWChem keeps
 * the spec's frame and atom order; a `basis` block naming every tag (`O library "6-31g*"`); the
 * method block; spec.keywords; `task <scf|mp2|dft> <energy|gradient|optimize|freq>`.
 *
 * Task `optimize` runs NWChem's driver with its defaults (give `driver; maxiter 50; end` in
 * keywords to change them); the frame is kept (noautosym). Task `frequencies` (`task … freq`)
 * leaves autosym on, so the vib module's thermochemistry uses the rotational symmetry number of
 * the point group NWChem finds (it symmetrises the geometry within its tolerance, and may reorient
 * it; frequencies and thermochemistry do not depend on the frame); a `temp` line in keywords is
 * refused (thermochemistry is at 298.15 K). Ghost atoms and external charges are refused for
 * both.
 *
 * Ghost atoms: NWChem treats a center whose tag starts with `bq` as a dummy with no nucleus and
 * no electrons; it gets basis functions only when the basis block names its tag with the
 * element to take them from: `bqO library O "6-31g*"`. A ghost oxygen is written `bqO x y z`.
 *
 * Methods: `hf`/`scf` (task scf), `mp2` (task mp2, SCF reference), a DFT functional of
 * {@link NWCHEM_FUNCTIONALS}, or `dft` with option `xc` (an NWChem xc line, `xc` words only).
 * Multiplicity: SCF and MP2 get `scf; <rhf|uhf|rohf>; nopen <mult-1>; end` (reference `rhf` for
 * singlets, `uhf` otherwise, unless option `reference` says else; `rhf` is refused for open
 * shells, ROHF-MP2 is refused); DFT gets `dft; xc …; mult N; end`, `odft` for a UHF reference of
 * a singlet, `rodft` for ROHF.
 *
 * Options: `reference` (rhf, uhf, rohf), `xc` (method `dft` only), `spherical` (boolean: spherical
 * harmonic basis functions; default false, NWChem's Cartesian default, true for `nmr`),
 * `solvent` (task `nmr` only), `external_charges`, and the SCF and DFT convergence options of
 * {@link NWCHEM_CONVERGENCE_OPTIONS} (`scf__thresh`, `dft__grid` …), written last in the scf or
 * dft block.
 *
 * `external_charges`: point charges `[[charge_e, x_Å, y_Å, z_Å], …]` (electrostatic embedding),
 * each a list of 4 finite numbers, written as NWChem's Bq module block before the task line:
 * `bq units angstrom`, one `x y z q` line per charge (NWChem's order: position first, charge
 * last), `end`. The units are stated, not left to the default. Energy: NWChem adds the charges'
 * potential to the one-electron Hamiltonian and their interaction with the nuclei to the nuclear
 * repulsion (`Bq nuclear interaction energy`, included in the `Nuclear repulsion energy` of the
 * energy breakdown), so the total energy is electrons + nuclei + nuclei–charges (the charges'
 * mutual energy is not included) — the same convention as the psi4 engine, and what
 * QCManyBody's EE-MBE expects. Gradients are those of the molecule's atoms.
 * Task `nmr` (DFT methods only): GIAO shielding tensors of every atom, `task dft property` with a
 * `property; shielding; end` block, `direct` in the dft block and a spherical basis (option
 * `spherical: false` is refused). Option `solvent` ({@link NWCHEM_SOLVENTS}; default vacuum)
 * adds `cosmo; solvent <name>; do_gasphase False; end`: the SCF and the shielding are computed
 * in the solvent's reaction field only, without the gas-phase SCF first. Ghost atoms and
 * external charges are refused, and so are `cosmo` and `property` blocks in keywords.
 *
 * Keywords: extra input lines, inserted before the task line verbatim; `;` separates lines as in
 * any NWChem input (`dft; grid fine; end`). Directives the spec decides (task, geometry, basis,
 * charge, mult, xc …) are refused.
 *
 * With spec.input (rendered from a template) `input.nw` is that text: no method, basis,
 * keywords or options; the molecule is still required (the parser compares geometries and
 * counts atoms with it) and the parser takes the module from the output's energy lines.
 */
export function prepareNwchem(spec: CalcSpec): JobSpec {
  requireTask(spec, 'nwchem', NWCHEM_TASKS);
  const rendered = renderedInput(spec);
  if (rendered !== undefined) {
    requireGeometry(spec);
    return nwchemJob(spec, rendered);
  }
  refuseUnknownOptions(spec, [
    'reference',
    'xc',
    'spherical',
    'solvent',
    EXTERNAL_CHARGES_OPTION,
    ...Object.keys(NWCHEM_CONVERGENCE_OPTIONS),
  ]);
  const { atoms, charge, multiplicity } = requireGeometry(spec);
  if (atoms.every((a) => a.ghost === true)) {
    throw new InputError('molecule.atoms', 'every atom is a ghost: there is nothing to compute');
  }
  const { theory, xc } = nwchemMethod(spec);
  const convergence = convergenceLines(spec, theory === 'dft' ? 'dft' : 'scf');
  const basis = basisName(spec.basis, 'NWChem');
  const reference =
    choiceOption(spec, 'reference', REFERENCES) ?? (multiplicity === 1 ? 'rhf' : 'uhf');
  if (reference === 'rhf' && multiplicity !== 1) {
    throw new InputError(
      'options.reference',
      `rhf is only for singlets; multiplicity ${multiplicity} needs uhf or rohf`,
    );
  }
  if (theory === 'mp2' && reference === 'rohf') {
    throw new InputError('options.reference', 'NWChem MP2 runs on an RHF or UHF reference only');
  }
  const nmr = spec.task === 'nmr';
  if (nmr && theory !== 'dft') {
    throw new InputError(
      'method',
      `NWChem task nmr runs DFT: give a functional (${Object.keys(NWCHEM_FUNCTIONALS).join(', ')}) or "dft" with option xc`,
    );
  }
  if (nmr && spec.options?.spherical === false) {
    throw new InputError('options.spherical', 'NWChem task nmr always uses a spherical basis');
  }
  const spherical = nmr || booleanOption(spec.options?.spherical, 'spherical');
  const solvent = nmrSolvent(spec);
  const keywords = (spec.keywords ?? []).map((k) =>
    checkedKeyword(k, nmr ? [...OWNED_DIRECTIVES, ...NMR_DIRECTIVES] : OWNED_DIRECTIVES),
  );
  const charges = externalCharges(spec.options?.[EXTERNAL_CHARGES_OPTION]);
  const bqKeyword = keywords.some((k) =>
    k.split(';').some((part) => part.trim().split(/\s+/)[0]?.toLowerCase() === 'bq'),
  );
  if (charges.length > 0 && bqKeyword) {
    throw new InputError(
      'keywords',
      `a bq block in keywords would clash with options.${EXTERNAL_CHARGES_OPTION}: give the charges in one place`,
    );
  }
  if (spec.task === 'frequencies') refuseOtherTemperature(keywords);
  refuseEmbeddingFor(
    spec,
    ['optimize', 'frequencies', 'nmr'],
    atoms,
    charges.length,
    EXTERNAL_CHARGES_OPTION,
  );

  const tags = new Map<string, string>();
  const atomLines = atoms.map((atom) => {
    const symbol = normalizeSymbol(atom.element) ?? atom.element;
    const tag = atom.ghost === true ? `bq${symbol}` : symbol;
    tags.set(tag, symbol);
    return `  ${tag} ${coordinate(atom.x)} ${coordinate(atom.y)} ${coordinate(atom.z)}`;
  });
  const basisLines = [...tags].map(([tag, symbol]) =>
    tag === symbol ? `  ${tag} library "${basis}"` : `  ${tag} library ${symbol} "${basis}"`,
  );

  const lines = [
    'start retort',
    `title "retort ${spec.task}"`,
    `scratch_dir ./${NWCHEM_SCRATCH}`,
    `permanent_dir ./${NWCHEM_PERM}`,
  ];
  const memory = spec.resources.memory_mb;
  if (memory !== undefined) lines.push(`memory total ${Math.max(1, Math.floor(memory))} mb`);
  lines.push(
    `charge ${charge}`,
    // The vib module takes the rotational symmetry number of its thermochemistry from the point
    // group autosym finds (1 without it); frequencies do not depend on the frame it picks.
    spec.task === 'frequencies'
      ? 'geometry units angstrom noautoz nocenter'
      : 'geometry units angstrom noautoz nocenter noautosym',
    ...atomLines,
    'end',
    spherical ? 'basis spherical' : 'basis',
    ...basisLines,
    'end',
  );
  if (theory === 'dft') {
    lines.push('dft', `  xc ${xc ?? ''}`, `  mult ${multiplicity}`);
    if (reference === 'uhf' && multiplicity === 1) lines.push('  odft');
    if (reference === 'rohf') lines.push('  rodft');
    if (nmr) lines.push('  direct');
    lines.push(...convergence, 'end');
  } else {
    lines.push('scf', `  ${reference}`, `  nopen ${multiplicity - 1}`, ...convergence, 'end');
  }
  if (charges.length > 0) {
    lines.push(
      'bq units angstrom',
      ...charges.map(
        (c) => `  ${coordinate(c.x)} ${coordinate(c.y)} ${coordinate(c.z)} ${coordinate(c.charge)}`,
      ),
      'end',
    );
  }
  if (solvent !== null) {
    lines.push('cosmo', `  solvent ${solvent}`, '  do_gasphase False', 'end');
  }
  if (nmr) lines.push('property', '  shielding', 'end');
  lines.push(...keywords, `task ${theory} ${OPERATIONS[spec.task] ?? spec.task}`, '');
  return nwchemJob(spec, lines.join('\n'));
}

/**
 * The NWChem job of an input text (written above or rendered from a template, which must use
 * `scratch_dir ./scratch` and `permanent_dir ./perm`, created here, inside the calc directory).
 */
function nwchemJob(spec: CalcSpec, input: string): JobSpec {
  return {
    argv: ['nwchem', NWCHEM_INPUT],
    files: {
      [NWCHEM_INPUT]: input,
      [`${NWCHEM_SCRATCH}/.keep`]: '',
      [`${NWCHEM_PERM}/.keep`]: '',
    },
    env: { OMP_NUM_THREADS: '1' },
    outputs: [],
    captureStdout: 'full',
    resources: spec.resources,
  };
}

/** The NWChem module and xc line of a spec's method; InputError('method') otherwise. */
export function nwchemMethod(spec: CalcSpec): { theory: NwchemTheory; xc?: string } {
  const method = spec.method?.trim().toLowerCase();
  const xcOption = spec.options?.xc;
  if (method !== 'dft' && xcOption !== undefined) {
    throw new InputError('options.xc', 'option xc is only for method "dft"');
  }
  if (method === 'hf' || method === 'scf') return { theory: 'scf' };
  if (method === 'mp2') return { theory: 'mp2' };
  if (method === 'dft') {
    if (typeof xcOption !== 'string' || !/^[A-Za-z0-9_\-+. ]+$/.test(xcOption.trim())) {
      throw new InputError(
        'options.xc',
        `method "dft" needs option xc, an NWChem xc line such as "xpbe96 cpbe96", got ${JSON.stringify(xcOption ?? null)}`,
      );
    }
    return { theory: 'dft', xc: xcOption.trim() };
  }
  const xc = method === undefined ? undefined : NWCHEM_FUNCTIONALS[method];
  if (xc === undefined) {
    const known = ['hf', 'scf', 'mp2', ...Object.keys(NWCHEM_FUNCTIONALS), 'dft (with option xc)'];
    throw new InputError(
      'method',
      `unknown NWChem method "${spec.method ?? ''}"; known: ${known.join(', ')}`,
    );
  }
  return { theory: 'dft', xc };
}

function booleanOption(value: JsonValue | undefined, name: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    throw new InputError(`options.${name}`, `expected true or false, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Thermochemistry is reported at 298.15 K: a `temp` line of a freq block would change it. */
function refuseOtherTemperature(keywords: readonly string[]): void {
  for (const keyword of keywords) {
    for (const part of keyword.split(';')) {
      if (/^temp/i.test(part.trim())) {
        throw new InputError(
          'keywords',
          `task frequencies reports thermochemistry at 298.15 K; the temperature cannot be changed ("${part.trim()}")`,
        );
      }
    }
  }
}

/** NWChem's COSMO solvent name of option `solvent`, null for vacuum. */
function nmrSolvent(spec: CalcSpec): string | null {
  const value = spec.options?.solvent;
  if (value === undefined) return null;
  if (spec.task !== 'nmr') {
    throw new InputError(
      'options.solvent',
      `option solvent is only for task nmr, not ${spec.task}`,
    );
  }
  const name = typeof value === 'string' ? value.trim().toLowerCase() : '';
  const solvent = Object.hasOwn(NWCHEM_SOLVENTS, name) ? NWCHEM_SOLVENTS[name] : undefined;
  if (solvent === undefined) {
    throw new InputError(
      'options.solvent',
      `unknown solvent ${JSON.stringify(value)}; known: ${Object.keys(NWCHEM_SOLVENTS).join(', ')}`,
    );
  }
  return solvent;
}

function checkedKeyword(keyword: string, owned: readonly string[]): string {
  if (/[\r\n]/.test(keyword)) {
    throw new InputError(
      'keywords',
      `an NWChem keyword is one line (separate lines with ";"): ${JSON.stringify(keyword)}`,
    );
  }
  for (const part of keyword.split(';')) {
    const first = part.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (owned.includes(first)) {
      throw new InputError(
        'keywords',
        `"${first}" is written from the spec (task, molecule, method, basis, options), not from keywords`,
      );
    }
  }
  return keyword.trim();
}
