import { accessSync, constants, mkdirSync, rmSync, statSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';
import { bondChanges, describeChanges } from '../../chem/bond-graph.js';
import type { Atom } from '../../chem/molecule.js';
import { principalMoments } from '../../chem/inertia.js';
import { rmsd } from '../../chem/rmsd.js';
import { nitrogenInvertomers } from '../../chem/nitrogen-inversions.js';
import { MAX_XH_ROTAMERS, xhRotamers } from '../../chem/xh-rotors.js';
import { formatXyz } from '../../chem/xyz.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { calcWorkdir, type CampaignPaths } from '../../core/campaign-layout.js';
import { InputError } from '../../core/errors.js';
import { itemFileName } from '../../core/item-file-name.js';
import type { Failure } from '../../core/failure.js';
import { DEFAULT_OBABEL_SEED } from '../../engines/obabel/seed.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import type { ConformerSearchDetail, Decision, TopologyRejection } from './molecule-detail.js';
import { writeMoleculeFile } from './molecule-file-error.js';
import { askCalc } from './ask-calc.js';
import { sampleByDynamics, worthDynamics } from './md-sampling.js';
import { atomsFromJson, geometriesFromJson, isRecord } from './result-geometry.js';

/** kcal/mol per hartree (CODATA 2018, as CREST and xtb use). */
export const KCAL_MOL_PER_HARTREE = 627.509474;

/** The molecule whose conformers are searched: a start geometry (Å), charge (e), 2S+1. */
export interface ConformerSearchInput {
  readonly molId: string;
  readonly atoms: readonly Atom[];
  readonly charge: number;
  readonly multiplicity: number;
}

/**
 * How to search:
 * - `crest`: use CREST (the caller decides, e.g. with {@link crestOnPath}); else the builtin
 *   search (Open Babel genetic conformers, each optimised with GFN2-xTB);
 * - `budget_s`: walltime of the whole search, seconds (CREST's walltime; shared out over the
 *   builtin search's calcs);
 * - `ewin_kcal_mol`: keep conformers at most this far above the lowest (default 6);
 * - `rmsd_threshold_angstrom`: builtin only: two conformers closer than this (heavy-atom RMSD
 *   after superposition) are one, the lower in energy is kept (default 0.125);
 * - `nconf`: builtin only: Open Babel conformers to generate (default 20);
 * - `cores`: cores of each CREST or xtb calc (default 1);
 * - `seed`: builtin only: seed of the Open Babel search and of the dynamics' start velocities
 *   (default: the engine's, seed.ts);
 * - `md_snapshots`: builtin only: snapshots of GFN-FF dynamics to optimise (md-sampling.ts;
 *   default 40; 0: no dynamics, Open Babel's conformers alone);
 * - `md_candidates`: builtin only: the lowest distinct of them added to Open Babel's
 *   conformers (default 15).
 */
export interface ConformerSearchOptions {
  readonly crest: boolean;
  readonly budget_s: number;
  readonly ewin_kcal_mol?: number;
  readonly rmsd_threshold_angstrom?: number;
  readonly nconf?: number;
  readonly cores?: number;
  readonly seed?: number;
  readonly md_snapshots?: number;
  readonly md_candidates?: number;
}

export const CONFORMER_SEARCH_DEFAULTS = {
  ewin_kcal_mol: 6,
  rmsd_threshold_angstrom: 0.125,
  nconf: 20,
  cores: 1,
  md_snapshots: 40,
  md_candidates: 15,
} as const;

/** One conformer of the ensemble: geometry (Å, the input's atom order) and GFN2-xTB energy. */
export interface SearchedConformer {
  readonly geometry: readonly Atom[];
  readonly energy_hartree: number;
}

/**
 * A search that ran to an end (successful or not). `conformers`: lowest energy first, every one
 * bonded as the start geometry; `topology_rejections`: the conformers dropped because their
 * bonds changed (check `search_vs_start`).
 */
export interface ConformerSearchResult {
  readonly interrupted: false;
  readonly detail: ConformerSearchDetail;
  readonly conformers: readonly SearchedConformer[];
  readonly issues: readonly string[];
  readonly decisions: readonly Decision[];
  readonly topology_rejections: readonly TopologyRejection[];
}

/**
 * The run is stopping and a calc of the search was not run: the molecule goes back to To run
 * (not failed); the next run repeats the search, answered from the store up to where it stopped.
 */
export interface ConformerSearchInterrupted {
  readonly interrupted: true;
  readonly reason: string;
}

export type ConformerSearchOutcome = ConformerSearchResult | ConformerSearchInterrupted;

/**
 * Where the ensemble of a molecule is written, relative to the campaign root: one file per
 * molecule, named by core/item-file-name.ts.
 */
export function ensembleFile(molId: string): string {
  return join('details', 'ensembles', `${itemFileName(molId)}.xyz`);
}

/**
 * True when an executable file named `crest` is in a directory of `path` (default: PATH).
 * Only looks at the file system; starts no process.
 */
export function crestOnPath(path: string | undefined = process.env.PATH): boolean {
  return (path ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    const file = join(dir, 'crest');
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * Conformers are one when their energies differ by at most this, kcal/mol, and their principal
 * moments of inertia by at most {@link EQUIVALENT_MOMENTS_TOLERANCE} (relative): CREST's CREGEN
 * thresholds (0.05 kcal/mol, 1 %).
 */
export const EQUIVALENT_ENERGY_TOLERANCE_KCAL_MOL = 0.05;
export const EQUIVALENT_MOMENTS_TOLERANCE = 0.01;

// An optimisation is started only with at least this much of the budget left, seconds.
const MIN_CALC_WALLTIME_S = 1;
// Share of the builtin budget Open Babel may use: it usually needs well under a second, but
// its genetic search took seconds on a loaded machine; if it hangs, half is left to optimise
// the start geometry.
const OBABEL_BUDGET_SHARE = 0.5;

interface Context {
  readonly input: ConformerSearchInput;
  readonly request: RequestCalc;
  readonly paths: CampaignPaths;
  readonly startedMs: number;
  readonly budgetS: number;
  readonly ewin: number;
  readonly rmsdThreshold: number;
  readonly nconf: number;
  readonly cores: number;
  readonly seed: number;
  readonly mdSnapshots: number;
  readonly mdCandidates: number;
  readonly issues: string[];
  readonly decisions: Decision[];
  readonly rejections: TopologyRejection[];
}

interface Ended {
  readonly method: ConformerSearchDetail['method'];
  readonly status: ConformerSearchDetail['status'];
  readonly conformers: readonly SearchedConformer[];
  readonly error: string | null;
  readonly outputKey: string | null;
  readonly walltimeS: number;
}

/**
 * The conformer ensemble of one molecule, by CREST (`options.crest`) or by the builtin search:
 *
 * 1. Open Babel `conformers` (genetic algorithm, `nconf`) from the start geometry, given at
 *    at most half of the budget; when it fails or finds nothing, the start geometry alone
 *    (recorded as an issue and a decision);
 * 2. each conformer's nitrogen invertomers and X–H rotamers (COOH syn/anti, OH and NH2
 *    orientations; see withVariants, bounded by maxCandidates), then, unless `md_snapshots` is
 *    0 or the molecule has fewer than 4 heavy atoms (worthDynamics), the `md_candidates`
 *    lowest GFN-FF minima of seeded GFN-FF dynamics (md-sampling.ts, given at most half of
 *    what is left of the budget), all optimised with xtb GFN2, one
 *    after another, each given the remaining budget
 *    divided by the conformers left; when the budget is spent the search stops (TIMEOUT) and
 *    keeps what was done; failed optimisations are dropped (one issue lists them);
 * 3. the energy window, then RMSD de-duplication (the lower-energy one of any pair closer than
 *    the threshold stays).
 *
 * The ensemble is written to `details/ensembles/<name>.xyz` (atomically; see ensembleFile); a
 * failure to write it throws MoleculeFileError. Calcs the store
 * already knows are answered from it, so a repeated search costs nothing. A calc the runner
 * did not run (the run is stopping) makes the whole search `{interrupted: true}`.
 * Throws only for invalid options (InputError) and for failures of the store or file system.
 */
export async function searchConformers(
  input: ConformerSearchInput,
  options: ConformerSearchOptions,
  request: RequestCalc,
  paths: CampaignPaths,
): Promise<ConformerSearchOutcome> {
  const ctx: Context = {
    input,
    request,
    paths,
    startedMs: Date.now(),
    budgetS: positive('budget_s', options.budget_s),
    ewin: positive(
      'ewin_kcal_mol',
      options.ewin_kcal_mol ?? CONFORMER_SEARCH_DEFAULTS.ewin_kcal_mol,
    ),
    rmsdThreshold: positive(
      'rmsd_threshold_angstrom',
      options.rmsd_threshold_angstrom ?? CONFORMER_SEARCH_DEFAULTS.rmsd_threshold_angstrom,
    ),
    nconf: positiveInteger('nconf', options.nconf ?? CONFORMER_SEARCH_DEFAULTS.nconf),
    cores: positiveInteger('cores', options.cores ?? CONFORMER_SEARCH_DEFAULTS.cores),
    seed: options.seed ?? DEFAULT_OBABEL_SEED,
    mdSnapshots: nonNegativeInteger(
      'md_snapshots',
      options.md_snapshots ?? CONFORMER_SEARCH_DEFAULTS.md_snapshots,
    ),
    mdCandidates: positiveInteger(
      'md_candidates',
      options.md_candidates ?? CONFORMER_SEARCH_DEFAULTS.md_candidates,
    ),
    issues: [],
    decisions: [],
    rejections: [],
  };
  const ended = options.crest ? await crestSearch(ctx) : await builtinSearch(ctx);
  if ('interrupted' in ended) return ended;

  const conformers = [...ended.conformers].sort((a, b) => a.energy_hartree - b.energy_hartree);
  const file = ensembleFile(input.molId);
  let ensemble: string | null = file;
  if (conformers.length > 0) {
    writeMoleculeFile(input.molId, file, () => {
      writeEnsemble(join(paths.root, file), input.molId, conformers, ended.method);
    });
  } else {
    // An ensemble left by an earlier search of this molecule is not this search's result.
    writeMoleculeFile(input.molId, file, () => {
      rmSync(join(paths.root, file), { force: true });
    });
    ensemble = null;
  }
  const detail: ConformerSearchDetail = {
    method: ended.method,
    status: ended.status,
    conformers_generated: conformers.length,
    time_s: Math.round(Date.now() - ctx.startedMs) / 1000,
    error: ended.error,
    output_directory:
      ended.outputKey === null ? null : relative(paths.root, calcWorkdir(paths, ended.outputKey)),
    ensemble_file: ensemble,
    timeout_min: ctx.budgetS / 60,
    timeout_used_min: ended.walltimeS / 60,
  };
  return {
    interrupted: false,
    detail,
    conformers,
    issues: ctx.issues,
    decisions: ctx.decisions,
    topology_rejections: ctx.rejections,
  };
}

// ── CREST ─────────────────────────────────────────────────────────────────

async function crestSearch(ctx: Context): Promise<Ended | ConformerSearchInterrupted> {
  const { input } = ctx;
  const walltimeS = ctx.budgetS;
  const spec: CalcSpec = {
    program: 'crest',
    task: 'conformers',
    method: 'GFN2',
    molecule: molecule(ctx, input.atoms),
    options: { ewin: ctx.ewin },
    resources: { cores: ctx.cores, walltime_s: walltimeS },
    label: `${input.molId} crest`,
  };
  const asked = await askCalc(ctx.request, spec);
  const base = { method: 'crest' as const, walltimeS };
  switch (asked.status) {
    case 'not_run':
      return interrupted(asked.reason);
    case 'refused':
      return { ...base, status: 'FAILED', conformers: [], error: asked.message, outputKey: null };
    case 'failed':
      return {
        ...base,
        status: asked.failure.class === 'timeout' ? 'TIMEOUT' : 'FAILED',
        conformers: [],
        error: `crest: ${asked.failure.message}`,
        outputKey: asked.key,
      };
    case 'succeeded': {
      const found = conformersFromJson(asked.result.conformers, input.atoms);
      const conformers = found === undefined ? undefined : sameBonds(ctx, found, 'CREST');
      if (conformers === undefined || conformers.length === 0) {
        return {
          ...base,
          status: 'FAILED',
          conformers: [],
          error:
            found === undefined || found.length === 0
              ? 'the stored crest result holds no readable conformers'
              : `every one of the ${found.length} CREST conformers changed its bonds`,
          outputKey: asked.key,
        };
      }
      return { ...base, status: 'SUCCESS', conformers, error: null, outputKey: asked.key };
    }
  }
}

// ── builtin: Open Babel + xtb ─────────────────────────────────────────────

async function builtinSearch(ctx: Context): Promise<Ended | ConformerSearchInterrupted> {
  const { input } = ctx;
  const deadlineMs = ctx.startedMs + ctx.budgetS * 1000;
  decide(
    ctx,
    `generate ${ctx.nconf} Open Babel conformers (genetic algorithm) and optimise each with GFN2-xTB`,
    `built-in search (no CREST); then an energy window of ${ctx.ewin} kcal/mol and de-duplication at ${ctx.rmsdThreshold} Å heavy-atom RMSD`,
    1,
  );
  const base = { method: 'builtin' as const, walltimeS: ctx.budgetS };

  // 1. Open Babel conformers.
  const obabelSpec: CalcSpec = {
    program: 'obabel',
    task: 'conformers',
    molecule: molecule(ctx, input.atoms),
    options: { nconf: ctx.nconf, algorithm: 'genetic', seed: ctx.seed },
    resources: {
      cores: 1,
      walltime_s: Math.max(MIN_CALC_WALLTIME_S, Math.floor(ctx.budgetS * OBABEL_BUDGET_SHARE)),
    },
    label: `${input.molId} obabel conformers`,
  };
  const generated = await askCalc(ctx.request, obabelSpec);
  if (generated.status === 'not_run') return interrupted(generated.reason);
  if (generated.status === 'refused') {
    // The molecule itself cannot be run (elements, charge, multiplicity): xtb would refuse too.
    return { ...base, status: 'FAILED', conformers: [], error: generated.message, outputKey: null };
  }
  const outputKey = generated.key;
  let candidates: (readonly Atom[])[] = [];
  let searchProblem: string | undefined;
  if (generated.status === 'failed') {
    searchProblem = `failed (${generated.failure.class}): ${generated.failure.message}`;
  } else {
    const found = geometriesFromJson(generated.result.conformers, input.atoms);
    if (found === undefined) searchProblem = 'returned conformers that cannot be read';
    else if (found.length === 0) searchProblem = 'returned no conformers';
    else candidates = found;
  }
  if (searchProblem !== undefined) {
    ctx.issues.push(
      `Open Babel conformer search ${searchProblem}; only the start geometry was optimised`,
    );
    decide(
      ctx,
      'optimise the start geometry alone with GFN2-xTB',
      `the Open Babel conformer search ${searchProblem}`,
      0.5,
    );
    candidates = [input.atoms];
  }
  const openBabel = candidates;
  candidates = withVariants(ctx, candidates);
  // 2. Conformers from GFN-FF dynamics, which reach folded chains the genetic search does not.
  if (ctx.mdSnapshots > 0 && worthDynamics(input.atoms)) {
    const sampled = await sampleByDynamics(
      {
        molId: input.molId,
        atoms: input.atoms,
        charge: input.charge,
        multiplicity: input.multiplicity,
        snapshots: ctx.mdSnapshots,
        candidates: ctx.mdCandidates,
        seed: ctx.seed,
        budget_s: Math.max(MIN_CALC_WALLTIME_S, (deadlineMs - Date.now()) / 1000 / 2),
        rmsd_threshold_angstrom: ctx.rmsdThreshold,
        cores: ctx.cores,
        known: openBabel,
      },
      ctx.request,
    );
    if (sampled.interrupted) return interrupted(sampled.reason);
    if (sampled.problem !== null) ctx.issues.push(sampled.problem);
    decide(
      ctx,
      `add ${sampled.conformers.length} conformers from GFN-FF dynamics`,
      sampled.summary,
      0.8,
    );
    // Not varied like Open Babel's: at 500 K the dynamics sample X–H orientations themselves,
    // and varying them too took 70 GFN2-xTB optimisations instead of 55 for
    // COC[C@H](C)OC(=O)CCN.
    candidates = [...candidates, ...sampled.conformers];
  }

  // 3. GFN2-xTB optimisation of each, one after another, sharing what is left of the budget.
  const optimised: (SearchedConformer & { readonly place: number })[] = [];
  const failures: string[] = [];
  let budgetSpent = false;
  let done = 0;
  let lastTimedOut = false;
  for (const [i, atoms] of candidates.entries()) {
    const remainingS = (deadlineMs - Date.now()) / 1000;
    if (remainingS < MIN_CALC_WALLTIME_S) {
      budgetSpent = true;
      break;
    }
    const walltimeS = Math.max(
      MIN_CALC_WALLTIME_S,
      Math.floor(remainingS / (candidates.length - i)),
    );
    const spec: CalcSpec = {
      program: 'xtb',
      task: 'optimize',
      method: 'GFN2',
      molecule: molecule(ctx, atoms),
      resources: { cores: ctx.cores, walltime_s: walltimeS },
      label: `${input.molId} conformer ${i + 1} xtb opt`,
    };
    const asked = await askCalc(ctx.request, spec);
    if (asked.status === 'not_run') return interrupted(asked.reason);
    done++;
    lastTimedOut = asked.status === 'failed' && asked.failure.class === 'timeout';
    if (asked.status === 'refused') {
      failures.push(`#${i + 1} refused: ${asked.message}`);
    } else if (asked.status === 'failed') {
      failures.push(`#${i + 1} ${describeFailure(asked.failure)}`);
    } else {
      const geometry = atomsFromJson(asked.result.geometry, input.atoms);
      const energy = asked.result.total_energy_hartree;
      if (geometry === undefined || typeof energy !== 'number' || !Number.isFinite(energy)) {
        failures.push(`#${i + 1} has no readable geometry and energy`);
      } else {
        optimised.push({ geometry, energy_hartree: energy, place: i + 1 });
      }
    }
  }
  // The last optimisation ran into the end of the budget.
  if (lastTimedOut && Date.now() >= deadlineMs - MIN_CALC_WALLTIME_S * 1000) budgetSpent = true;
  if (failures.length > 0) {
    ctx.issues.push(
      `${failures.length} of ${done} GFN2-xTB conformer optimisations failed and were dropped: ${failures.join('; ')}`,
    );
  }
  if (budgetSpent) {
    ctx.issues.push(
      `conformer search budget of ${ctx.budgetS} s spent after ${done} of ${candidates.length} optimisations`,
    );
  }

  // 4. Conformers bonded otherwise than the start are another species, dropped before the energy
  // window: a migrated H is often far lower in energy, and would push every intact one out.
  const intact = sameBonds(ctx, optimised, 'GFN2-xTB').map(
    ({ geometry, energy_hartree }): SearchedConformer => ({ geometry, energy_hartree }),
  );
  // 5. Energy window, then RMSD de-duplication.
  const kept = filterEnsemble(intact, ctx.ewin, ctx.rmsdThreshold);
  if (optimised.length > 0) {
    decide(
      ctx,
      `keep ${kept.conformers.length} of ${optimised.length} optimised conformers`,
      `${optimised.length - intact.length} bonded otherwise than the start (TOPOLOGY_CHANGED); ${kept.outsideWindow} more than ${ctx.ewin} kcal/mol above the lowest; ${kept.duplicates} within ${ctx.rmsdThreshold} Å heavy-atom RMSD of a lower one; ${kept.equivalents} the mirror image or a symmetry-equivalent of a lower one (same energy and moments of inertia)`,
      0.9,
    );
  }

  let status: ConformerSearchDetail['status'];
  let error: string | null = null;
  if (budgetSpent) {
    status = 'TIMEOUT';
    error = `budget of ${ctx.budgetS} s spent after ${done} of ${candidates.length} optimisations`;
  } else if (kept.conformers.length === 0 && optimised.length > 0) {
    status = 'FAILED';
    error = `every one of the ${optimised.length} GFN2-xTB conformers changed its bonds`;
  } else if (kept.conformers.length === 0) {
    status = 'FAILED';
    error =
      searchProblem === undefined
        ? `every GFN2-xTB optimisation failed: ${failures.join('; ')}`
        : `Open Babel conformer search ${searchProblem}, and the start geometry optimisation failed: ${failures.join('; ')}`;
  } else {
    status = 'SUCCESS';
  }
  return { ...base, status, conformers: kept.conformers, error, outputKey };
}

/**
 * The conformers to optimise: each conformer's nitrogen invertomers (chem/nitrogen-inversions.ts:
 * a ring N's substituent axial and equatorial, an open-chain N with three different substituents
 * both ways; neither Open Babel's search nor the xtb optimisation inverts a nitrogen) and each
 * of those's X–H rotamers (chem/xh-rotors.ts: COOH syn and anti, OH and NH2 orientations, since
 * neither turns an X–H bond and Open Babel builds every COOH anti). A conformer's variants come
 * rotamer rank by rotamer rank, each rank in every invertomer. Taken rank by rank over the
 * conformers — every conformer's most preferred variant (itself, or with its COOH turned syn),
 * then every second one, … — and cut at {@link maxCandidates}, so a budget that runs out leaves
 * the preferred ones done. A decision records how many were added. Only conformers bonded as
 * the start are varied.
 */
function withVariants(ctx: Context, conformers: readonly (readonly Atom[])[]): Atom[][] {
  let invertomerCount = 1;
  // A conformer bonded otherwise than the start is another species: it goes on alone, for the
  // topology check after xtb to drop, and is not multiplied.
  const variants = conformers.map((atoms) => {
    if (bondChanges(ctx.input.atoms, atoms).length !== 0) return [[...atoms]];
    const invertomers = nitrogenInvertomers(atoms);
    invertomerCount = Math.max(invertomerCount, invertomers.length);
    const rotamers = invertomers.map((geometry) => xhRotamers(geometry));
    const deepest = Math.max(0, ...rotamers.map((r) => r.length));
    const out: Atom[][] = [];
    for (
      let rank = 0;
      rank < deepest && out.length < MAX_XH_ROTAMERS * invertomers.length;
      rank++
    ) {
      for (const set of rotamers) {
        const rotamer = set[rank];
        if (rotamer !== undefined) out.push(rotamer);
      }
    }
    return out;
  });
  const cap = maxCandidates(conformers.length, invertomerCount);
  const out: Atom[][] = [];
  const deepest = Math.max(0, ...variants.map((r) => r.length));
  for (let rank = 0; rank < deepest && out.length < cap; rank++) {
    for (const set of variants) {
      const variant = set[rank];
      if (variant !== undefined && out.length < cap) out.push(variant);
    }
  }
  const all = variants.reduce((n, r) => n + r.length, 0);
  if (all > conformers.length) {
    decide(
      ctx,
      `optimise ${out.length} nitrogen invertomers and X–H rotamers of the ${conformers.length} conformers`,
      `${invertomerCount} nitrogen invertomer${invertomerCount === 1 ? '' : 's'} per conformer; COOH syn and anti, OH and NH2 orientations (${all} in all, at most ${MAX_XH_ROTAMERS} rotamers per invertomer and ${cap} in all; the syn COOH and the orientations as built first)`,
      0.9,
    );
  }
  return out;
}

/**
 * At most this many geometries go to the xtb optimisations for `conformers` Open Babel
 * conformers with `invertomers` nitrogen invertomers each: every rotamer of a lone conformer
 * ({@link MAX_XH_ROTAMERS}), and never more than twice the conformers otherwise, both times the
 * invertomers: the X–H rotors at most double the search's cost, and each invertible nitrogen
 * doubles it again.
 */
export function maxCandidates(conformers: number, invertomers = 1): number {
  return Math.max(MAX_XH_ROTAMERS, 2 * conformers) * invertomers;
}

/**
 * The conformers within `ewinKcalMol` of the lowest, without duplicates: sorted by energy, a
 * conformer is dropped when it lies within `rmsdThreshold` Å (heavy-atom RMSD after
 * superposition) of one already kept, i.e. of a lower-energy one (`duplicates`); or when its
 * energy agrees with a kept one's within {@link EQUIVALENT_ENERGY_TOLERANCE_KCAL_MOL} and their
 * principal moments of inertia within {@link EQUIVALENT_MOMENTS_TOLERANCE} (`equivalents`) —
 * the test CREST's CREGEN applies. That merges what RMSD with fixed atom numbers keeps apart:
 * mirror images (gauche+ and gauche− butane), and one shape with equivalent atoms swapped (the
 * two singly inverted 1,4-dimethylpiperazines). Their PM7 results are the same, and CREST reports
 * them as one conformer too; the energy condition keeps apart what only looks alike.
 */
export function filterEnsemble(
  conformers: readonly SearchedConformer[],
  ewinKcalMol: number,
  rmsdThreshold: number,
): {
  conformers: SearchedConformer[];
  outsideWindow: number;
  duplicates: number;
  equivalents: number;
} {
  const sorted = [...conformers].sort((a, b) => a.energy_hartree - b.energy_hartree);
  const lowest = sorted[0]?.energy_hartree ?? 0;
  const inWindow = sorted.filter(
    (c) => (c.energy_hartree - lowest) * KCAL_MOL_PER_HARTREE <= ewinKcalMol,
  );
  const kept: (SearchedConformer & { moments: readonly number[] })[] = [];
  let equivalents = 0;
  for (const c of inWindow) {
    if (kept.some((k) => rmsd(k.geometry, c.geometry) < rmsdThreshold)) continue;
    const moments = principalMoments(c.geometry);
    const isEquivalent = kept.some(
      (k) =>
        Math.abs(k.energy_hartree - c.energy_hartree) * KCAL_MOL_PER_HARTREE <=
          EQUIVALENT_ENERGY_TOLERANCE_KCAL_MOL &&
        k.moments.every(
          (m, i) =>
            Math.abs(m - (moments[i] ?? 0)) <= EQUIVALENT_MOMENTS_TOLERANCE * Math.max(m, 1e-9),
        ),
    );
    if (isEquivalent) equivalents++;
    else kept.push({ ...c, moments });
  }
  return {
    conformers: kept.map(({ geometry, energy_hartree }) => ({ geometry, energy_hartree })),
    outsideWindow: sorted.length - inWindow.length,
    duplicates: inWindow.length - kept.length - equivalents,
    equivalents,
  };
}

// ── helpers ───────────────────────────────────────────────────────────────

/**
 * The conformers bonded as the start geometry; each other one is recorded as a topology
 * rejection (check `search_vs_start`), and one issue lists them all.
 */
function sameBonds<T extends SearchedConformer & { readonly place?: number }>(
  ctx: Context,
  conformers: readonly T[],
  source: string,
): T[] {
  const intact: T[] = [];
  const dropped: string[] = [];
  for (const [i, conformer] of conformers.entries()) {
    const changes = bondChanges(ctx.input.atoms, conformer.geometry);
    if (changes.length === 0) {
      intact.push(conformer);
      continue;
    }
    const place = conformer.place ?? i + 1;
    ctx.rejections.push({
      code: 'TOPOLOGY_CHANGED',
      check: 'search_vs_start',
      conformer: place,
      changes,
    });
    dropped.push(`#${place} ${describeChanges(changes, 3)}`);
  }
  if (dropped.length > 0) {
    ctx.issues.push(
      `TOPOLOGY_CHANGED: ${dropped.length} of ${conformers.length} ${source} conformers are bonded otherwise than the start geometry and were dropped before the energy window: ${dropped.join('; ')}`,
    );
  }
  return intact;
}

function molecule(ctx: Context, atoms: readonly Atom[]): NonNullable<CalcSpec['molecule']> {
  return { atoms, charge: ctx.input.charge, multiplicity: ctx.input.multiplicity };
}

function interrupted(reason: string): ConformerSearchInterrupted {
  return { interrupted: true, reason };
}

function decide(ctx: Context, decision: string, reason: string, confidence: number): void {
  ctx.decisions.push({ decision, reason, confidence, timestamp: new Date().toISOString() });
}

function describeFailure(failure: Failure): string {
  return `${failure.class}: ${failure.message}`;
}

function positive(field: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new InputError(field, `expected a number > 0, got ${String(value)}`);
  }
  return value;
}

function nonNegativeInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new InputError(field, `expected an integer ≥ 0, got ${String(value)}`);
  }
  return value;
}

function positiveInteger(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new InputError(field, `expected an integer ≥ 1, got ${String(value)}`);
  }
  return value;
}

function writeEnsemble(
  path: string,
  molId: string,
  conformers: readonly SearchedConformer[],
  method: ConformerSearchDetail['method'],
): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const lowest = conformers[0]?.energy_hartree ?? 0;
  const text = conformers
    .map((c, i) => {
      const de = (c.energy_hartree - lowest) * KCAL_MOL_PER_HARTREE;
      // The energy first, as in crest_conformers.xyz, so CREST readers take this file too.
      const comment = `${c.energy_hartree.toFixed(10)} ${molId} conformer ${i + 1}/${conformers.length} dE=${de.toFixed(3)} kcal/mol GFN2-xTB (${method})`;
      return formatXyz(c.geometry, comment);
    })
    .join('');
  writeFileAtomic(path, text);
}

function conformersFromJson(
  value: JsonValue | undefined,
  like: readonly Atom[],
): SearchedConformer[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: SearchedConformer[] = [];
  for (const entry of value) {
    if (!isRecord(entry)) return undefined;
    const geometry = atomsFromJson(entry.geometry, like);
    const energy = entry.energy_hartree;
    if (geometry === undefined || typeof energy !== 'number') return undefined;
    out.push({ geometry, energy_hartree: energy });
  }
  return out;
}
