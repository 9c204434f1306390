import { formalChargeFromSmiles } from '../../chem/smiles-charge.js';
import { formatXyz } from '../../chem/xyz.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { JobSpec } from '../../core/job-spec.js';
import {
  choiceOption,
  intOption,
  numberOption,
  refuseUnknownOptions,
  requireChargeAndMultiplicity,
  requireGeometry,
  requireTask,
} from '../spec-checks.js';
import { seededArgv, seedOption } from './seed.js';

export const OBABEL_TASKS = ['gen3d', 'conformers'] as const;
export const GEN3D_INPUT = 'input.smi';
export const GEN3D_OUTPUT = 'output.xyz';
export const CONFORMERS_INPUT = 'input.xyz';
export const CONFORMERS_OUTPUT = 'conformers.xyz';

export const GEN3D_SPEEDS = ['fastest', 'fast', 'med', 'slow', 'best'] as const;
export const CONFORMER_ALGORITHMS = ['genetic', 'confab'] as const;

/**
 * - `gen3d`: 3D geometry from `molecule.smiles` (written to input.smi, never to argv).
 *   Option `gen3d_speed`: fastest | fast | med | slow | best (Open Babel's default when absent).
 *   The SMILES formal charge must equal `molecule.charge`.
 * - `conformers`: conformers of `molecule.atoms`. Options: `nconf` (default 10), `algorithm`
 *   `genetic` (default; `--conformer --nconf N --score energy --writeconformers`) or `confab`
 *   (`--confab --conf N --rcutoff R --ecutoff E`, `rcutoff` Å default 0.5, `ecutoff` kcal/mol
 *   default 50).
 * - Both: option `seed` (integer 0 … 70091, default 1) seeds Open Babel's random generators
 *   through `env` variables in front of obabel (seed.ts): the same spec gives the same output,
 *   byte for byte.
 */
export function prepareObabel(spec: CalcSpec): JobSpec {
  requireTask(spec, 'obabel', OBABEL_TASKS);
  return spec.task === 'gen3d' ? prepareGen3d(spec) : prepareConformers(spec);
}

function prepareGen3d(spec: CalcSpec): JobSpec {
  refuseUnknownOptions(spec, ['gen3d_speed', 'seed']);
  const { charge } = requireChargeAndMultiplicity(spec);
  const smiles = spec.molecule?.smiles?.trim();
  if (smiles === undefined || smiles === '') {
    throw new InputError('molecule.smiles', 'obabel gen3d needs a SMILES string');
  }
  if (/\s/.test(smiles)) {
    throw new InputError(
      'molecule.smiles',
      `expected one SMILES without spaces or line breaks, got ${JSON.stringify(smiles)}`,
    );
  }
  const smilesCharge = formalChargeFromSmiles(smiles);
  if (smilesCharge !== charge) {
    throw new InputError(
      'molecule.charge',
      `the SMILES ${smiles} has formal charge ${smilesCharge}, but charge is ${charge}`,
    );
  }
  const speed = choiceOption(spec, 'gen3d_speed', GEN3D_SPEEDS);
  const seed = seedOption(spec);
  return {
    argv: seededArgv(seed, [
      'obabel',
      '-ismi',
      GEN3D_INPUT,
      '-oxyz',
      '-O',
      GEN3D_OUTPUT,
      '--gen3d',
      ...(speed === undefined ? [] : [speed]),
    ]),
    files: { [GEN3D_INPUT]: `${smiles}\n` },
    env: {},
    outputs: [GEN3D_OUTPUT],
    captureStdout: 'tail',
    resources: spec.resources,
  };
}

function prepareConformers(spec: CalcSpec): JobSpec {
  refuseUnknownOptions(spec, ['nconf', 'algorithm', 'rcutoff', 'ecutoff', 'seed']);
  const { atoms } = requireGeometry(spec);
  const seed = seedOption(spec);
  const nconf = intOption(spec, 'nconf', 10, 1);
  const algorithm = choiceOption(spec, 'algorithm', CONFORMER_ALGORITHMS) ?? 'genetic';
  let search: string[];
  if (algorithm === 'genetic') {
    if (spec.options?.rcutoff !== undefined || spec.options?.ecutoff !== undefined) {
      throw new InputError('options', 'rcutoff and ecutoff apply only to algorithm "confab"');
    }
    search = ['--conformer', '--nconf', String(nconf), '--score', 'energy', '--writeconformers'];
  } else {
    const rcutoff = numberOption(spec, 'rcutoff', 0.5, 0);
    const ecutoff = numberOption(spec, 'ecutoff', 50, 0);
    search = [
      '--confab',
      '--conf',
      String(nconf),
      '--rcutoff',
      String(rcutoff),
      '--ecutoff',
      String(ecutoff),
    ];
  }
  return {
    argv: seededArgv(seed, [
      'obabel',
      '-ixyz',
      CONFORMERS_INPUT,
      '-oxyz',
      '-O',
      CONFORMERS_OUTPUT,
      ...search,
    ]),
    files: { [CONFORMERS_INPUT]: formatXyz(atoms, 'retort') },
    env: {},
    outputs: [CONFORMERS_OUTPUT],
    captureStdout: 'tail',
    resources: spec.resources,
  };
}
