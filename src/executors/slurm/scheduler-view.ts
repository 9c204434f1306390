import { POLL, parsePoll, scriptArgv, type RemoteState } from '../remote/remote-scripts.js';
import { TransportError, type ExecResult } from '../remote/transport.js';
import { parseJobcomp, type JobcompRecord } from './jobcomp.js';
import { parseScontrolJobs, scontrolShowJobArgs } from './scontrol.js';
import { campaignJobPrefix } from './slurm-job.js';
import { parseSqueue, squeueArgs, type SqueueRow } from './squeue.js';

/** What a final-state lookup needs of a scontrol or completion-log record. */
export type FinalRecord = Pick<JobcompRecord, 'jobId' | 'arrayJobId' | 'arrayTaskId' | 'state'>;

/** Directories per calc status check: keeps one command line well under ARG_MAX. */
const POLL_CHUNK = 200;

/**
 * The three places where SLURM says what became of a job, and the calc directories themselves,
 * each read with as few commands as possible where the scheduler commands run:
 *
 * - {@link squeue}: every job of the user that slurmctld still knows (finished ones for
 *   MinJobAge), only the campaign's (by name prefix); one call, its answer reused for
 *   `maxAgeMs`. A failed squeue is a retryable {@link TransportError} (the controller is away).
 * - {@link finalRecords}: for jobs squeue no longer lists, `scontrol show job` (one call per
 *   job id, as scontrol takes one), then the completion log (`JobCompType=jobcomp/filetxt`,
 *   asked of `scontrol show config` once) for those scontrol has forgotten too. Records come in
 *   file order: a job that ran twice has its newest record last.
 * - {@link calcStates}: the POLL script over calc directories, 200 per command.
 */
export class SchedulerView {
  readonly #exec: (argv: readonly string[]) => Promise<ExecResult>;
  readonly #campaignId: string;
  #snapshot: { at: number; rows: SqueueRow[] } | undefined;
  /** The completion log's path; null when the cluster keeps none; undefined: not asked yet. */
  #jobcompLog: string | null | undefined;

  constructor(exec: (argv: readonly string[]) => Promise<ExecResult>, campaignId: string) {
    this.#exec = exec;
    this.#campaignId = campaignId;
  }

  async squeue(maxAgeMs: number): Promise<SqueueRow[]> {
    const now = Date.now();
    if (this.#snapshot !== undefined && now - this.#snapshot.at <= maxAgeMs) {
      return this.#snapshot.rows;
    }
    const result = await this.#exec(squeueArgs());
    if (result.exitCode !== 0) {
      throw new TransportError(`squeue failed: ${result.stderr.trim()}`, { retryable: true });
    }
    const prefix = campaignJobPrefix(this.#campaignId);
    const rows = parseSqueue(result.stdout).filter((r) => r.name.startsWith(prefix));
    this.#snapshot = { at: now, rows };
    return rows;
  }

  async finalRecords(ids: readonly string[]): Promise<FinalRecord[]> {
    let known: readonly FinalRecord[] = [];
    for (const id of ids) {
      const result = await this.#exec(scontrolShowJobArgs(id));
      known = [...known, ...parseScontrolJobs(result.stdout)];
    }
    const missing = ids.filter((id) => !known.some((k) => k.jobId === id || k.arrayJobId === id));
    if (missing.length > 0) known = [...known, ...(await this.#fromJobcomp(missing))];
    return [...known];
  }

  async #fromJobcomp(ids: readonly string[]): Promise<JobcompRecord[]> {
    if (this.#jobcompLog === undefined) {
      const config = await this.#exec(['scontrol', 'show', 'config']);
      const type = /^JobCompType\s*=\s*(\S+)/m.exec(config.stdout)?.[1];
      const path = /^JobCompLoc\s*=\s*(\S+)/m.exec(config.stdout)?.[1];
      this.#jobcompLog = type === 'jobcomp/filetxt' && path !== undefined ? path : null;
    }
    const numeric = ids.filter((id) => /^\d+$/.test(id));
    if (this.#jobcompLog === null || numeric.length === 0) return [];
    const pattern = `(^| )(JobId|ArrayJobId)=(${numeric.join('|')}) `;
    const result = await this.#exec(['grep', '-E', '--', pattern, this.#jobcompLog]);
    return parseJobcomp(result.stdout);
  }

  async calcStates(dirs: readonly string[]): Promise<RemoteState[]> {
    const states: RemoteState[] = [];
    for (let i = 0; i < dirs.length; i += POLL_CHUNK) {
      const chunk = dirs.slice(i, i + POLL_CHUNK);
      const result = await this.#exec(scriptArgv(POLL, 'retort-poll', chunk));
      if (result.exitCode !== 0) {
        throw new TransportError(`the calc status check failed: ${result.stderr.trim()}`, {
          retryable: true,
        });
      }
      states.push(...parsePoll(result.stdout, chunk.length));
    }
    return states;
  }
}
