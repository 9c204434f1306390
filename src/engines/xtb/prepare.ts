import type { Atom } from '../../chem/molecule.js';
import { formatXyz } from '../../chem/xyz.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { JobSpec } from '../../core/job-spec.js';
import { renderedInput } from '../rendered-input.js';
import {
  choiceOption,
  refuseUnknownOptions,
  requireGeometry,
  intOption,
  numberOption,
  requireTask,
} from '../spec-checks.js';
import { XTB_MD_DEFAULTS, type XtbMdSettings, mdDetailedInput, mdRestart } from './md-input.js';

export const XTB_TASKS = ['energy', 'optimize', 'md'] as const;
export const XTB_INPUT = 'input.xyz';
/** The optimised geometry xtb writes for `--opt`. */
export const XTB_OPT_GEOMETRY = 'xtbopt.xyz';
/** A rendered input: a Turbomole coord file whose other groups are xtb's detailed input. */
export const XTB_COORD_INPUT = 'input.coord';
/** The optimised geometry xtb writes for `--opt` of a coord input (Turbomole format, bohr). */
export const XTB_OPT_COORD = 'xtbopt.coord';
/** The snapshots xtb writes for `--md` (multi-frame XYZ, Å). */
export const XTB_TRAJECTORY = 'xtb.trj';
const XTB_MD_INPUT = 'md.inp';
const XTB_MD_RESTART = 'mdrestart';

/** xtb's `--opt` levels, for option `opt_level`. */
export const XTB_OPT_LEVELS = [
  'crude',
  'sloppy',
  'loose',
  'lax',
  'normal',
  'tight',
  'vtight',
  'extreme',
] as const;

/**
 * The xtb flags of a method: GFN2 (default), GFN1, GFN0, GFN-FF (also spelt GFNFF), any case.
 * InputError('method') for anything else.
 */
export function xtbMethodFlags(method: string | undefined): { name: string; flags: string[] } {
  const key = (method ?? 'GFN2').toUpperCase().replace(/-XTB$/, '');
  switch (key) {
    case 'GFN2':
      return { name: 'GFN2', flags: ['--gfn', '2'] };
    case 'GFN1':
      return { name: 'GFN1', flags: ['--gfn', '1'] };
    case 'GFN0':
      return { name: 'GFN0', flags: ['--gfn', '0'] };
    case 'GFN-FF':
    case 'GFNFF':
      return { name: 'GFN-FF', flags: ['--gfnff'] };
    default:
      throw new InputError(
        'method',
        `unknown xtb method "${method ?? ''}"; known: GFN2, GFN1, GFN0, GFN-FF`,
      );
  }
}

// Flags that would contradict what the spec already says (charge, spin, method, task, input).
const OWNED_FLAGS = [
  '--chrg',
  '--uhf',
  '--gfn',
  '--gfnff',
  '--opt',
  '--grad',
  '--ohess',
  '--hess',
  '--md',
  '--input',
];

/**
 * argv: `xtb input.xyz <method flags> --chrg q --uhf (mult-1) [--opt [level]] <keywords>`.
 * Each entry of `keywords` is one flag, alone or with its value after a space (`--alpb water`,
 * `--etemp 500`), and becomes one or two argv entries. `--flag=value` is refused: xtb 6.5 ignores
 * it silently.
 * Options: `opt_level` (optimize only): one of {@link XTB_OPT_LEVELS}.
 *
 * Task `md`: molecular dynamics from the molecule's geometry, `--md --input md.inp`, with the
 * start velocities in `mdrestart` (md-input.ts); options `time_ps`, `temperature_k`,
 * `snapshots`, `seed` (XtbMdSettings); always one thread. One spec gives the same snapshots on
 * every run.
 *
 * With spec.input (rendered from a template) the input is a Turbomole coord file, `input.coord`:
 * the `$coord` group (`$coord angs` for Å) and any groups of xtb's detailed input (`$chrg`,
 * `$spin`, `$gfn`, `$opt`, `$gbsa` …), which xtb reads from the coordinate file itself; argv is
 * `xtb input.coord`, with `--opt` for task optimize (the optimised geometry comes back as
 * `xtbopt.coord`). The spec's molecule is still required: the parser checks the optimised
 * geometry against its atoms.
 */
export function prepareXtb(spec: CalcSpec): JobSpec {
  requireTask(spec, 'xtb', XTB_TASKS);
  const rendered = renderedInput(spec);
  if (rendered !== undefined) {
    if (spec.task === 'md') {
      throw new InputError('task', 'task md does not take a template: give the molecule');
    }
    return renderedJob(spec, rendered);
  }
  refuseUnknownOptions(
    spec,
    spec.task === 'optimize' ? ['opt_level'] : spec.task === 'md' ? MD_OPTIONS : [],
  );
  const { atoms, charge, multiplicity } = requireGeometry(spec);
  refuseGhostAtoms(atoms);
  const { flags } = xtbMethodFlags(spec.method);
  const argv = [
    'xtb',
    XTB_INPUT,
    ...flags,
    '--chrg',
    String(charge),
    '--uhf',
    String(multiplicity - 1),
  ];
  if (spec.task === 'optimize') {
    argv.push('--opt');
    const level = choiceOption(spec, 'opt_level', XTB_OPT_LEVELS);
    if (level !== undefined) argv.push(level);
  }
  const files: Record<string, string> = { [XTB_INPUT]: formatXyz(atoms, 'retort') };
  if (spec.task === 'md') {
    const settings = mdSettings(spec);
    argv.push('--md', '--input', XTB_MD_INPUT);
    files[XTB_MD_INPUT] = mdDetailedInput(settings);
    files[XTB_MD_RESTART] = mdRestart(atoms, settings.temperature_k, settings.seed);
  }
  for (const keyword of spec.keywords ?? []) argv.push(...keywordArgs(keyword));
  // Dynamics run on one thread whatever the cores: with two, xtb 6.5.1's GFN-FF trajectories
  // of one input differed after 0.5 ps (summation order), and a seed must give one trajectory.
  const cores = spec.task === 'md' ? '1' : String(Math.max(1, Math.floor(spec.resources.cores)));
  return {
    argv,
    files,
    env: { OMP_NUM_THREADS: cores, MKL_NUM_THREADS: cores, OMP_STACKSIZE: '1G' },
    outputs:
      spec.task === 'optimize' ? [XTB_OPT_GEOMETRY] : spec.task === 'md' ? [XTB_TRAJECTORY] : [],
    captureStdout: 'full',
    resources: spec.resources,
  };
}

const MD_OPTIONS = ['time_ps', 'temperature_k', 'snapshots', 'seed'];

function mdSettings(spec: CalcSpec): XtbMdSettings {
  const d = XTB_MD_DEFAULTS;
  const settings = {
    time_ps: numberOption(spec, 'time_ps', d.time_ps, 0),
    temperature_k: numberOption(spec, 'temperature_k', d.temperature_k, 0),
    snapshots: intOption(spec, 'snapshots', d.snapshots, 1),
    seed: intOption(spec, 'seed', d.seed, 0),
  };
  for (const name of ['time_ps', 'temperature_k'] as const) {
    if (settings[name] === 0)
      throw new InputError(`options.${name}`, 'expected a number > 0, got 0');
  }
  return settings;
}

function renderedJob(spec: CalcSpec, input: string): JobSpec {
  requireGeometry(spec);
  if (!/^\$coord\b/m.test(input)) {
    throw new InputError(
      'input',
      'an xtb template renders a Turbomole coord file: a "$coord angs" group of "x y z element" lines, xtb\'s $ groups, and "$end"',
    );
  }
  const cores = String(Math.max(1, Math.floor(spec.resources.cores)));
  return {
    argv: ['xtb', XTB_COORD_INPUT, ...(spec.task === 'optimize' ? ['--opt'] : [])],
    files: { [XTB_COORD_INPUT]: input },
    env: { OMP_NUM_THREADS: cores, MKL_NUM_THREADS: cores, OMP_STACKSIZE: '1G' },
    outputs: spec.task === 'optimize' ? [XTB_OPT_COORD] : [],
    captureStdout: 'full',
    resources: spec.resources,
  };
}

function keywordArgs(keyword: string): string[] {
  const parts = keyword.trim().split(/\s+/);
  const [name, value, ...rest] = parts;
  if (name === undefined || !/^--[A-Za-z][\w-]*$/.test(name) || rest.length > 0) {
    throw new InputError(
      'keywords',
      `each xtb keyword is a flag, alone or with one value ("--alpb water", "--etemp 500"), got ${JSON.stringify(keyword)}`,
    );
  }
  if (OWNED_FLAGS.includes(name)) {
    throw new InputError(
      'keywords',
      `"${name}" is set from the spec (molecule, method, task), not from keywords`,
    );
  }
  return value === undefined ? [name] : [name, value];
}

// A ghost atom lends basis functions to a counterpoise calc; a semi-empirical Hamiltonian has no
// basis set to lend, so running it would silently compute something else.
function refuseGhostAtoms(atoms: readonly Atom[]): void {
  if (atoms.some((a) => a.ghost === true)) {
    throw new InputError(
      'molecule.atoms',
      'xtb cannot run ghost atoms: a semi-empirical method has no basis functions to lend, so counterpoise corrections (cp, vmfc) cannot be done with it; use nocp',
    );
  }
}
