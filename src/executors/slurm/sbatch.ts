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
    throw new Error(`sbatch did not print a job id: ${JSON.stringify(stdout.slice(0, 200))}`);
  }
  return match[1];
}

/** What to do about a failed sbatch. */
export interface SbatchError {
  /**
   * True when the same submission may succeed later unchanged: slurmctld busy or unreachable,
   * or the user's limit of queued jobs reached. False when the request itself is wrong (bad
   * partition, account, QOS, memory, time limit, node configuration) or the error is unknown.
   */
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
const RETRYABLE = [
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

export function classifySbatchError(stderr: string): SbatchError {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => line.replace(/^sbatch: error: /, '').replace(/^sbatch: /, ''));
  const message = lines.length === 0 ? 'sbatch failed without a message' : lines.join('; ');
  return { retryable: RETRYABLE.some((pattern) => pattern.test(message)), message };
}
