import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOKKEEPING_DIR } from '../calc-wrapper.js';
import { INTENT_FILE, type Member, type SlurmIntent } from './slurm-job.js';

/**
 * `.retort/slurm-intent.json` in a calc's local directory: written before every sbatch that
 * holds the calc, so it names the newest job of the calc (a calc its pack never started goes
 * into another job), even when the runner died before the job id was stored.
 */
export function writeIntent(member: Member): void {
  const intent: SlurmIntent = {
    job_name: member.slurm.name,
    mode: member.slurm.mode,
    index: member.index,
    remote_dir: member.remoteDir,
  };
  writeFileSync(join(member.job.workdir, BOOKKEEPING_DIR, INTENT_FILE), JSON.stringify(intent));
}

/** The intent of the calc in `workdir`; undefined when none was written (or it is unreadable). */
export function readIntent(workdir: string): SlurmIntent | undefined {
  try {
    return JSON.parse(
      readFileSync(join(workdir, BOOKKEEPING_DIR, INTENT_FILE), 'utf8'),
    ) as SlurmIntent;
  } catch {
    return undefined;
  }
}
