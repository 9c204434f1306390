import { relative } from 'node:path';
import type { CalcSpec } from '../../core/calc-spec.js';
import { errorMessage, InputError } from '../../core/errors.js';
import { SkipReason, type ItemStatus } from '../../core/item-status.js';
import type { Campaign } from '../../runtime/campaign.js';
import { DEFAULT_OBABEL_SEED } from '../../engines/obabel/seed.js';
import type { CalcRunner } from '../../runtime/calc-request.js';
import { detailPath, writeDetail } from './exports/details.js';
import { issue, notRunDetail, type PipelineDetail } from './molecule-detail.js';
import { runsDynamics, type Pm7Batch } from './molecule-item.js';
import {
  runMoleculePipeline,
  type PipelineOutcome,
  type PipelineSettings,
} from './molecule-pipeline.js';
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
 * A molecule whose calc is refused for its own stated input (an InputError about
 * `molecule…`: a charge or multiplicity its SMILES contradicts) ends Skip (INVALID_INPUT) at
 * once, with the refusal as its error: no retry can change it, and the batch goes on.
 * The detail's times used (actual_crest/mopac_timeout_used_min) are the durations of the
 * attempts behind the calcs the molecule asked for in its conformer and MOPAC phases.
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
    obabel_seed: batch.settings.obabel_seed ?? DEFAULT_OBABEL_SEED,
    dynamics: runsDynamics(batch.settings),
  };

  const runOne = async (mol: Molecule): Promise<void> => {
    store.setStatus(mol.mol_id, 'Running', { phase: 'geometry' });
    running++;
    options.onChange();
    progress();
    const startedAt = new Date().toISOString();
    // Calc keys the molecule asked for, by the phase that asked: the times used come from them.
    let phase = 'geometry';
    const keysByPhase = new Map<string, Set<string>>();
    const request = async (spec: CalcSpec) => {
      const asked = await runner.request(spec, mol.mol_id);
      const keys = keysByPhase.get(phase) ?? new Set<string>();
      keys.add(asked.key);
      keysByPhase.set(phase, keys);
      return asked;
    };
    let outcome: PipelineOutcome;
    let invalidInput = false;
    try {
      outcome = await runMoleculePipeline(mol, settings, request, campaign.paths, (p) => {
        phase = p;
        store.setPhase(mol.mol_id, p);
      });
    } catch (error) {
      if (!(error instanceof InputError) || !(error.where ?? '').startsWith('molecule'))
        throw error;
      invalidInput = true;
      outcome = {
        interrupted: false,
        ok: false,
        detail: notRunDetail(mol, {
          code: 'INVALID_INPUT',
          message: `refused: ${error.message}`,
          batch_id: batch.batch_id,
          method: settings.crest ? 'crest' : 'builtin',
          crest_timeout_min: settings.crest_timeout_min,
          mopac_timeout_min: settings.mopac_timeout_min,
          started_at: startedAt,
        }),
      };
    }
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
    const used = {
      actual_crest_timeout_used_min: minutesUsed(campaign, keysByPhase.get('conformers')),
      actual_mopac_timeout_used_min: minutesUsed(campaign, keysByPhase.get('mopac')),
    };
    const ended = (ok: boolean, base: PipelineDetail) => {
      const retryCount = mol.retry_count + (ok ? 0 : 1);
      const status: ItemStatus = ok
        ? 'OK'
        : !invalidInput && retryCount < mol.max_retries
          ? 'Rerun'
          : 'Skip';
      return { ok, status, detail: { ...base, ...used, status, retry_count: retryCount } };
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
        issues: [...outcome.detail.issues, issue('FILE_WRITE_FAILED', message)],
        error_message: message,
      });
    }
    const { ok, status, detail } = end;
    store.setStatus(mol.mol_id, status, {
      phase: 'done',
      retry_count: detail.retry_count,
      last_error_message: ok ? null : detail.error_message,
      skip_reason:
        status !== 'Skip'
          ? null
          : invalidInput
            ? SkipReason.INVALID_INPUT
            : SkipReason.RETRIES_EXHAUSTED,
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
        if (queue.length > 0) {
          interrupted = true;
          runner.workLeft();
        }
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

/** Minutes the attempts behind `keys` took (the latest attempt of each calc). */
function minutesUsed(campaign: Campaign, keys: ReadonlySet<string> | undefined): number {
  let seconds = 0;
  for (const key of keys ?? []) seconds += campaign.calcs.latestAttempt(key)?.durationS ?? 0;
  return Math.round((seconds / 60) * 1e6) / 1e6;
}
