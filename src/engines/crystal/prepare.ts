import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { JobSpec } from '../../core/job-spec.js';
import { renderedInput } from '../rendered-input.js';
import { requireTask } from '../spec-checks.js';

/** Tasks run by `crystal` from a `.d12` input. */
export const CRYSTAL_TASKS = ['scf', 'optimize', 'frequencies'] as const;
/** Tasks run by `properties` from a `.d3` input on the wavefunction of an earlier scf. */
export const PROPERTIES_TASKS: readonly string[] = ['bands', 'dos'];
export const ALL_CRYSTAL_TASKS = [...CRYSTAL_TASKS, ...PROPERTIES_TASKS] as const;

/** The input file name CRYSTAL's own scripts use: crystal and properties read it from stdin. */
export const CRYSTAL_INPUT = 'INPUT';
/** The wavefunction an scf leaves, which properties reads. */
export const CRYSTAL_WAVEFUNCTION = 'fort.9';

/**
 * A CRYSTAL job. The input is always rendered from a template (spec.input: a `.d12` for
 * scf/optimize/frequencies, a `.d3` for bands/dos; see the built-in `crystal-*` templates):
 * CRYSTAL's geometry, basis-set and Hamiltonian blocks are too varied to be written from spec
 * fields. It is written as `INPUT`:
 *
 * - scf, optimize, frequencies: argv `crystal` (serial CRYSTAL, `INPUT` on stdin; stdout is the
 *   output, parsed whole), or with resources.cores N > 1 `mpirun -np N Pcrystal` (parallel
 *   CRYSTAL, which reads `INPUT` from the directory; its stdin is /dev/null, see below);
 *   `fort.9` (the wavefunction) is brought back for a later properties run;
 * - bands, dos: argv `properties` (`INPUT` on stdin), after the runtime copied `fort.9` from the calc named by
 *   option `parent` (the key of a successful scf or optimize, 64 hex digits, required), so the
 *   properties run is keyed on the wavefunction it reads; BAND.DAT, DOSS.DAT and fort.25 come back.
 *
 * Environment setup such as sourcing `cry23.bashrc` belongs to the machine, not the calc: it is
 * the `setup:` lines of retort.yaml or of a host, which every executor runs before the program.
 */
export function prepareCrystal(spec: CalcSpec): JobSpec {
  requireTask(spec, 'crystal', ALL_CRYSTAL_TASKS);
  const properties = PROPERTIES_TASKS.includes(spec.task);
  const input = renderedInput(spec, properties ? ['parent'] : []);
  if (input === undefined) {
    throw new InputError(
      'input',
      `crystal runs inputs rendered from a template: retort calc --template crystal-${spec.task} …, or "template" in a calc-list line`,
    );
  }
  const common = {
    files: { [CRYSTAL_INPUT]: input },
    env: { OMP_NUM_THREADS: '1' },
    captureStdout: 'full' as const,
    resources: spec.resources,
  };
  if (!properties) {
    const cores = Math.max(1, Math.floor(spec.resources.cores));
    if (cores === 1) {
      return {
        ...common,
        argv: ['crystal'],
        stdin: CRYSTAL_INPUT,
        outputs: [CRYSTAL_WAVEFUNCTION],
      };
    }
    // No stdin: Open MPI 4.1's mpirun forwards its stdin to rank 0 and, when the ranks end
    // before reading it, can crash doing so (SIGSEGV in orte_iof_hnp_read_local_handler,
    // open-mpi/ompi#7483): 6 of 14 runs here with INPUT on stdin, 0 of 12 without.
    const argv = ['mpirun', '-np', String(cores), 'Pcrystal'];
    return { ...common, argv, outputs: [CRYSTAL_WAVEFUNCTION] };
  }
  const parent = spec.options?.parent;
  if (typeof parent !== 'string' || !/^[0-9a-f]{64}$/.test(parent)) {
    throw new InputError(
      'options.parent',
      `crystal ${spec.task} reads the wavefunction of an earlier scf: give that calc's key (64 hex digits), got ${JSON.stringify(parent ?? null)}`,
    );
  }
  return {
    ...common,
    argv: ['properties'],
    stdin: CRYSTAL_INPUT,
    outputs: ['BAND.DAT', 'DOSS.DAT', 'fort.25'],
    parentInputs: [{ calcKey: parent, path: CRYSTAL_WAVEFUNCTION }],
  };
}
