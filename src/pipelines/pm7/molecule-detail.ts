import type { Failure, FailureClass } from '../../core/failure.js';

/**
 * What the PM7 pipeline did for one molecule: stored in the molecule's item result
 * (molecule-item.ts), written as `details/<mol_id>.json`, and the source of the tracking CSV's
 * per-molecule columns. Units: energies in kcal/mol (`hof`, `delta_e_*`) or hartree where
 * named, times in seconds (`*_s`), timeouts and times used in minutes (`*_min`). Paths are
 * relative to the campaign directory.
 *
 * A molecule the pipeline could not run (an invalid SMILES, a charge or multiplicity its
 * SMILES contradicts) has a detail too: no conformer, `conformer_search.status`
 * `NOT_ATTEMPTED`, grade `FAILED`, the reason in `error_message` and as an issue.
 */
export interface MoleculeDetail {
  readonly mol_id: string;
  readonly smiles: string;
  readonly charge: number;
  readonly multiplicity: number;
  /** The batch of the attempt; null for a molecule refused at import. */
  readonly batch_id: string | null;
  /** The molecule's status after this attempt (OK, Rerun, Skip). */
  readonly status: string;
  readonly retry_count: number;
  readonly conformer_search: ConformerSearchDetail;
  /** Conformers the search chose for MOPAC (the X–H rotamers of step 5 not counted). */
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
  readonly issues: readonly Issue[];
  /**
   * Geometries refused because their bonds are not the molecule's (issue TOPOLOGY_CHANGED);
   * absent in details written before the topology guard existed.
   */
  readonly topology_rejections?: readonly TopologyRejection[];
  /**
   * Every choice made, in order. Besides the pipeline's own (which search, how many
   * conformers …), these named ones: `used_fixed_crest_timeout` (the conformer search got the
   * batch's fixed --crest-timeout, not a predicted one), `partial_success` (some conformers
   * failed in MOPAC, at least one succeeded: the molecule is OK from the rest),
   * `all_conformers_failed` (no conformer gave a heat of formation).
   */
  readonly decisions: readonly Decision[];
  readonly error_message: string | null;
  readonly total_execution_time_s: number;
  /** The molecule's MOPAC budget (the batch's --mopac-timeout); null when it never ran. */
  readonly mopac_timeout_min: number | null;
  /**
   * Time the molecule's conformer-search calcs and MOPAC calcs actually took, minutes: the sum
   * of the durations of the attempts that gave their outcomes (a calc answered from the store
   * counts the attempt that computed it). 0 when none ran.
   */
  readonly actual_crest_timeout_used_min: number;
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
  /**
   * The budget (--crest-timeout) and the walltime given to the search's calcs; the time they
   * actually took is MoleculeDetail.actual_crest_timeout_used_min. `timeout_min` is null when
   * the molecule never ran.
   */
  readonly timeout_min: number | null;
  readonly timeout_used_min: number;
}

/**
 * How a conformer's MOPAC run ended: `SUCCESS`, or the class of its failure (core/failure.ts):
 * `SCF_FAILED` (SCF did not converge), `OPT_NOT_CONVERGED`, `GEOMETRY_ERROR` (MOPAC rejected
 * the geometry), `CHARGE_SPIN_ERROR`, `INPUT_ERROR`, `TIMEOUT` (its share of the budget ran
 * out), `CRASHED` (died, or ended without a heat of formation), `OUTPUT_UNREADABLE`, `KILLED`,
 * `OUT_OF_MEMORY`, `LOST`, `CANCELLED`, `PROGRAM_MISSING`, `EXIT_NONZERO`, `TOPOLOGY_CHANGED` (the optimised geometry is bonded otherwise than its input).
 */
export const MOPAC_STATUS_OF_FAILURE = {
  scf_not_converged: 'SCF_FAILED',
  opt_not_converged: 'OPT_NOT_CONVERGED',
  geometry_error: 'GEOMETRY_ERROR',
  input_error: 'INPUT_ERROR',
  spin_charge: 'CHARGE_SPIN_ERROR',
  timeout: 'TIMEOUT',
  crash: 'CRASHED',
  killed: 'KILLED',
  parse_error: 'OUTPUT_UNREADABLE',
  program_missing: 'PROGRAM_MISSING',
  out_of_memory: 'OUT_OF_MEMORY',
  lost: 'LOST',
  cancelled: 'CANCELLED',
  exit_nonzero: 'EXIT_NONZERO',
  topology_changed: 'TOPOLOGY_CHANGED',
} as const satisfies Record<FailureClass, string>;

export type MopacStatus =
  'SUCCESS' | (typeof MOPAC_STATUS_OF_FAILURE)[keyof typeof MOPAC_STATUS_OF_FAILURE];

/**
 * How much the heat of formation can be trusted: `HIGH` when MOPAC's FINAL HEAT OF FORMATION
 * comes from an optimisation that ended on its gradient test (final gradient norm at most
 * {@link CONVERGED_GRADIENT_NORM}); `MEDIUM` when the optimisation stopped with a larger
 * gradient (another termination test, e.g. the heat-of-formation test, ended it: the geometry
 * may not be a stationary point). null when there is no heat of formation.
 */
export type HofConfidence = 'HIGH' | 'MEDIUM';

/** MOPAC's default gradient-norm criterion (GNORM), kcal/mol/Å. */
export const CONVERGED_GRADIENT_NORM = 1.0;

/** Where the heat of formation was read: MOPAC's `FINAL HEAT OF FORMATION` line (the only source). */
export type HofExtractionMethod = 'FINAL_HEAT_OF_FORMATION';

/**
 * One conformer sent to (or meant for) MOPAC: one the search chose (`search_status` `OK`, or
 * `FALLBACK` for the start geometry when the search gave none), or an X–H rotamer of the most
 * stable PM7 result (`XH_ROTAMER`), which come after the chosen ones.
 */
export interface ConformerDetail {
  /** Rank in the ensemble, from 1 (lowest search energy); the X–H rotamers follow. */
  readonly index: number;
  readonly search_status: 'OK' | 'FALLBACK' | 'XH_ROTAMER';
  /** Energy from the conformer search (GFN2-xTB), hartree; null for the others. */
  readonly search_energy_hartree: number | null;
  readonly geometry_file: string | null;
  readonly mopac_status: MopacStatus;
  readonly mopac_calc_key: string | null;
  readonly mopac_output_file: string | null;
  /** Wall time of the request (near 0 for a result answered from the store), seconds. */
  readonly execution_time_s: number | null;
  /** Walltime the MOPAC calc was given, minutes. */
  readonly timeout_used_min: number | null;
  readonly error_message: string | null;
  /** PM7 heat of formation, kcal/mol. */
  readonly energy_hof: number | null;
  readonly hof_confidence: HofConfidence | null;
  readonly hof_extraction_method: HofExtractionMethod | null;
  readonly is_successful: boolean;
}

/**
 * Something that lowers the confidence in a molecule's result (or explains its failure): a
 * code for machines and a sentence for people. The codes:
 *
 * | code | meaning |
 * |---|---|
 * | `INVALID_SMILES` | RDKit cannot read the SMILES (at import) |
 * | `INVALID_INPUT` | the stated charge or multiplicity contradicts the SMILES; nothing ran |
 * | `GEOMETRY_3D_FAILED` | no 3D start geometry from the SMILES |
 * | `CONFORMER_SEARCH` | a problem inside the conformer search (optimisations dropped, budget spent …) |
 * | `NO_CONFORMERS` | the search gave no conformer: the start geometry was used |
 * | `TOPOLOGY_CHANGED` | a geometry's bonds differ from the molecule's |
 * | `MOPAC_<status>` | a conformer's MOPAC run failed, with its MopacStatus: `MOPAC_SCF_FAILED`, `MOPAC_TIMEOUT`, `MOPAC_GEOMETRY_ERROR` … |
 * | `FILE_WRITE_FAILED` | a file of the molecule (detail, ensemble) could not be written |
 */
export interface Issue {
  readonly code: IssueCode;
  readonly message: string;
}

export type IssueCode =
  | 'INVALID_SMILES'
  | 'INVALID_INPUT'
  | 'GEOMETRY_3D_FAILED'
  | 'CONFORMER_SEARCH'
  | 'NO_CONFORMERS'
  | 'TOPOLOGY_CHANGED'
  | `MOPAC_${Exclude<MopacStatus, 'SUCCESS'>}`
  | 'FILE_WRITE_FAILED';

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

/** The detail as the molecule pipeline returns it: the batch adds status, retries and times used. */
export type PipelineDetail = Omit<
  MoleculeDetail,
  'status' | 'retry_count' | 'actual_crest_timeout_used_min' | 'actual_mopac_timeout_used_min'
>;

export function issue(code: IssueCode, message: string): Issue {
  return { code, message };
}

export function decision(name: string, reason: string, confidence: number): Decision {
  return { decision: name, reason, confidence, timestamp: new Date().toISOString() };
}

/** What a MOPAC failure makes of a conformer: its status, error text and issue. */
export function mopacFailure(
  index: number,
  failure: Failure,
): {
  readonly mopac_status: Exclude<MopacStatus, 'SUCCESS'>;
  readonly error_message: string;
  readonly issue: Issue;
} {
  const status = MOPAC_STATUS_OF_FAILURE[failure.class];
  return {
    mopac_status: status,
    error_message: `${failure.class}: ${failure.message}`,
    issue: issue(
      // A changed bond graph is the molecule's topology issue, whichever check found it.
      status === 'TOPOLOGY_CHANGED' ? status : `MOPAC_${status}`,
      `conformer ${index}: PM7 ${status}: ${failure.message}`,
    ),
  };
}

/**
 * The heat of formation of a successful MOPAC result (engines/mopac/parse.ts) with where it was
 * read and how far it can be trusted; all null when the result holds none.
 */
export function mopacHof(result: Readonly<Record<string, unknown>>): {
  readonly energy_hof: number | null;
  readonly hof_confidence: HofConfidence | null;
  readonly hof_extraction_method: HofExtractionMethod | null;
} {
  const hof = result.heat_of_formation_kcal_mol;
  if (typeof hof !== 'number' || !Number.isFinite(hof))
    return { energy_hof: null, hof_confidence: null, hof_extraction_method: null };
  const gnorm = result.gradient_norm_kcal_mol_angstrom;
  return {
    energy_hof: hof,
    hof_confidence:
      typeof gnorm === 'number' && gnorm > CONVERGED_GRADIENT_NORM ? 'MEDIUM' : 'HIGH',
    hof_extraction_method: 'FINAL_HEAT_OF_FORMATION',
  };
}

/** `partial_success` or `all_conformers_failed` when some or all conformers failed; else none. */
export function outcomeDecisions(conformers: readonly ConformerDetail[]): Decision[] {
  const ok = conformers.filter((c) => c.is_successful).length;
  const n = conformers.length;
  if (n === 0 || ok === n) return [];
  if (ok > 0) return [decision('partial_success', `${ok}/${n} conformers succeeded in MOPAC`, 0.6)];
  return [decision('all_conformers_failed', `${ok}/${n} conformers succeeded in MOPAC`, 1)];
}

/**
 * The detail of a molecule the pipeline could not run: refused at import (INVALID_SMILES), or
 * a calc of it refused for its stated input (INVALID_INPUT). Grade FAILED, no conformer, the
 * reason as its error and its only issue.
 */
export function notRunDetail(
  mol: {
    readonly mol_id: string;
    readonly smiles: string;
    readonly charge: number;
    readonly multiplicity: number;
  },
  why: {
    readonly code: IssueCode;
    readonly message: string;
    readonly batch_id: string | null;
    readonly method: ConformerSearchDetail['method'];
    readonly crest_timeout_min: number | null;
    readonly mopac_timeout_min: number | null;
    readonly started_at: string;
  },
): PipelineDetail {
  const ended = new Date();
  return {
    mol_id: mol.mol_id,
    smiles: mol.smiles,
    charge: mol.charge,
    multiplicity: mol.multiplicity,
    batch_id: why.batch_id,
    conformer_search: {
      method: why.method,
      status: 'NOT_ATTEMPTED',
      conformers_generated: 0,
      time_s: 0,
      error: null,
      output_directory: null,
      ensemble_file: null,
      timeout_min: why.crest_timeout_min,
      timeout_used_min: 0,
    },
    num_conformers_selected: 0,
    conformers: [],
    most_stable_hof: null,
    delta_e_12: null,
    delta_e_13: null,
    delta_e_15: null,
    quality_grade: 'FAILED',
    issues: [issue(why.code, why.message)],
    decisions: [],
    error_message: why.message,
    total_execution_time_s:
      Math.max(0, ended.getTime() - new Date(why.started_at).getTime()) / 1000,
    mopac_timeout_min: why.mopac_timeout_min,
    started_at: why.started_at,
    ended_at: ended.toISOString(),
  };
}
