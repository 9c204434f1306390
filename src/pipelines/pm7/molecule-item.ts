import type { Batch, NewBatch } from '../../store/batch-store.js';
import type { ItemCodec } from '../../store/item-store.js';
import type { Decoder } from '../../store/stored-json.js';
import { InfrastructureError } from '../../core/errors.js';
import type { MoleculeDetail } from './molecule-detail.js';

/** The PM7 pipeline's name in the store (`items.pipeline`, `batches.pipeline`). */
export const PM7_PIPELINE = 'pm7';

/**
 * A molecule of the dataset: the PM7 pipeline's item payload (`items.payload_json`).
 *
 * - smiles, charge (e), multiplicity (2S+1): as imported.
 * - nheavy, nrotbonds, tpsa (Å²), aromatic_rings, has_heteroatoms: RDKit descriptors; null for
 *   an invalid SMILES, and while `descriptors_error` is set.
 * - reference: the dataset file's other columns, name → text (e.g. H298_cbs), in file order.
 * - descriptors_error: set when RDKit itself broke on this molecule (not an invalid SMILES):
 *   the molecule stays Pending and its descriptors are computed again before the next batch.
 */
export interface MoleculePayload {
  readonly smiles: string;
  readonly charge: number;
  readonly multiplicity: number;
  readonly nheavy: number | null;
  readonly nrotbonds: number | null;
  readonly tpsa: number | null;
  readonly aromatic_rings: number | null;
  readonly has_heteroatoms: boolean | null;
  readonly reference: Readonly<Record<string, string>>;
  readonly descriptors_error: string | null;
}

/**
 * What the pipeline made of a molecule (`items.result_json`): the detail of its last attempt
 * (molecule-detail.ts) and its most stable heat of formation (kcal/mol), kept apart from the
 * detail for statistics.
 */
export interface MoleculeResult {
  readonly most_stable_hof_kcal_mol: number | null;
  readonly detail: MoleculeDetail | null;
}

/** The PM7 settings of a batch (`batches.settings_json`). */
export interface Pm7BatchSettings {
  /** Conformer-search budget per molecule, minutes (--crest-timeout). */
  readonly crest_timeout_min: number;
  /** MOPAC budget per molecule, shared by its conformers, minutes (--mopac-timeout). */
  readonly mopac_timeout_min: number;
  readonly max_conformers: number;
  /**
   * Seed of Open Babel's 3D builder and conformer search (--obabel-seed); absent in batches
   * made before it existed, which run with the engine's default seed.
   */
  readonly obabel_seed?: number;
  /**
   * Whether the built-in search adds conformers from GFN-FF dynamics (md-sampling.ts;
   * --no-dynamics turns it off); absent means on. Batches made before it existed ran without.
   */
  readonly dynamics?: boolean;
}

/** Whether a batch's search runs the GFN-FF dynamics: on unless the batch says `false`. */
export function runsDynamics(settings: Pm7BatchSettings): boolean {
  return settings.dynamics ?? true;
}

export type Pm7Batch = Batch<Pm7BatchSettings>;
export type NewPm7Batch = NewBatch<Pm7BatchSettings>;

function objectOf<T>(what: string): Decoder<T> {
  return (value: unknown): T => {
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw new InfrastructureError(`expected a JSON object for ${what}`, { retryable: false });
    return value as T;
  };
}

const decodePayload = objectOf<MoleculePayload>('a molecule');
const decodeResult = objectOf<MoleculeResult>('a molecule result');

export const MOLECULE_CODEC: ItemCodec<MoleculePayload, MoleculeResult> = {
  pipeline: PM7_PIPELINE,
  payload: (value) => {
    const p = decodePayload(value);
    return { ...p, reference: textFields(p.reference) };
  },
  result: decodeResult,
};

export const decodePm7Settings = objectOf<Pm7BatchSettings>('PM7 batch settings');

/** A reference object as name → text, whatever JSON types an older store put in it. */
function textFields(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}
