import type { MoleculeStatus } from '../../core/molecule-status.js';
import type { Campaign } from '../../runtime/campaign.js';
import type { CalcRunner } from '../../runtime/calc-request.js';
import type { BatchRow, MoleculeRow } from '../../store/molecule-store.js';
import { writeDetail } from './exports/details.js';
import type { MoleculeDetail } from './molecule-detail.js';
import { runMoleculePipeline, type PipelineSettings } from './molecule-pipeline.js';

/** One molecule of a batch reaching its outcome, for progress lines. */
export interface MoleculeEvent {
  readonly done: number;
  readonly total: number;
  readonly mol_id: string;
  readonly status: MoleculeStatus | 'interrupted';
  readonly most_stable_hof: number | null;
  readonly grade: string | null;
  readonly error: string | null;
}

export interface BatchRunOptions {
  readonly campaign: Campaign;
  readonly runner: CalcRunner;
  readonly batch: BatchRow;
  /** Molecules run at once. */
  readonly workers: number;
  readonly crest: boolean;
  readonly cores: number;
  /** Pause the run after this many molecules failed (Rerun or Skip); 0: never. */
  readonly failureThreshold: number;
  readonly onMolecule: (event: MoleculeEvent) => void;
  /** Called after every molecule's record changed (the CSV export is throttled behind it). */
  readonly onChange: () => void;
  /** Called when a molecule starts or ends, with the batch's counts so far. */
  readonly onProgress?: (progress: BatchProgress) => void;
}

/** How far a batch run is. */
export interface BatchProgress {
  readonly total: number;
  readonly done: number;
  readonly ok: number;
  readonly failed: number;
  readonly running: number;
}

/** What a batch run did. */
export interface BatchRunResult {
  /** True when the run stopped (STOP, signal, pause) before every molecule ran. */
  readonly interrupted: boolean;
  readonly ran: number;
}

/**
 * Runs the batch's `To run` molecules, `workers` at a time: each becomes Running, goes
 * through the molecule pipeline, and ends OK, Rerun (retry_count + 1 < max_retries) or Skip,
 * its detail stored and written to details/<mol_id>.json. A molecule the run stopped in the
 * middle of goes back to To run. When the runner stops or pauses, no new molecule starts.
 */
export async function runBatch(options: BatchRunOptions): Promise<BatchRunResult> {
  const { campaign, runner, batch } = options;
  const store = campaign.molecules;
  const queue = store.moleculesOfBatch(batch.batch_id).filter((m) => m.status === 'To run');
  const total = queue.length;
  let done = 0;
  let ok = 0;
  let running = 0;
  let failedMolecules = 0;
  const progress = (): void => {
    options.onProgress?.({ total, done, ok, failed: failedMolecules, running });
  };
  let interrupted = false;
  const settings: PipelineSettings = {
    crest_timeout_min: batch.crest_timeout_min,
    mopac_timeout_min: batch.mopac_timeout_min,
    max_conformers: batch.max_conformers,
    crest: options.crest,
    cores: options.cores,
    mopac_keywords: ['PRECISE'],
  };

  const runOne = async (mol: MoleculeRow): Promise<void> => {
    store.setStatus(mol.mol_id, 'Running', { phase: 'geometry' });
    running++;
    options.onChange();
    progress();
    const outcome = await runMoleculePipeline(
      mol,
      settings,
      (spec) => runner.request(spec, mol.mol_id),
      campaign.paths,
      (phase) => {
        store.setPhase(mol.mol_id, phase);
      },
    );
    running--;
    if (outcome.interrupted) {
      interrupted = true;
      progress();
      store.setStatus(mol.mol_id, 'To run', { phase: 'pending' });
      options.onChange();
      options.onMolecule({
        done,
        total,
        mol_id: mol.mol_id,
        status: 'interrupted',
        most_stable_hof: null,
        grade: null,
        error: null,
      });
      return;
    }
    const retries = mol.retry_count + (outcome.ok ? 0 : 1);
    const status: MoleculeStatus = outcome.ok ? 'OK' : retries < mol.max_retries ? 'Rerun' : 'Skip';
    const detail: MoleculeDetail = { ...outcome.detail, status, retry_count: retries };
    store.setStatus(mol.mol_id, status, {
      phase: 'done',
      retry_count: retries,
      last_error_message: outcome.ok ? null : detail.error_message,
      skip_reason: status === 'Skip' ? 'RETRIES_EXHAUSTED' : null,
      detail_json: JSON.stringify(detail),
      most_stable_hof_kcal_mol: detail.most_stable_hof,
    });
    writeDetail(campaign.paths, detail);
    done++;
    if (outcome.ok) ok++;
    else failedMolecules++;
    progress();
    options.onChange();
    options.onMolecule({
      done,
      total,
      mol_id: mol.mol_id,
      status,
      most_stable_hof: detail.most_stable_hof,
      grade: detail.quality_grade,
      error: detail.error_message,
    });
    if (!outcome.ok) {
      if (options.failureThreshold > 0 && failedMolecules === options.failureThreshold) {
        runner.pause(
          `paused: ${failedMolecules} molecules failed in this batch (failure threshold ${options.failureThreshold}); look at them, then \`retort batch resume ${batch.batch_id}\``,
        );
      }
    }
  };

  const worker = async (): Promise<void> => {
    for (;;) {
      if (runner.currentState !== 'running') {
        if (queue.length > 0) interrupted = true;
        return;
      }
      const mol = queue.shift();
      if (mol === undefined) return;
      await runOne(mol);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.workers) }, worker));
  return { interrupted, ran: done };
}
