import { equivalentAtomClasses } from '../../chem/atom-equivalence.js';
import { bondChanges, describeChanges } from '../../chem/bond-graph.js';
import type { Atom } from '../../chem/molecule.js';
import type { CalcSpec, JsonValue, Resources } from '../../core/calc-spec.js';
import type { CampaignPaths } from '../../core/campaign-layout.js';
import { CampaignError } from '../../core/errors.js';
import type { CalcResolution, RequestCalc } from '../../runtime/calc-request.js';
import { gen3dGeometry } from '../calc-list/line-to-spec.js';
import { searchConformers } from '../pm7/conformer-search.js';
import { boltzmannWeights } from './boltzmann.js';
import type { ScalingFactors } from './factors.js';
import {
  NUCLEI,
  NUCLEUS_ELEMENT,
  optimizeSpec,
  shieldingSpec,
  shieldingsOf,
  type NmrLevel,
  type Nucleus,
} from './levels.js';

/** The molecule of a prediction: a geometry (--xyz) or a SMILES, with charge and 2S+1. */
export interface PredictInput {
  readonly label: string;
  readonly atoms?: readonly Atom[];
  readonly smiles?: string;
  readonly charge: number;
  readonly multiplicity: number;
}

/** Where shifts come from: scaling factors per nucleus, or a TMS computed at the same level. */
export type ShiftReference =
  | { readonly kind: 'factors'; readonly factors: Readonly<Record<Nucleus, ScalingFactors>> }
  | { readonly kind: 'tms' };

export interface PredictOptions {
  readonly level: NmrLevel;
  /** Optimise every geometry at level.functional/level.basis (NWChem, in vacuum) first. */
  readonly optimize: boolean;
  /** Conformers of the ensemble (1: the given or built geometry alone). */
  readonly conformers: number;
  readonly reference: ShiftReference;
  readonly resources: Resources;
  /** Walltime of the whole conformer search, seconds. */
  readonly searchBudgetS: number;
}

/** One conformer of the prediction. */
export interface PredictedConformer {
  /** Its number in the ensemble as found (1-based); conformers dropped on the way leave gaps. */
  readonly index: number;
  /** The energy the ensemble is weighted by: the DFT optimisation's, else the shielding calc's. */
  readonly energy_hartree: number;
  readonly relative_kcal_mol: number;
  readonly weight: number;
  readonly kept: boolean;
  readonly geometry: readonly Atom[];
}

/** One atom: its Boltzmann-weighted isotropic shielding and shift (null: no reference for it). */
export interface PredictedAtom {
  readonly index: number;
  readonly element: string;
  readonly shielding_ppm: number;
  readonly shift_ppm: number | null;
  /** Index of its group of topologically equivalent atoms in `groups`. */
  readonly group: number;
}

/** Topologically equivalent atoms (1-based indices) with their averaged shielding and shift. */
export interface PredictedGroup {
  readonly atoms: readonly number[];
  readonly element: string;
  readonly shielding_ppm: number;
  readonly shift_ppm: number | null;
}

export interface Prediction {
  readonly level: NmrLevel;
  readonly optimized: boolean;
  /** What shifts were computed from: factors used, or TMS's mean shieldings. */
  readonly reference:
    | { readonly kind: 'factors'; readonly factors: Readonly<Record<Nucleus, ScalingFactors>> }
    | { readonly kind: 'tms'; readonly shielding_ppm: Readonly<Record<Nucleus, number>> };
  readonly conformers: readonly PredictedConformer[];
  readonly atoms: readonly PredictedAtom[];
  readonly groups: readonly PredictedGroup[];
  readonly notes: readonly string[];
}

export type PredictOutcome =
  | { readonly ok: true; readonly prediction: Prediction }
  | { readonly ok: false; readonly interrupted: boolean; readonly reason: string };

/** TMS as built for a computed reference. */
const TMS_SMILES = 'C[Si](C)(C)C';

/** Ends a prediction early: a calc failed, or was not run because the run is stopping. */
class Stop extends CampaignError {
  constructor(
    readonly interrupted: boolean,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** A calc's result, or a Stop saying why there is none. */
async function ask(
  request: RequestCalc,
  spec: CalcSpec,
): Promise<Readonly<Record<string, JsonValue>>> {
  const got: CalcResolution = await request(spec);
  if (got.status === 'succeeded') return got.result;
  if (got.status === 'not_run')
    throw new Stop(true, `${spec.label ?? spec.task}: not run (${got.reason})`);
  throw new Stop(
    false,
    `${spec.label ?? spec.task} failed: ${got.failure.class}: ${got.failure.message}`,
  );
}

function geometryOf(result: Readonly<Record<string, JsonValue>>): Atom[] {
  return result.geometry as unknown as Atom[];
}

function energyOf(result: Readonly<Record<string, JsonValue>>): number {
  return result.total_energy_hartree as number;
}

/**
 * Predicts the shifts of a molecule:
 *
 * 1. geometries: the given one; from a SMILES, Open Babel's 3D structure; with `conformers` > 1,
 *    the PM7 pipeline's conformer search (Open Babel conformers and X–H rotamers, GFN2-xTB) from
 *    that start, its lowest `conformers` kept;
 * 2. unless `optimize` is off, each optimised with NWChem at the level's functional and basis
 *    (vacuum); a conformer whose bonds changed, or whose optimisation failed while others of the
 *    ensemble remain, is dropped (noted);
 * 3. the ensemble: conformers more than 3 kcal/mol above the lowest dropped, the rest weighted
 *    by Boltzmann factors at 298.15 K (boltzmann.ts), by their optimisation energies (without
 *    optimisation, by their shielding calcs' energies, in the solvent);
 * 4. a shielding calc (NWChem GIAO, COSMO solvent) per kept conformer; every atom's shielding
 *    is the weighted mean;
 * 5. shifts: slope·σ + intercept of the nucleus' factors, or σ(TMS) − σ with TMS built, optimised
 *    and computed at the same level; atoms of other elements have none;
 * 6. groups of topologically equivalent atoms (chem/atom-equivalence.ts), averaged.
 */
export async function predictShifts(
  input: PredictInput,
  options: PredictOptions,
  request: RequestCalc,
  paths: CampaignPaths,
): Promise<PredictOutcome> {
  try {
    return { ok: true, prediction: await predict(input, options, request, paths) };
  } catch (error) {
    if (error instanceof Stop)
      return { ok: false, interrupted: error.interrupted, reason: error.reason };
    throw error;
  }
}

async function startGeometry(
  input: PredictInput,
  request: RequestCalc,
  label: string,
): Promise<readonly Atom[]> {
  if (input.atoms !== undefined) return input.atoms;
  const built = await gen3dGeometry(request, true)(
    { smiles: input.smiles ?? '', charge: input.charge, multiplicity: input.multiplicity },
    label,
  );
  if (!built.ok) throw new Stop(false, built.reason);
  return built.atoms;
}

async function predict(
  input: PredictInput,
  options: PredictOptions,
  request: RequestCalc,
  paths: CampaignPaths,
): Promise<Prediction> {
  const { level, resources } = options;
  const notes: string[] = [];
  const molecule = { charge: input.charge, multiplicity: input.multiplicity };
  const start = await startGeometry(input, request, input.label);
  let geometries: (readonly Atom[])[] = [start];
  // Each geometry's number in the ensemble as first found (labels and output keep it when
  // conformers are dropped).
  let numbers = [1];
  if (options.conformers > 1) {
    const search = await searchConformers(
      { molId: input.label, atoms: start, ...molecule },
      { crest: false, budget_s: options.searchBudgetS },
      request,
      paths,
    );
    if (search.interrupted) throw new Stop(true, `conformer search: ${search.reason}`);
    if (search.conformers.length === 0) {
      throw new Stop(
        false,
        `the conformer search found no conformer${search.issues.length === 0 ? '' : `: ${search.issues.join('; ')}`}`,
      );
    }
    geometries = search.conformers.slice(0, options.conformers).map((c) => c.geometry);
    numbers = geometries.map((_, i) => i + 1);
    notes.push(
      `conformer search: ${search.conformers.length} conformers, the lowest ${geometries.length} taken`,
    );
  }

  let energies: number[] = [];
  if (options.optimize) {
    const optimized: (readonly Atom[])[] = [];
    const failed: string[] = [];
    const survivors: number[] = [];
    for (const [i, atoms] of geometries.entries()) {
      const n = numbers[i] ?? i + 1;
      let result: Readonly<Record<string, JsonValue>>;
      try {
        result = await ask(
          request,
          optimizeSpec(
            { atoms, ...molecule },
            level,
            resources,
            `${input.label} conformer ${n} optimize ${level.functional}/${level.basis}`,
          ),
        );
      } catch (error) {
        // One conformer that fails leaves the ensemble to the others; a lone geometry cannot.
        if (!(error instanceof Stop) || error.interrupted || geometries.length === 1) throw error;
        failed.push(error.reason);
        notes.push(`conformer ${n} dropped: ${error.reason}`);
        continue;
      }
      const geometry = geometryOf(result);
      const changes = bondChanges(atoms, geometry);
      if (changes.length > 0) {
        notes.push(
          `conformer ${n} dropped: its bonds changed in the optimisation (${describeChanges(changes)})`,
        );
        continue;
      }
      optimized.push(geometry);
      survivors.push(n);
      energies.push(energyOf(result));
    }
    if (optimized.length === 0) {
      throw new Stop(
        false,
        failed.length === 0
          ? 'every conformer changed its bonds in the DFT optimisation'
          : failed.length === geometries.length
            ? `every conformer's DFT optimisation failed: ${failed.join('; ')}`
            : 'every conformer changed its bonds or failed in the DFT optimisation',
      );
    }
    geometries = optimized;
    numbers = survivors;
  }

  const shieldingOf = async (atoms: readonly Atom[], i: number) =>
    ask(
      request,
      shieldingSpec(
        { atoms, ...molecule },
        level,
        resources,
        `${input.label} conformer ${numbers[i] ?? i + 1} shielding ${level.functional}/${level.nmr_basis} ${level.solvent}`,
      ),
    );
  let nmr = new Map<number, Readonly<Record<string, JsonValue>>>();
  if (!options.optimize) {
    for (const [i, atoms] of geometries.entries()) nmr.set(i, await shieldingOf(atoms, i));
    energies = geometries.map((_, i) => energyOf(nmr.get(i) ?? {}));
  }
  const weights = boltzmannWeights(energies);
  const kept = nmr;
  nmr = new Map();
  for (const [i, atoms] of geometries.entries()) {
    if (weights[i]?.kept !== true) continue;
    nmr.set(i, kept.get(i) ?? (await shieldingOf(atoms, i)));
  }
  const dropped = weights.filter((w) => !w.kept).length;
  if (dropped > 0)
    notes.push(`${dropped} conformer(s) more than 3 kcal/mol above the lowest dropped`);

  const first = geometries[0] ?? start;
  const sums = first.map(() => 0);
  for (const [i, result] of nmr) {
    const w = weights[i]?.weight ?? 0;
    for (const s of shieldingsOf(result))
      sums[s.index - 1] = (sums[s.index - 1] ?? 0) + w * s.isotropic_ppm;
  }

  let reference: Prediction['reference'];
  let shiftOf: (element: string, sigma: number) => number | null;
  if (options.reference.kind === 'factors') {
    const { factors } = options.reference;
    reference = { kind: 'factors', factors };
    shiftOf = (element, sigma) => {
      const nucleus = NUCLEI.find((n) => NUCLEUS_ELEMENT[n] === element);
      const f = nucleus === undefined ? undefined : factors[nucleus];
      return f === undefined ? null : f.slope * sigma + f.intercept;
    };
  } else {
    const tms = await tmsShieldings(level, resources, request);
    reference = { kind: 'tms', shielding_ppm: tms };
    shiftOf = (element, sigma) => {
      const nucleus = NUCLEI.find((n) => NUCLEUS_ELEMENT[n] === element);
      return nucleus === undefined ? null : tms[nucleus] - sigma;
    };
  }

  const classes = equivalentAtomClasses(first);
  const atoms: PredictedAtom[] = first.map((a, i) => {
    const shielding = sums[i] ?? 0;
    return {
      index: i + 1,
      element: a.element,
      shielding_ppm: shielding,
      shift_ppm: shiftOf(a.element, shielding),
      group: classes[i] ?? i,
    };
  });
  const groups: PredictedGroup[] = [];
  for (const a of atoms) {
    const members = atoms.filter((b) => b.group === a.group);
    if (members[0] !== a) continue;
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    groups.push({
      atoms: members.map((m) => m.index),
      element: a.element,
      shielding_ppm: mean(members.map((m) => m.shielding_ppm)),
      shift_ppm: a.shift_ppm === null ? null : mean(members.map((m) => m.shift_ppm ?? 0)),
    });
  }
  return {
    level,
    optimized: options.optimize,
    reference,
    conformers: geometries.map((geometry, i) => ({
      index: numbers[i] ?? i + 1,
      energy_hartree: energies[i] ?? 0,
      relative_kcal_mol: weights[i]?.relative_kcal_mol ?? 0,
      weight: weights[i]?.weight ?? 0,
      kept: weights[i]?.kept ?? false,
      geometry,
    })),
    atoms: atoms.map((a) => ({ ...a, group: groups.findIndex((g) => g.atoms.includes(a.index)) })),
    groups,
    notes,
  };
}

/** Mean 1H and 13C shieldings of TMS built, optimised and computed at the level. */
async function tmsShieldings(
  level: NmrLevel,
  resources: Resources,
  request: RequestCalc,
): Promise<Record<Nucleus, number>> {
  const start = await startGeometry(
    { label: 'TMS', smiles: TMS_SMILES, charge: 0, multiplicity: 1 },
    request,
    'TMS',
  );
  const opt = await ask(
    request,
    optimizeSpec(
      { atoms: start, charge: 0, multiplicity: 1 },
      level,
      resources,
      `TMS optimize ${level.functional}/${level.basis}`,
    ),
  );
  const result = await ask(
    request,
    shieldingSpec(
      { atoms: geometryOf(opt), charge: 0, multiplicity: 1 },
      level,
      resources,
      `TMS shielding ${level.functional}/${level.nmr_basis} ${level.solvent}`,
    ),
  );
  const s = shieldingsOf(result);
  const mean = (element: string): number => {
    const xs = s.filter((x) => x.element === element).map((x) => x.isotropic_ppm);
    return xs.reduce((a, b) => a + b, 0) / xs.length;
  };
  return { '1H': mean('H'), '13C': mean('C') };
}

/**
 * The stick spectrum of a nucleus, for src/plots: one stick per group of equivalent atoms with
 * a shift, at that shift, as tall as the group has atoms.
 */
export function spectrumSticks(
  prediction: Prediction,
  nucleus: Nucleus,
): { readonly shift_ppm: number; readonly intensity: number; readonly atoms: readonly number[] }[] {
  return prediction.groups
    .filter((g) => g.element === NUCLEUS_ELEMENT[nucleus] && g.shift_ppm !== null)
    .map((g) => ({ shift_ppm: g.shift_ppm ?? 0, intensity: g.atoms.length, atoms: g.atoms }));
}
