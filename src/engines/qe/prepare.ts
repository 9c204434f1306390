import {
  checkStructure,
  type PeriodicStructure,
  reciprocalLattice,
  structureElements,
} from '../../chem/structure.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { JobSpec } from '../../core/job-spec.js';
import { coordinate } from '../coordinate.js';
import { renderedInput } from '../rendered-input.js';
import {
  choiceOption,
  intOption,
  numberOption,
  refuseUnknownOptions,
  requireTask,
} from '../spec-checks.js';
import { automaticKPath, inputKPath, type KPathPoint, segmentPoints } from './kpath.js';

export const QE_TASKS = ['scf', 'relax', 'vc-relax', 'nscf', 'bands'] as const;
export const QE_INPUT = 'pw.in';
/** pw.x's `outdir` and `prefix`: the charge density lives in `out/retort.save/`. */
export const QE_OUTDIR = 'out';
export const QE_PREFIX = 'retort';
/** Debian's quantum-espresso-data puts its pseudopotentials here. */
export const DEFAULT_PSEUDO_DIR = '/usr/share/espresso/pseudo';

/**
 * Pseudopotentials used when options.pseudopotentials names none for an element: files of
 * Debian's quantum-espresso-data, LDA (Perdew–Zunger) where there is one so that they mix,
 * with their valence electron counts (for the default number of bands).
 */
export const DEFAULT_PSEUDOPOTENTIALS: Readonly<Record<string, { file: string; valence: number }>> =
  {
    H: { file: 'H.pz-vbc.UPF', valence: 1 },
    B: { file: 'B.pz-vbc.UPF', valence: 3 },
    C: { file: 'C.pz-rrkjus.UPF', valence: 4 },
    O: { file: 'O.pz-rrkjus.UPF', valence: 6 },
    Mg: { file: 'Mg.pz-n-vbc.UPF', valence: 2 },
    Al: { file: 'Al.pz-vbc.UPF', valence: 3 },
    Si: { file: 'Si.pz-vbc.UPF', valence: 4 },
    As: { file: 'As.pz-bhs.UPF', valence: 5 },
    Ge: { file: 'Ge.pbe-kjpaw.UPF', valence: 4 },
  };

const OPTIONS = [
  'ecutwfc',
  'ecutrho',
  'occupations',
  'smearing',
  'degauss',
  'conv_thr',
  'electron_maxstep',
  'kpoints',
  'kpoints_shift',
  'kspacing',
  'kpath',
  'kpath_density',
  'nbnd',
  'pseudo_dir',
  'pseudopotentials',
  'forc_conv_thr',
  'nstep',
  'press',
  'parent',
  'pw_keywords',
] as const;

const DEFAULTS = {
  ecutwfc: 30,
  conv_thr: 1e-8,
  electron_maxstep: 100,
  degauss: 0.01,
  smearing: 'mv',
  kspacing: 0.25,
  kpath_density: 20,
  forc_conv_thr: 1e-3,
  nstep: 50,
  press: 0,
} as const;

/**
 * Namelist entries the engine writes itself, or from a named option: a pw_keywords entry would
 * contradict them, or (occupations, nbnd) hide from the parser what it needs to tell a gap.
 */
const OWNED: Readonly<Record<string, string>> = {
  'control.calculation': 'it is the task',
  'control.prefix': 'retort sets it',
  'control.outdir': 'retort sets it',
  'control.pseudo_dir': 'use options.pseudo_dir',
  'control.nstep': 'use options.nstep',
  'control.forc_conv_thr': 'use options.forc_conv_thr',
  'system.ibrav': 'the cell is structure.lattice_angstrom',
  'system.celldm': 'the cell is structure.lattice_angstrom',
  'system.a': 'the cell is structure.lattice_angstrom',
  'system.nat': 'retort counts the sites',
  'system.ntyp': 'retort counts the species',
  'system.ecutwfc': 'use options.ecutwfc',
  'system.ecutrho': 'use options.ecutrho',
  'system.occupations': 'use options.occupations',
  'system.smearing': 'use options.smearing',
  'system.degauss': 'use options.degauss',
  'system.nbnd': 'use options.nbnd',
  'electrons.conv_thr': 'use options.conv_thr',
  'electrons.electron_maxstep': 'use options.electron_maxstep',
  'cell.press': 'use options.press',
};

/**
 * `pw.in` and argv `pw.x -input pw.in` (stdout is the output, parsed whole), with
 * `OMP_NUM_THREADS` set to the spec's cores (pw.x runs without MPI).
 *
 * The crystal is spec.structure (required): `CELL_PARAMETERS angstrom` and
 * `ATOMIC_POSITIONS crystal`, `ibrav = 0`, species in order of first appearance with mass 0
 * (pw.x then takes the element's standard mass). `&control` has `calculation` = the task,
 * `prefix = 'retort'`, `outdir = './out'`, `verbosity = 'high'` (band energies are printed for
 * any number of k-points) and, except for nscf/bands, `tprnfor` and `tstress`.
 *
 * Options (defaults in brackets; energies in Ry as pw.x takes them):
 * - `ecutwfc` [30], `ecutrho` [pw.x: 4 × ecutwfc; ultrasoft/PAW pseudos want 8–12 ×];
 * - `occupations`: `fixed` [insulators] | `smearing` | `tetrahedra`; with smearing,
 *   `smearing` [mv] and `degauss` [0.01 Ry];
 * - `conv_thr` [1e-8 Ry], `electron_maxstep` [100];
 * - k-points of scf/relax/vc-relax/nscf: `kpoints` [n1, n2, n3] (`K_POINTS automatic`) with
 *   `kpoints_shift` [0, 0, 0] (each 0 or 1); without `kpoints`, n_i = ceil(|b_i| / kspacing),
 *   `kspacing` [0.25 Å⁻¹, 2π included];
 * - k-path of bands: `kpath`: `[{label, fractional: [k1, k2, k3]}, …]` in the reciprocal basis of
 *   the cell; without it the fcc path Γ–X–W–K–Γ–L–U–W–L–K for a primitive fcc cell (else an
 *   InputError); written as `K_POINTS crystal_b` with round(|Δk| × kpath_density) points per
 *   segment, `kpath_density` [20 per Å⁻¹, 2π included];
 * - `nbnd`: bands; for nscf/bands [occupied + max(4, 20 %), from the valence of the default
 *   pseudopotentials; required when another pseudopotential is named], else pw.x's default;
 * - `pseudo_dir` [/usr/share/espresso/pseudo], `pseudopotentials`: `{Si: "Si.pz-vbc.UPF"}`,
 *   else {@link DEFAULT_PSEUDOPOTENTIALS};
 * - relax/vc-relax: `forc_conv_thr` [1e-3 Ry/bohr], `nstep` [50]; vc-relax: `press` [0 kbar];
 * - nscf/bands: `parent` (required): the calc key of the scf whose `out/` (charge density) the
 *   run starts from, given to the runtime as `parentInputs` (see JobSpec); it must be an scf of
 *   the same structure, cutoffs and pseudopotentials;
 * - `pw_keywords`: `{"system.nspin": 2, "electrons.mixing_beta": 0.3}` — any other namelist
 *   entry (`namelist.name`), a number, boolean or plain string.
 * spec.method, basis and keywords are refused (the functional comes with the pseudopotentials).
 *
 * With spec.input (an input rendered from a template) pw.in is that text; only options `parent`
 * (nscf/bands, as above) and `occupations` (tells the parser whether a gap is meaningful) are
 * taken, and spec.structure is optional (the parser reads the cell from the output).
 */
export function prepareQe(spec: CalcSpec): JobSpec {
  requireTask(spec, 'qe', QE_TASKS);
  const rendered = renderedInput(spec, ['parent', 'occupations']);
  if (rendered !== undefined) {
    return qeJob(spec, rendered, parentKey(spec, spec.task === 'nscf' || spec.task === 'bands'));
  }
  refuseUnknownOptions(spec, OPTIONS);
  for (const field of ['method', 'basis', 'molecule'] as const) {
    if (spec[field] !== undefined) {
      throw new InputError(
        field,
        field === 'molecule'
          ? 'qe computes periodic crystals: give the cell as structure, not a molecule'
          : `qe takes no ${field}: the functional comes with the pseudopotentials (options.pseudopotentials)`,
      );
    }
  }
  if (spec.keywords !== undefined && spec.keywords.length > 0) {
    throw new InputError(
      'keywords',
      'give pw.x keywords as options.pw_keywords {"namelist.name": value}',
    );
  }
  if (spec.structure === undefined) {
    throw new InputError(
      'structure',
      `qe ${spec.task} needs a crystal structure (a CIF or cell + positions)`,
    );
  }
  const structure = checkStructure(spec.structure);
  const task = spec.task;
  const fromParent = task === 'nscf' || task === 'bands';
  const parent = parentKey(spec, fromParent);
  const pseudoDir = stringOption(spec, 'pseudo_dir') ?? DEFAULT_PSEUDO_DIR;
  const species = speciesLines(spec, structure);

  const control: Record<string, string> = {
    calculation: quote(task),
    prefix: quote(QE_PREFIX),
    outdir: quote(`./${QE_OUTDIR}`),
    pseudo_dir: quote(pseudoDir),
    verbosity: quote('high'),
  };
  if (!fromParent) {
    control.tprnfor = '.true.';
    control.tstress = '.true.';
  }
  if (task === 'relax' || task === 'vc-relax') {
    control.forc_conv_thr = number(numberOption(spec, 'forc_conv_thr', DEFAULTS.forc_conv_thr, 0));
    control.nstep = String(intOption(spec, 'nstep', DEFAULTS.nstep, 1));
  }
  const system: Record<string, string> = {
    ibrav: '0',
    nat: String(structure.sites.length),
    ntyp: String(species.length),
    ecutwfc: number(numberOption(spec, 'ecutwfc', DEFAULTS.ecutwfc, 1)),
  };
  if (spec.options?.ecutrho !== undefined)
    system.ecutrho = number(numberOption(spec, 'ecutrho', 0, 1));
  const occupations =
    choiceOption(spec, 'occupations', ['fixed', 'smearing', 'tetrahedra'] as const) ?? 'fixed';
  system.occupations = quote(occupations);
  if (occupations === 'smearing') {
    system.smearing = quote(
      choiceOption(spec, 'smearing', [
        'gaussian',
        'mv',
        'm-v',
        'mp',
        'm-p',
        'fd',
        'f-d',
      ] as const) ?? DEFAULTS.smearing,
    );
    system.degauss = number(numberOption(spec, 'degauss', DEFAULTS.degauss, 0));
  }
  const nbnd = bandCount(spec, structure, species, fromParent);
  if (nbnd !== undefined) system.nbnd = String(nbnd);
  const electrons: Record<string, string> = {
    conv_thr: number(numberOption(spec, 'conv_thr', DEFAULTS.conv_thr, 0)),
    electron_maxstep: String(intOption(spec, 'electron_maxstep', DEFAULTS.electron_maxstep, 1)),
  };
  const ions: Record<string, string> = {};
  const cell: Record<string, string> = {};
  if (task === 'vc-relax') cell.press = number(numberOption(spec, 'press', DEFAULTS.press, -1e9));
  const namelists: Record<string, Record<string, string>> = {
    control,
    system,
    electrons,
    ions,
    cell,
  };
  applyPwKeywords(spec.options?.pw_keywords, namelists, task);

  const lines: string[] = [
    ...namelist('control', control),
    ...namelist('system', system),
    ...namelist('electrons', electrons),
  ];
  if (task === 'relax' || task === 'vc-relax') lines.push(...namelist('ions', ions));
  if (task === 'vc-relax') lines.push(...namelist('cell', cell));
  lines.push(
    'ATOMIC_SPECIES',
    ...species.map((s) => `${s.element} 0.0 ${s.file}`),
    'CELL_PARAMETERS angstrom',
    ...structure.lattice_angstrom.map((v) => v.map(coordinate).join(' ')),
    'ATOMIC_POSITIONS crystal',
    ...structure.sites.map((s) => `${s.element} ${s.fractional.map(coordinate).join(' ')}`),
    ...kPointLines(spec, structure),
    '',
  );
  return qeJob(spec, lines.join('\n'), parent);
}

/**
 * The pw.x job of an input text (written by prepareQe or rendered from a template): with a
 * rendered input the template must keep `outdir = './out'` and `prefix = 'retort'`, where the
 * parser and a later nscf/bands look.
 */
function qeJob(spec: CalcSpec, input: string, parent: string | undefined): JobSpec {
  const cores = String(Math.max(1, Math.floor(spec.resources.cores)));
  return {
    argv: ['pw.x', '-input', QE_INPUT],
    files: { [QE_INPUT]: input },
    env: { OMP_NUM_THREADS: cores },
    outputs: [
      `${QE_OUTDIR}/${QE_PREFIX}.save/data-file-schema.xml`,
      `${QE_OUTDIR}/${QE_PREFIX}.save/charge-density.dat`,
    ],
    captureStdout: 'full',
    resources: spec.resources,
    ...(parent === undefined ? {} : { parentInputs: [{ calcKey: parent, path: QE_OUTDIR }] }),
  };
}

interface Species {
  readonly element: string;
  readonly file: string;
  readonly valence: number | undefined;
}

function speciesLines(spec: CalcSpec, structure: PeriodicStructure): Species[] {
  const where = 'options.pseudopotentials';
  const given = spec.options?.pseudopotentials;
  if (
    given !== undefined &&
    (typeof given !== 'object' || given === null || Array.isArray(given))
  ) {
    throw new InputError(where, 'expected {element: "file.UPF"}');
  }
  const map = (given ?? {}) as Record<string, JsonValue>;
  const elements = structureElements(structure);
  for (const key of Object.keys(map)) {
    if (!elements.includes(key)) {
      throw new InputError(
        `${where}.${key}`,
        `no ${key} in the structure (it has ${elements.join(', ')})`,
      );
    }
  }
  return elements.map((element) => {
    const file = map[element];
    if (file !== undefined) {
      if (typeof file !== 'string' || !/^[\w.+-]+$/.test(file)) {
        throw new InputError(
          `${where}.${element}`,
          `expected a file name in pseudo_dir, got ${JSON.stringify(file)}`,
        );
      }
      const known = DEFAULT_PSEUDOPOTENTIALS[element];
      return { element, file, valence: known?.file === file ? known.valence : undefined };
    }
    const fallback = DEFAULT_PSEUDOPOTENTIALS[element];
    if (fallback === undefined) {
      throw new InputError(
        `${where}.${element}`,
        `no default pseudopotential for ${element}: name its UPF file in options.pseudopotentials`,
      );
    }
    return { element, ...fallback };
  });
}

function bandCount(
  spec: CalcSpec,
  structure: PeriodicStructure,
  species: readonly Species[],
  fromParent: boolean,
): number | undefined {
  if (spec.options?.nbnd !== undefined) return intOption(spec, 'nbnd', 0, 1);
  if (!fromParent) return undefined;
  let electrons = 0;
  for (const site of structure.sites) {
    const valence = species.find((s) => s.element === site.element)?.valence;
    if (valence === undefined) {
      throw new InputError(
        'options.nbnd',
        `${spec.task} needs options.nbnd when a pseudopotential other than the defaults is named (its valence is not known here)`,
      );
    }
    electrons += valence;
  }
  const occupied = Math.ceil(electrons / 2);
  return occupied + Math.max(4, Math.ceil(0.2 * occupied));
}

function parentKey(spec: CalcSpec, needed: boolean): string | undefined {
  const value = spec.options?.parent;
  if (!needed) {
    if (value !== undefined) {
      throw new InputError(
        'options.parent',
        `${spec.task} starts from scratch and takes no parent`,
      );
    }
    return undefined;
  }
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) {
    throw new InputError(
      'options.parent',
      `${spec.task} starts from the charge density of an scf: give that calc's key (64 hex digits), got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function kPointLines(spec: CalcSpec, structure: PeriodicStructure): string[] {
  if (spec.task === 'bands') {
    const { path, counts } = bandsPath(spec, structure);
    return [
      'K_POINTS crystal_b',
      String(path.length),
      ...path.map(
        (p, i) => `${p.fractional.map(coordinate).join(' ')} ${counts[i] ?? 1} ! ${p.label}`,
      ),
    ];
  }
  if (spec.options?.kpath !== undefined) {
    throw new InputError(
      'options.kpath',
      `a k-path is for task bands; ${spec.task} uses a k-grid (options.kpoints)`,
    );
  }
  return ['K_POINTS automatic', `${kGrid(spec, structure).join(' ')} ${kShift(spec).join(' ')}`];
}

/**
 * The k-path of a bands calc as pw.x gets it (`K_POINTS crystal_b`): the points (those of a
 * rendered input's block, else options.kpath,
 * else the automatic path of the lattice) and, for each, the k-points from it to the next
 * (the last one's 1 is not used by pw.x, which ends on the last point).
 */
export function bandsPath(
  spec: CalcSpec,
  structure: PeriodicStructure,
): { readonly path: readonly KPathPoint[]; readonly counts: readonly number[] } {
  if (spec.input !== undefined) return inputKPath(spec.input);
  const lattice = structure.lattice_angstrom;
  const path =
    spec.options?.kpath === undefined ? automaticKPath(lattice) : explicitPath(spec.options.kpath);
  const density = numberOption(spec, 'kpath_density', DEFAULTS.kpath_density, 1e-6);
  return { path, counts: segmentPoints(lattice, path, density) };
}

/** The automatic grid: options.kpoints, else ceil(|b_i| / kspacing) along each b_i. */
export function kGrid(spec: CalcSpec, structure: PeriodicStructure): number[] {
  const given = spec.options?.kpoints;
  if (given !== undefined) {
    if (
      !Array.isArray(given) ||
      given.length !== 3 ||
      !given.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1)
    ) {
      throw new InputError(
        'options.kpoints',
        `expected three integers ≥ 1 ([4, 4, 4]), got ${JSON.stringify(given)}`,
      );
    }
    return given as number[];
  }
  const spacing = numberOption(spec, 'kspacing', DEFAULTS.kspacing, 1e-6);
  return reciprocalLattice(structure.lattice_angstrom).map((v) =>
    Math.max(1, Math.ceil(Math.hypot(...v) / spacing - 1e-9)),
  );
}

function kShift(spec: CalcSpec): number[] {
  const given = spec.options?.kpoints_shift;
  if (given === undefined) return [0, 0, 0];
  if (!Array.isArray(given) || given.length !== 3 || !given.every((n) => n === 0 || n === 1)) {
    throw new InputError(
      'options.kpoints_shift',
      `expected three values 0 or 1, got ${JSON.stringify(given)}`,
    );
  }
  return given;
}

function explicitPath(value: JsonValue): KPathPoint[] {
  const where = 'options.kpath';
  if (!Array.isArray(value) || value.length < 2) {
    throw new InputError(
      where,
      'expected at least two points [{label, fractional: [k1, k2, k3]}, …]',
    );
  }
  return value.map((point, i) => {
    const at = `${where}[${i}]`;
    if (typeof point !== 'object' || point === null || Array.isArray(point)) {
      throw new InputError(at, 'expected {label, fractional: [k1, k2, k3]}');
    }
    const label = point.label;
    const f = point.fractional;
    if (typeof label !== 'string' || !/^[\w-]{1,8}$/.test(label)) {
      throw new InputError(
        `${at}.label`,
        `expected a short name (G, X, L), got ${JSON.stringify(label)}`,
      );
    }
    if (
      !Array.isArray(f) ||
      f.length !== 3 ||
      !f.every((x) => typeof x === 'number' && Number.isFinite(x))
    ) {
      throw new InputError(`${at}.fractional`, `expected three numbers, got ${JSON.stringify(f)}`);
    }
    return { label, fractional: [f[0], f[1], f[2]] as [number, number, number] };
  });
}

function applyPwKeywords(
  value: JsonValue | undefined,
  namelists: Record<string, Record<string, string>>,
  task: string,
): void {
  const where = 'options.pw_keywords';
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(where, 'expected {"namelist.name": value}');
  }
  for (const [rawKey, v] of Object.entries(value)) {
    const key = rawKey.toLowerCase();
    const m =
      /^(control|system|electrons|ions|cell)\.([a-z_][a-z0-9_]*(?:\(\d+(?:,\d+)*\))?)$/.exec(key);
    const list = m === null ? undefined : namelists[m[1] ?? ''];
    if (m === null || list === undefined) {
      throw new InputError(
        `${where}.${rawKey}`,
        'expected "namelist.name" with namelist control, system, electrons, ions or cell',
      );
    }
    if (
      (m[1] === 'ions' && task !== 'relax' && task !== 'vc-relax') ||
      (m[1] === 'cell' && task !== 'vc-relax')
    ) {
      throw new InputError(`${where}.${rawKey}`, `pw.x reads no &${m[1]} for ${task}`);
    }
    const owned = OWNED[key];
    if (owned !== undefined) throw new InputError(`${where}.${rawKey}`, `not here: ${owned}`);
    list[m[2] ?? ''] = fortranValue(v, `${where}.${rawKey}`);
  }
}

function fortranValue(value: JsonValue, where: string): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(where, 'expected a finite number');
    return number(value);
  }
  if (typeof value === 'boolean') return value ? '.true.' : '.false.';
  if (typeof value === 'string' && /^[\w.+\-/ ]*$/.test(value)) return quote(value);
  throw new InputError(
    where,
    `expected a number, boolean or plain string, got ${JSON.stringify(value)}`,
  );
}

function stringOption(spec: CalcSpec, name: string): string | undefined {
  const value = spec.options?.[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '' || /['\n\r]/.test(value)) {
    throw new InputError(`options.${name}`, `expected a path, got ${JSON.stringify(value)}`);
  }
  return value;
}

function namelist(name: string, entries: Record<string, string>): string[] {
  return [`&${name}`, ...Object.entries(entries).map(([k, v]) => `  ${k} = ${v}`), '/'];
}

function quote(text: string): string {
  return `'${text}'`;
}

// Fortran reads 1e-08 as a real; JavaScript's shortest form is exact and never uses `d`.
function number(value: number): string {
  return String(value);
}
