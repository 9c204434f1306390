import { relative } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import type { ItemStatus } from '../../core/item-status.js';
import type { Campaign } from '../../runtime/campaign.js';
import type { CalcRunner } from '../../runtime/calc-request.js';
import { detailPath, writeDetail } from './exports/details.js';
import type { MoleculeDetail } from './molecule-detail.js';
import type { Pm7Batch } from './molecule-item.js';
import { runMoleculePipeline, type PipelineSettings } from './molecule-pipeline.js';
import { moleculesOf, type Molecule } from './molecules.js';

/** One molecule of a batch reaching its outcome, for progress lines. */
export interface MoleculeEvent {
  readonly done: number;
  readonly total: number;
  readonly mol_id: string;
  readonly status: ItemStatus | 'interrupted';
  readonly most_stable_hof: number | null;
  readonly grade: string | null;
  readonly error: string | null;
}

export interface BatchRunOptions {
  readonly campaign: Campaign;
  readonly runner: CalcRunner;
  readonly batch: Pm7Batch;
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
 * its detail stored and written to its details/ file. A molecule the run stopped in the
 * middle of goes back to To run. When the runner stops or pauses, no new molecule starts.
 * A file of one molecule that cannot be written (MoleculeFileError) fails that molecule only.
 */
export async function runBatch(options: BatchRunOptions): Promise<BatchRunResult> {
  const { campaign, runner, batch } = options;
  const store = moleculesOf(campaign);
  const queue = store.ofBatch(batch.batch_id).filter((m) => m.status === 'To run');
  const total = queue.length;
  let done = 0;
  let okMolecules = 0;
  let running = 0;
  let failedMolecules = 0;
  const progress = (): void => {
    options.onProgress?.({ total, done, ok: okMolecules, failed: failedMolecules, running });
  };
  let interrupted = false;
  const settings: PipelineSettings = {
    crest_timeout_min: batch.settings.crest_timeout_min,
    mopac_timeout_min: batch.settings.mopac_timeout_min,
    max_conformers: batch.settings.max_conformers,
    crest: options.crest,
    cores: options.cores,
    mopac_keywords: ['PRECISE'],
  };

  const runOne = async (mol: Molecule): Promise<void> => {
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
    const ended = (ok: boolean, base: Omit<MoleculeDetail, 'status' | 'retry_count'>) => {
      const retryCount = mol.retry_count + (ok ? 0 : 1);
      const status: ItemStatus = ok ? 'OK' : retryCount < mol.max_retries ? 'Rerun' : 'Skip';
      return { ok, status, detail: { ...base, status, retry_count: retryCount } };
    };
    let end = ended(outcome.ok, outcome.detail);
    // The detail file first: when it cannot be written, the molecule fails (and says why).
    try {
      writeDetail(campaign.paths, end.detail);
    } catch (error) {
      const message = `cannot write ${relative(campaign.paths.root, detailPath(campaign.paths, mol.mol_id))}: ${errorMessage(error)}`;
      end = ended(false, {
        ...outcome.detail,
        quality_grade: 'FAILED',
        issues: [...outcome.detail.issues, message],
        error_message: message,
      });
    }
    const { ok, status, detail } = end;
    store.setStatus(mol.mol_id, status, {
      phase: 'done',
      retry_count: detail.retry_count,
      last_error_message: ok ? null : detail.error_message,
      skip_reason: status === 'Skip' ? 'RETRIES_EXHAUSTED' : null,
      result: { detail, most_stable_hof_kcal_mol: detail.most_stable_hof },
    });
    done++;
    if (ok) okMolecules++;
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
    if (!ok) {
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
