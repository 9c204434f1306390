import { InfrastructureError } from '../../core/errors.js';

/**
 * Reading what `sbatch --parsable` answers.
 *
 * On success sbatch prints the job id, followed by `;cluster` on a multi-cluster setup. On
 * failure it exits non-zero with `sbatch: error: …` lines on stderr, the last one usually
 * `Batch job submission failed: <reason>`.
 */

/** The job id from sbatch --parsable's stdout (`123` or `123;cluster`); throws on anything else. */
export function parseSbatchParsable(stdout: string): string {
  const match = /^(\d+)(?:;[^\s;]+)?$/.exec(stdout.trim());
  if (match?.[1] === undefined) {
    throw new InfrastructureError(
      `sbatch did not print a job id: ${JSON.stringify(stdout.slice(0, 200))}`,
      { retryable: false },
    );
  }
  return match[1];
}

/**
 * Whose problem a failed sbatch is, which decides what retort does about it:
 *
 * - `cluster`: slurmctld is busy or away, or the user's limit of queued jobs is reached; the
 *   same submission may succeed later unchanged (retried, then the executor is unavailable).
 * - `settings`: the host's settings in retort.yaml are wrong for this cluster: a partition,
 *   account or QOS it does not have (`sbatch_bad_partition.txt`), an sbatch option it refuses,
 *   or a message retort does not know. No calc can run until the user changes them, so it is
 *   the executor that is unavailable, never the calc that failed.
 * - `calc`: the cluster cannot give what this job asks for: memory, cores or a time limit beyond
 *   its nodes or partition (`sbatch_too_much_mem.txt`: "Memory specification can not be
 *   satisfied; … Requested node configuration is not available"). In single and array mode
 *   the request is the calc's own resources (an array's, the largest of its calcs), so it is
 *   the calc's failure; the executor decides for packs, whose request comes from `pack_cores`.
 */
export type SbatchFault = 'cluster' | 'settings' | 'calc';

/** What to do about a failed sbatch. */
export interface SbatchError {
  readonly fault: SbatchFault;
  /** True for `cluster`: the same submission may succeed later unchanged. */
  readonly retryable: boolean;
  /** sbatch's own words, its error lines joined with "; " (without the `sbatch: error: `). */
  readonly message: string;
}

/**
 * Transient conditions. `Job violates accounting/QOS policy (job submit limit, user's size
 * and/or time limits)` is SLURM's one message for every association/QOS limit hit at submit
 * time; it counts as retryable because for retort, which submits many jobs, it almost always
 * means MaxSubmitJobs (AssocMaxSubmitJobLimit, QOSMaxSubmitJobPerUserLimit): jobs must leave
 * the queue first.
 */
const CLUSTER = [
  /Socket timed out/i,
  /temporarily unable/i,
  /Resource temporarily unavailable/i,
  /Unable to contact slurm controller/i,
  /Zero Bytes were transmitted or received/i,
  /Communication connection failure/i,
  /Connection refused/i,
  /MaxSubmitJob/i,
  /Job violates accounting\/QOS policy/i,
];

/** Requests beyond what the cluster's nodes or partition can give. */
const CALC = [
  /Memory specification can not be satisfied/i,
  /Requested node configuration is not available/i,
  /Requested time limit is invalid/i,
  /More processors requested than permitted/i,
  /CPU count per node can not be satisfied/i,
];

export function classifySbatchError(stderr: string): SbatchError {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.replace(/^sbatch: error: /, '').replace(/^sbatch: /, ''));
  const message = lines.length === 0 ? 'sbatch failed without a message' : lines.join('; ');
  const fault: SbatchFault = CLUSTER.some((pattern) => pattern.test(message))
    ? 'cluster'
    : CALC.some((pattern) => pattern.test(message))
      ? 'calc'
      : 'settings';
  return { fault, retryable: fault === 'cluster', message };
}
