import { relative } from 'node:path';
import { describeChanges, smilesGraphChanges } from '../../chem/bond-graph.js';
import { loadRdkit } from '../../chem/descriptors.js';
import type { Atom } from '../../chem/molecule.js';
import { smilesAtoms } from '../../chem/smiles-atoms.js';
import { XH_REFINEMENT_ROTAMERS, xhRotamers } from '../../chem/xh-rotors.js';
import { calcWorkdir, type CampaignPaths } from '../../core/campaign-layout.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import type { Failure } from '../../core/failure.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import { searchConformers, type ConformerSearchOutcome } from './conformer-search.js';
import {
  decision,
  issue,
  mopacFailure,
  mopacHof,
  outcomeDecisions,
  type ConformerDetail,
  type ConformerSearchDetail,
  type Decision,
  type Issue,
  type PipelineDetail,
  type TopologyRejection,
} from './molecule-detail.js';
import { MoleculeFileError } from './molecule-file-error.js';
import { atomsFromJson } from './result-geometry.js';
import { conformerCount } from './select-conformers.js';

/** What one molecule brings to the pipeline. */
export interface PipelineMolecule {
  readonly mol_id: string;
  readonly smiles: string;
  readonly charge: number;
  readonly multiplicity: number;
  readonly nrotbonds: number | null;
  readonly batch_id: string | null;
}

/** The batch settings that shape one molecule's run. */
export interface PipelineSettings {
  /** Budget of the conformer search, minutes (--crest-timeout). */
  readonly crest_timeout_min: number;
  /** Budget of all MOPAC calcs of the molecule together, minutes (--mopac-timeout). */
  readonly mopac_timeout_min: number;
  readonly max_conformers: number;
  /** Use `crest` (found on PATH) rather than the built-in search. */
  readonly crest: boolean;
  /** Cores per calc. */
  readonly cores: number;
  /** MOPAC keywords besides PM7 and charge/multiplicity. */
  readonly mopac_keywords: readonly string[];
  /** Seed of Open Babel's 3D builder and conformer search (part of their calc keys). */
  readonly obabel_seed: number;
  /** Add the conformers of GFN-FF dynamics to the built-in search's (md-sampling.ts). */
  readonly dynamics: boolean;
}

/**
 * How one molecule's run ended: `interrupted` when the run stopped before it was done (the
 * molecule goes back to To run; its finished calcs stay cached), otherwise the detail record
 * (without status and retry count, which the batch decides) and whether any conformer has a
 * heat of formation.
 */
export type PipelineOutcome =
  | { readonly interrupted: true }
  | {
      readonly interrupted: false;
      readonly ok: boolean;
      readonly detail: PipelineDetail;
    };

/** Walltime of the SMILES → 3D step, seconds. */
const GEOMETRY_WALLTIME_S = 300;

/** How the conformer search begins the text of an issue about conformers bonded otherwise. */
const TOPOLOGY_PREFIX = 'TOPOLOGY_CHANGED: ';
/** No MOPAC calc is given less than this, seconds, however little budget is left. */
const MIN_MOPAC_WALLTIME_S = 5;

/**
 * The PM7 pipeline of one molecule: 3D geometry from the SMILES (checked against the SMILES'
 * bonds: a start bonded otherwise fails the molecule), a conformer ensemble (CREST or the
 * built-in search; conformers whose bonds changed are dropped), the number of conformers from
 * the rotatable bonds, a MOPAC `PM7 PRECISE` optimisation of each (sequentially, sharing the
 * molecule's MOPAC budget: each gets what is left divided by the conformers left; one whose
 * optimised bonds changed fails as `topology_changed`), then the X–H rotamers of the most
 * stable result (chem/xh-rotors.ts: its OH, NH2 and COOH turned, every combination up to
 * {@link XH_REFINEMENT_ROTAMERS}) optimised the same way with what is left of the budget, and
 * the heats of formation summarised. The rotamers are conformers of the detail
 * (`search_status` `XH_ROTAMER`); a failed one is recorded there but is not an issue, since
 * every conformer the search chose was done. Every geometry refused for its bonds is in the detail's `topology_rejections`. Every calc
 * goes through `request`, so nothing is computed twice and a resumed molecule picks up its
 * finished calcs from the store.
 */
export async function runMoleculePipeline(
  mol: PipelineMolecule,
  settings: PipelineSettings,
  request: RequestCalc,
  paths: CampaignPaths,
  setPhase: (phase: string) => void,
): Promise<PipelineOutcome> {
  const startedAt = new Date();
  const issues: Issue[] = [];
  const rejections: TopologyRejection[] = [];
  const decisions: Decision[] = [];
  const decide = (name: string, reason: string, confidence: number): void => {
    decisions.push(decision(name, reason, confidence));
  };
  const finish = (
    search: ConformerSearchDetail,
    conformers: ConformerDetail[],
    outcomes: readonly Decision[],
    error: string | null,
  ): PipelineOutcome => {
    decisions.push(...outcomes);
    const hofs = conformers
      .flatMap((c) => (c.is_successful && c.energy_hof !== null ? [c.energy_hof] : []))
      .sort((a, b) => a - b);
    const delta = (n: number): number | null => {
      const e = hofs[n - 1];
      const e1 = hofs[0];
      return e === undefined || e1 === undefined ? null : round(e - e1);
    };
    const ok = hofs.length > 0;
    const endedAt = new Date();
    return {
      interrupted: false,
      ok,
      detail: {
        mol_id: mol.mol_id,
        smiles: mol.smiles,
        charge: mol.charge,
        multiplicity: mol.multiplicity,
        batch_id: mol.batch_id,
        conformer_search: search,
        num_conformers_selected: conformers.filter((c) => c.search_status !== 'XH_ROTAMER').length,
        conformers,
        most_stable_hof: hofs[0] ?? null,
        delta_e_12: delta(2),
        delta_e_13: delta(3),
        delta_e_15: delta(5),
        quality_grade: !ok ? 'FAILED' : issues.length === 0 ? 'A' : issues.length === 1 ? 'B' : 'C',
        issues,
        topology_rejections: rejections,
        decisions,
        error_message: ok ? null : (error ?? 'no conformer gave a heat of formation'),
        total_execution_time_s: round((endedAt.getTime() - startedAt.getTime()) / 1000),
        mopac_timeout_min: settings.mopac_timeout_min,
        started_at: startedAt.toISOString(),
        ended_at: endedAt.toISOString(),
      },
    };
  };

  // 1. Start geometry.
  setPhase('geometry');
  const gen3d = await request({
    program: 'obabel',
    task: 'gen3d',
    molecule: { smiles: mol.smiles, charge: mol.charge, multiplicity: mol.multiplicity },
    options: { seed: settings.obabel_seed },
    resources: { cores: 1, walltime_s: GEOMETRY_WALLTIME_S },
    label: `${mol.mol_id} 3D`,
  });
  const notAttempted: ConformerSearchDetail = {
    method: settings.crest ? 'crest' : 'builtin',
    status: 'NOT_ATTEMPTED',
    conformers_generated: 0,
    time_s: 0,
    error: null,
    output_directory: null,
    ensemble_file: null,
    timeout_min: settings.crest_timeout_min,
    timeout_used_min: 0,
  };
  if (gen3d.status === 'not_run') return { interrupted: true };
  if (gen3d.status === 'failed') {
    issues.push(
      issue('GEOMETRY_3D_FAILED', `3D geometry from the SMILES failed: ${gen3d.failure.message}`),
    );
    return finish(notAttempted, [], [], `3D geometry: ${gen3d.failure.message}`);
  }
  const start = gen3d.result.geometry as unknown as Atom[];
  // The start must be the SMILES' molecule: every later geometry is checked against it.
  const stated = await smilesAtoms(await loadRdkit(), mol.smiles);
  const startChanges = stated === undefined ? [] : smilesGraphChanges(stated.graph, start);
  if (stated === undefined) {
    decide(
      'the 3D start geometry is not checked against the SMILES',
      'RDKit cannot read the SMILES',
      0.5,
    );
  } else if (startChanges.length > 0) {
    const what = `the Open Babel 3D start is bonded otherwise than the SMILES: ${describeChanges(startChanges)}`;
    rejections.push({
      code: 'TOPOLOGY_CHANGED',
      check: 'start_vs_smiles',
      conformer: null,
      changes: startChanges,
    });
    issues.push(issue('TOPOLOGY_CHANGED', what));
    return finish(notAttempted, [], [], `topology_changed: ${what}`);
  }

  // 2. Conformer ensemble.
  setPhase('conformers');
  decide(
    settings.crest
      ? 'conformer search: CREST'
      : 'conformer search: built-in (Open Babel + GFN2-xTB)',
    settings.crest
      ? 'a crest executable is on PATH'
      : 'no crest executable on PATH; the built-in search needs only Debian programs',
    1,
  );
  decide(
    'used_fixed_crest_timeout',
    `the batch's conformer-search budget: ${settings.crest_timeout_min} min`,
    1,
  );
  let search: ConformerSearchOutcome;
  try {
    search = await searchConformers(
      { molId: mol.mol_id, atoms: start, charge: mol.charge, multiplicity: mol.multiplicity },
      {
        crest: settings.crest,
        budget_s: settings.crest_timeout_min * 60,
        cores: settings.cores,
        seed: settings.obabel_seed,
        ...(settings.dynamics ? {} : { md_snapshots: 0 }),
      },
      request,
      paths,
    );
  } catch (error) {
    // Its ensemble file could not be written: this molecule fails, the batch goes on.
    if (!(error instanceof MoleculeFileError)) throw error;
    issues.push(issue('FILE_WRITE_FAILED', error.message));
    return finish(
      { ...notAttempted, status: 'FAILED', error: error.message },
      [],
      [],
      error.message,
    );
  }
  if (search.interrupted) return { interrupted: true };
  issues.push(
    ...search.issues.map((text) =>
      text.startsWith(TOPOLOGY_PREFIX)
        ? issue('TOPOLOGY_CHANGED', text.slice(TOPOLOGY_PREFIX.length))
        : issue('CONFORMER_SEARCH', text),
    ),
  );
  decisions.push(...search.decisions);
  rejections.push(...search.topology_rejections);
  let ensemble: { geometry: readonly Atom[]; energy_hartree: number | null; fallback: boolean }[] =
    search.conformers.map((c) => ({ ...c, fallback: false }));
  if (ensemble.length === 0) {
    issues.push(
      issue(
        'NO_CONFORMERS',
        `conformer search ${search.detail.status.toLowerCase()}${search.detail.error === null ? '' : ` (${search.detail.error})`}: used the start geometry`,
      ),
    );
    decide(
      'use the Open Babel start geometry as the only conformer',
      'the conformer search returned no conformer',
      0.5,
    );
    ensemble = [{ geometry: start, energy_hartree: null, fallback: true }];
  }

  // 3. How many conformers go to MOPAC.
  const chosen = conformerCount(
    mol.nrotbonds ?? 0,
    ensemble.length,
    undefined,
    settings.max_conformers,
  );
  decisions.push(chosen.decision);
  const selected = ensemble.slice(0, chosen.count);

  // 4. MOPAC PM7 of each, sharing the budget.
  setPhase('mopac');
  const conformers: ConformerDetail[] = [];
  let remainingS = settings.mopac_timeout_min * 60;
  /** One MOPAC optimisation with its share of what is left of the budget; null when interrupted. */
  const optimise = async (
    geometry: readonly Atom[],
    index: number,
    left: number,
    label: string,
    from: Pick<ConformerDetail, 'search_status' | 'search_energy_hartree' | 'geometry_file'>,
  ): Promise<{ detail: ConformerDetail; failure: Failure | null; geometry: Atom[] } | null> => {
    const walltime = Math.max(MIN_MOPAC_WALLTIME_S, Math.floor(remainingS / left));
    const spec: CalcSpec = {
      program: 'mopac',
      task: 'optimize',
      method: 'PM7',
      keywords: settings.mopac_keywords,
      molecule: { atoms: geometry, charge: mol.charge, multiplicity: mol.multiplicity },
      resources: { cores: settings.cores, walltime_s: walltime },
      label,
    };
    const began = Date.now();
    const outcome = await request(spec);
    const elapsed = (Date.now() - began) / 1000;
    remainingS = Math.max(0, remainingS - elapsed);
    if (outcome.status === 'not_run') return null;
    const dir = calcWorkdir(paths, outcome.key);
    const base = {
      index,
      ...from,
      mopac_calc_key: outcome.key,
      mopac_output_file: relative(paths.root, `${dir}/input.out`),
      execution_time_s: round(elapsed),
      timeout_used_min: round(walltime / 60),
    };
    if (outcome.status === 'succeeded') {
      const hof = mopacHof(outcome.result);
      return {
        detail: {
          ...base,
          mopac_status: 'SUCCESS',
          error_message: null,
          ...hof,
          is_successful: hof.energy_hof !== null,
        },
        failure: null,
        geometry: atomsFromJson(outcome.result.geometry, geometry) ?? [],
      };
    }
    const failed = mopacFailure(index, outcome.failure);
    if (outcome.failure.class === 'topology_changed') {
      rejections.push({
        code: 'TOPOLOGY_CHANGED',
        check: 'mopac_vs_input',
        conformer: index,
        changes: [outcome.failure.message],
      });
    }
    return {
      detail: {
        ...base,
        mopac_status: failed.mopac_status,
        error_message: failed.error_message,
        energy_hof: null,
        hof_confidence: null,
        hof_extraction_method: null,
        is_successful: false,
      },
      failure: outcome.failure,
      geometry: [],
    };
  };
  const optimised: { readonly hof: number; readonly geometry: Atom[] }[] = [];
  for (const [i, conformer] of selected.entries()) {
    const done = await optimise(
      conformer.geometry,
      i + 1,
      selected.length - i,
      `${mol.mol_id} conformer ${i + 1}`,
      {
        search_status: conformer.fallback ? 'FALLBACK' : 'OK',
        search_energy_hartree: conformer.energy_hartree,
        geometry_file: search.detail.ensemble_file,
      },
    );
    if (done === null) return { interrupted: true };
    conformers.push(done.detail);
    if (done.failure !== null) issues.push(mopacFailure(i + 1, done.failure).issue);
    if (done.detail.energy_hof !== null && done.geometry.length > 0) {
      optimised.push({ hof: done.detail.energy_hof, geometry: done.geometry });
    }
  }
  const outcomes = outcomeDecisions(conformers);
  const lastError =
    [...conformers].reverse().find((c) => c.error_message !== null)?.error_message ?? null;

  // 5. The X–H rotamers of the most stable PM7 conformer, in PM7 too.
  const lowest = optimised.sort((a, b) => a.hof - b.hof)[0];
  const rotamers =
    lowest === undefined
      ? []
      : xhRotamers(lowest.geometry, XH_REFINEMENT_ROTAMERS).filter(
          (rotamer) => !rotamer.every((atom, i) => atom === lowest.geometry[i]),
        );
  if (rotamers.length > 0) {
    decide(
      `optimise ${rotamers.length} X–H rotamers of the most stable conformer in PM7`,
      'GFN2-xTB and PM7 rank the orientations of OH, NH2 and COOH groups differently, and the search sends few of them to MOPAC',
      1,
    );
  }
  for (const [r, rotamer] of rotamers.entries()) {
    const index = selected.length + r + 1;
    const done = await optimise(
      rotamer,
      index,
      rotamers.length - r,
      `${mol.mol_id} X–H rotamer ${r + 1}`,
      { search_status: 'XH_ROTAMER', search_energy_hartree: null, geometry_file: null },
    );
    if (done === null) return { interrupted: true };
    conformers.push(done.detail);
  }
  return finish(search.detail, conformers, outcomes, lastError);
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
