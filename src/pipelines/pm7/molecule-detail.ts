/**
 * What the PM7 pipeline did for one molecule: stored as `molecules.detail_json`, written as
 * `details/<mol_id>.json`, and the source of the tracking CSV's per-molecule columns.
 * Units: energies in kcal/mol (`hof`, `delta_e_*`) or hartree where named, times in seconds
 * (`*_s`), timeouts in minutes (`*_min`). Paths are relative to the campaign directory.
 */
export interface MoleculeDetail {
  readonly mol_id: string;
  readonly smiles: string;
  readonly charge: number;
  readonly multiplicity: number;
  readonly batch_id: string | null;
  /** The molecule's status after this attempt (OK, Rerun, Skip). */
  readonly status: string;
  readonly retry_count: number;
  readonly conformer_search: ConformerSearchDetail;
  readonly num_conformers_selected: number;
  readonly conformers: readonly ConformerDetail[];
  /** Lowest PM7 heat of formation over the successful conformers, kcal/mol. */
  readonly most_stable_hof: number | null;
  /** E2−E1, E3−E1, E5−E1 over the successful conformers sorted by HOF; null when fewer. */
  readonly delta_e_12: number | null;
  readonly delta_e_13: number | null;
  readonly delta_e_15: number | null;
  /** A: no issue; B: one; C: two or more; FAILED: no successful conformer. */
  readonly quality_grade: 'A' | 'B' | 'C' | 'FAILED';
  readonly issues: readonly string[];
  /**
   * Geometries refused because their bonds are not the molecule's (issue TOPOLOGY_CHANGED);
   * absent in details written before the topology guard existed.
   */
  readonly topology_rejections?: readonly TopologyRejection[];
  readonly decisions: readonly Decision[];
  readonly error_message: string | null;
  readonly total_execution_time_s: number;
  /** The molecule's MOPAC budget (the batch's --mopac-timeout) and what its calcs were given. */
  readonly mopac_timeout_min: number;
  readonly actual_mopac_timeout_used_min: number;
  readonly started_at: string;
  readonly ended_at: string;
}

/** The conformer search of one molecule. */
export interface ConformerSearchDetail {
  /** `crest` when a crest executable was used, `builtin` (Open Babel + xtb) otherwise. */
  readonly method: 'crest' | 'builtin';
  readonly status: 'SUCCESS' | 'FAILED' | 'TIMEOUT' | 'NOT_ATTEMPTED';
  readonly conformers_generated: number;
  readonly time_s: number;
  readonly error: string | null;
  /** Calc directory of the search (crest run, or the Open Babel conformer calc). */
  readonly output_directory: string | null;
  /** The ensemble as an XYZ file (lowest energy first). */
  readonly ensemble_file: string | null;
  /** The budget (--crest-timeout) and the walltime actually given to the search. */
  readonly timeout_min: number;
  readonly timeout_used_min: number;
}

/** One conformer sent to (or meant for) MOPAC. */
export interface ConformerDetail {
  /** Rank in the ensemble, from 1 (lowest search energy). */
  readonly index: number;
  readonly search_status: 'OK' | 'FALLBACK';
  /** Energy from the conformer search (GFN2-xTB), hartree; null for a fallback geometry. */
  readonly search_energy_hartree: number | null;
  readonly geometry_file: string | null;
  readonly mopac_status: 'OK' | 'FAILED' | 'TIMEOUT' | 'NOT_RUN';
  readonly mopac_calc_key: string | null;
  readonly mopac_output_file: string | null;
  readonly execution_time_s: number | null;
  readonly timeout_used_min: number | null;
  readonly error_message: string | null;
  /** PM7 heat of formation, kcal/mol. */
  readonly energy_hof: number | null;
  readonly is_successful: boolean;
}

/**
 * A geometry whose bond graph (chem/bond-graph.ts) is not the molecule's, and which check found
 * it: `start_vs_smiles` (the Open Babel start against the SMILES: the molecule fails),
 * `search_vs_start` (a conformer after GFN2-xTB, or from CREST, against the start: dropped
 * before the energy window; `conformer` is its place in the search, from 1), `mopac_vs_input`
 * (MOPAC's optimised geometry against its input: that conformer failed, `conformer` is its
 * index). `changes` says what moved, naming atoms by element and 1-based position
 * (`H17 moved from C9 to O1`).
 */
export interface TopologyRejection {
  readonly code: 'TOPOLOGY_CHANGED';
  readonly check: 'start_vs_smiles' | 'search_vs_start' | 'mopac_vs_input';
  readonly conformer: number | null;
  readonly changes: readonly string[];
}

/** A choice the pipeline made, and why. `confidence` is 0–1. */
export interface Decision {
  readonly decision: string;
  readonly reason: string;
  readonly confidence: number;
  readonly timestamp: string;
}
