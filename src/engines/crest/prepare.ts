import { formatXyz } from '../../chem/xyz.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { JobSpec } from '../../core/job-spec.js';
import {
  numberOption,
  refuseUnknownOptions,
  requireGeometry,
  requireTask,
} from '../spec-checks.js';

export const CREST_TASKS = ['conformers'] as const;
export const CREST_INPUT = 'input.xyz';
/** The final ensemble CREST writes: every conformer, lowest energy first. */
export const CREST_ENSEMBLE = 'crest_conformers.xyz';
/** CREST's default energy window, kcal/mol. */
export const CREST_DEFAULT_EWIN_KCAL_MOL = 6;

/**
 * `conformers`: CREST's iMTD-GC conformer search at GFN2-xTB, in the calc's own directory:
 * `crest input.xyz --gfn2 --chrg q --uhf (mult-1) --ewin W -T cores [--rthr R] [--quick]`.
 *
 * `method` must be GFN2 (or absent); `keywords` are refused. Options:
 * - `ewin`: energy window in kcal/mol (default 6);
 * - `rthr`: RMSD threshold in Å for CREST's duplicate detection (CREST's default when absent);
 * - `quick`: true for `--quick` (a cheaper, less exhaustive search).
 */
export function prepareCrest(spec: CalcSpec): JobSpec {
  requireTask(spec, 'crest', CREST_TASKS);
  refuseUnknownOptions(spec, ['ewin', 'rthr', 'quick']);
  const { atoms, charge, multiplicity } = requireGeometry(spec);
  const method = (spec.method ?? 'GFN2').toUpperCase().replace(/-XTB$/, '');
  if (method !== 'GFN2') {
    throw new InputError(
      'method',
      `crest conformers runs at GFN2-xTB; got method "${spec.method ?? ''}"`,
    );
  }
  if ((spec.keywords ?? []).length > 0) {
    throw new InputError('keywords', 'crest takes no keywords; use options ewin, rthr, quick');
  }
  const ewin = numberOption(spec, 'ewin', CREST_DEFAULT_EWIN_KCAL_MOL, 0);
  if (ewin === 0) throw new InputError('options.ewin', 'expected an energy window > 0 kcal/mol');
  const cores = String(Math.max(1, Math.floor(spec.resources.cores)));
  const argv = [
    'crest',
    CREST_INPUT,
    '--gfn2',
    '--chrg',
    String(charge),
    '--uhf',
    String(multiplicity - 1),
    '--ewin',
    String(ewin),
    '-T',
    cores,
  ];
  if (spec.options?.rthr !== undefined) {
    const rthr = numberOption(spec, 'rthr', 0, 0);
    argv.push('--rthr', String(rthr));
  }
  const quick = spec.options?.quick;
  if (quick !== undefined && typeof quick !== 'boolean') {
    throw new InputError('options.quick', `expected true or false, got ${JSON.stringify(quick)}`);
  }
  if (quick === true) argv.push('--quick');
  return {
    argv,
    files: { [CREST_INPUT]: formatXyz(atoms, 'retort') },
    env: { OMP_NUM_THREADS: cores, MKL_NUM_THREADS: cores, OMP_STACKSIZE: '1G' },
    outputs: [CREST_ENSEMBLE],
    captureStdout: 'tail',
    resources: spec.resources,
  };
}
