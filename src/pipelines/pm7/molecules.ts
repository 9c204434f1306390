import type { BatchStatus } from '../../core/batch-status.js';
import type { ItemStatus, SkipReason } from '../../core/item-status.js';
import type { Campaign } from '../../runtime/campaign.js';
import { selectItems, type ItemSummary } from '../../runtime/scheduling/strategies.js';
import type { PipelineBatches } from '../../store/batch-store.js';
import type { Decoder } from '../../store/stored-json.js';
import type { Candidate, Fact, Item, PipelineItems, StatusCounts } from '../../store/item-store.js';
import type { MoleculeDetail } from './molecule-detail.js';
import {
  decodePm7Settings,
  MOLECULE_CODEC,
  PM7_PIPELINE,
  type MoleculePayload,
  type MoleculeResult,
  type NewPm7Batch,
  type Pm7Batch,
  type Pm7BatchSettings,
} from './molecule-item.js';

/**
 * A molecule of the dataset as the PM7 pipeline and its exports see it: the generic item's
 * bookkeeping (status, retries, batch …) with the payload and result fields flattened
 * (molecule-item.ts documents them).
 */
export interface Molecule extends MoleculePayload {
  readonly mol_id: string;
  readonly seq: number;
  readonly status: ItemStatus;
  readonly skip_reason: string | null;
  readonly phase: string;
  readonly priority: number;
  readonly retry_count: number;
  readonly max_retries: number;
  readonly last_error_message: string | null;
  readonly batch_id: string | null;
  readonly batch_order: number | null;
  /** The last attempt's detail; null when it never ran (or after a reset). */
  readonly detail: MoleculeDetail | null;
  readonly most_stable_hof_kcal_mol: number | null;
  readonly updated_at: string;
}

/**
 * A molecule as the import hands it over. Invalid SMILES arrive as `Skip`/INVALID_SMILES, with
 * the reason in `last_error_message` and a detail saying so.
 */
export interface NewMolecule extends Omit<MoleculePayload, 'descriptors_error'> {
  readonly mol_id: string;
  readonly status: 'Pending' | 'Skip';
  readonly skip_reason: SkipReason | null;
  readonly descriptors_error?: string | null;
  readonly last_error_message?: string | null;
  readonly detail?: MoleculeDetail | null;
}

/** Fields that change together with a molecule's status; those not given keep their value. */
export interface MoleculeUpdate {
  readonly phase?: string;
  readonly retry_count?: number;
  readonly last_error_message?: string | null;
  readonly skip_reason?: string | null;
  readonly payload?: MoleculePayload;
  readonly result?: MoleculeResult | null;
}

/** The programs a molecule's pipeline runs, for the cost model of `longest_first`. */
const PM7_PROGRAMS = ['obabel', 'xtb', 'mopac'] as const;

/**
 * The PM7 pipeline's molecules and batches in a campaign's store (its items of pipeline `pm7`).
 */
export class MoleculeStore {
  private readonly items: PipelineItems<MoleculePayload, MoleculeResult>;
  private readonly batchStore: PipelineBatches<Pm7BatchSettings>;

  constructor(campaign: Campaign) {
    this.items = campaign.items.of(MOLECULE_CODEC);
    this.batchStore = campaign.batches.of(PM7_PIPELINE, decodePm7Settings);
  }

  get(molId: string): Molecule | undefined {
    const item = this.items.get(molId);
    return item === undefined ? undefined : toMolecule(item);
  }

  /** Every molecule in import order. */
  all(): Molecule[] {
    return this.items.all().map(toMolecule);
  }

  ofBatch(batchId: string): Molecule[] {
    return this.items.ofBatch(batchId).map(toMolecule);
  }

  /**
   * Adds a dataset's molecules and its facts in one transaction, after the ones already
   * there. Refuses the whole import (writing nothing) when an id is already in the store;
   * returns the ids found twice.
   */
  insertMany(
    molecules: readonly NewMolecule[],
    facts: Readonly<Record<string, Fact>> = {},
  ): { readonly duplicates: readonly string[] } {
    return this.items.add(
      molecules.map(({ mol_id, status, skip_reason, last_error_message, detail, ...payload }) => ({
        item_id: mol_id,
        status,
        skip_reason,
        last_error_message: last_error_message ?? null,
        result:
          detail === undefined || detail === null
            ? null
            : { detail, most_stable_hof_kcal_mol: detail.most_stable_hof },
        payload: { ...payload, descriptors_error: payload.descriptors_error ?? null },
      })),
      facts,
    );
  }

  setStatus(molId: string, status: ItemStatus, update: MoleculeUpdate = {}): void {
    this.items.setStatus(molId, status, update);
  }

  setPhase(molId: string, phase: string): void {
    this.items.setPhase(molId, phase);
  }

  counts(): StatusCounts {
    return this.items.counts();
  }

  countsByBatch(): Map<string, StatusCounts> {
    return this.items.countsByBatch();
  }

  /** The ids the strategy would select now, without selecting them. */
  choose(strategy: NewPm7Batch['strategy'], size: number, seed: number | null): string[] {
    return selectItems(this.items.candidates().map(summary), strategy, size, seed);
  }

  /**
   * Creates a batch and selects its molecules (runtime/scheduling strategies) in one
   * transaction: they become `To run` with the batch id, their place in it and its max_retries.
   */
  /**
   * A new batch chosen by its strategy among the Pending and Rerun molecules, or among `only`
   * of them when given (`batch run --molecules`).
   */
  createBatch(
    batch: NewPm7Batch,
    only?: ReadonlySet<string>,
  ): {
    readonly batch: Pm7Batch;
    readonly molecules: readonly Molecule[];
  } {
    const created = this.items.createBatch(this.batchStore, batch, (candidates) =>
      selectItems(
        (only === undefined ? candidates : candidates.filter((c) => only.has(c.item_id))).map(
          summary,
        ),
        batch.strategy,
        batch.size,
        batch.seed,
      ),
    );
    return { batch: created.batch, molecules: created.items.map(toMolecule) };
  }

  batch(batchId: string): Pm7Batch | undefined {
    return this.batchStore.get(batchId);
  }

  batches(): Pm7Batch[] {
    return this.batchStore.all();
  }

  /** The batch that is Running (being run, or left by a runner that died), if any. */
  runningBatch(): Pm7Batch | undefined {
    return this.batchStore.running();
  }

  setBatchStatus(batchId: string, status: BatchStatus): void {
    this.batchStore.setStatus(batchId, status);
  }

  /** Stores the summary of the batch's last run (exports/summary.ts BatchSummaryData). */
  setBatchSummary(batchId: string, summary: object): void {
    this.batchStore.setSummary(batchId, summary);
  }

  /** The stored summary of the batch's last run, decoded; undefined when none was stored. */
  batchSummary<T>(batchId: string, decode: Decoder<T>): T | undefined {
    return this.batchStore.summary(batchId, decode);
  }

  /** Molecules of the batch left Running by an interrupted run go back to To run. */
  returnInterrupted(batchId: string): number {
    return this.items.returnInterrupted(batchId);
  }

  /** Molecules back in the queue at the user's request (store/item-store.ts requeue). */
  requeue(molIds: readonly string[]): number {
    return this.items.requeue(molIds);
  }

  /** The all_or_nothing reset (store/item-store.ts resetBatch). */
  resetBatch(batchId: string): { readonly ok: number; readonly notRun: number } {
    return this.items.resetBatch(this.batchStore, batchId);
  }

  /** A fact about the dataset (import-dataset.ts lists them). */
  fact(key: string): string | undefined {
    return this.items.fact(key);
  }

  /** A list fact about the dataset (the reference columns in file order). */
  factList(key: string): readonly string[] | undefined {
    return this.items.factList(key);
  }

  setFact(key: string, value: string): void {
    this.items.setFact(key, value);
  }
}

/** The PM7 molecules of an open campaign. */
export function moleculesOf(campaign: Campaign): MoleculeStore {
  return new MoleculeStore(campaign);
}

function summary(c: Candidate<MoleculePayload>): ItemSummary {
  return {
    item_id: c.item_id,
    seq: c.seq,
    status: c.status,
    priority: c.priority,
    heavy_atoms: c.payload.nheavy,
    rotatable_bonds: c.payload.nrotbonds,
    programs: PM7_PROGRAMS,
  };
}

function toMolecule(item: Item<MoleculePayload, MoleculeResult>): Molecule {
  const { item_id, payload, result, pipeline: _pipeline, ...rest } = item;
  return {
    mol_id: item_id,
    ...payload,
    ...rest,
    detail: result?.detail ?? null,
    most_stable_hof_kcal_mol: result?.most_stable_hof_kcal_mol ?? null,
  };
}
