import type { BatchMode } from './batch-script.js';

/**
 * What the slurm executor reads of a cluster's entry in retort.yaml (`hosts.NAME` with
 * `type: slurm`; runtime/host-settings.ts validates it and documents each field). Declared here
 * so that executors depend on no runtime module: the settings object is passed as it is.
 */
export interface SlurmHost {
  readonly name: string;
  /** Remote directory for calc and job directories; undefined: the campaign's own. */
  readonly scratch: string | undefined;
  readonly partition: string | undefined;
  readonly account: string | undefined;
  readonly qos: string | undefined;
  /** Shell lines run in every batch script before the calcs. */
  readonly setup: readonly string[];
  readonly submit: BatchMode;
  readonly pack_size: number;
  readonly pack_cores: number;
  readonly max_walltime_s: number;
  readonly max_jobs: number;
  /** The shortest time between the end of one sbatch call and the start of the next, s. */
  readonly submit_interval_s: number;
  readonly poll_s: number;
  readonly sbatch_args: readonly string[];
  /** Delete each remote calc directory once its outputs are home (with `scratch`). */
  readonly cleanup: boolean;
}
