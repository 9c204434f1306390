import { bondChanges } from '../../chem/bond-graph.js';
import type { Atom } from '../../chem/molecule.js';
import { rmsd } from '../../chem/rmsd.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import { askCalc } from './ask-calc.js';
import { atomsFromJson, geometriesFromJson } from './result-geometry.js';

/**
 * What to sample: a molecule's start geometry (Å), charge, 2S+1, and
 * - `snapshots`: geometries taken from the dynamics (≥ 1);
 * - `candidates`: how many of them, the lowest after a GFN-FF optimisation, are returned;
 * - `seed`: seed of the start velocities (the same seed gives the same candidates);
 * - `budget_s`: walltime for the whole sampling, shared out over its calcs;
 * - `rmsd_threshold_angstrom`: two optimised snapshots closer than this (heavy-atom RMSD) are
 *   one;
 * - `known`: conformers the search has already (Open Babel's): a minimum within the threshold
 *   of one of them is not returned.
 */
export interface MdSamplingInput {
  readonly molId: string;
  readonly atoms: readonly Atom[];
  readonly charge: number;
  readonly multiplicity: number;
  readonly snapshots: number;
  readonly candidates: number;
  readonly seed: number;
  readonly budget_s: number;
  readonly rmsd_threshold_angstrom: number;
  readonly cores: number;
  readonly known: readonly (readonly Atom[])[];
}

/**
 * The sampling ended: `conformers` (GFN-FF minima bonded as the start, lowest first, at most
 * `candidates`), `summary` what was done for the search's decisions, `problem` why nothing
 * or less came of it (for the search's issues), or the run is stopping (`interrupted`).
 */
export type MdSamplingOutcome =
  | {
      readonly interrupted: false;
      readonly conformers: readonly (readonly Atom[])[];
      readonly summary: string;
      readonly problem: string | null;
    }
  | { readonly interrupted: true; readonly reason: string };

/**
 * True when dynamics can find a conformer the rest of the search does not: the molecule has at
 * least 4 heavy atoms, the fewest a heavy-atom torsion or a ring needs (X–H orientations are
 * the search's rotamers' job). Smaller ones (formaldehyde, ammonia, methanol) are skipped.
 */
export function worthDynamics(atoms: readonly Atom[]): boolean {
  return atoms.filter((a) => a.element !== 'H').length >= 4;
}

// Share of the sampling budget the dynamics may take; it needs about 1 s for 25 atoms.
const MD_BUDGET_SHARE = 0.5;
const MIN_WALLTIME_S = 1;

/**
 * Conformers that Open Babel's genetic search does not reach, from GFN-FF dynamics at 500 K
 * (xtb task `md`, seeded): each snapshot optimised with GFN-FF, those bonded otherwise than the
 * start dropped, duplicates merged, the `candidates` lowest kept. Why: the genetic search
 * scores torsions with MMFF94 from one start and never folds an open chain onto itself; on the
 * ThermoCBS sample it missed the folded N–H···O=C and N–H···O conformers of amino esters that
 * CREST finds, by up to 7.6 kcal/mol in PM7 (COC[C@H](C)OC(=O)CCN). 40 ps of GFN-FF dynamics
 * and 40 GFN-FF optimisations take about 3 s for 25 atoms, and found GFN2-xTB minima 3 kcal/mol
 * below the genetic search's. Calcs the store knows are answered from it.
 */
export async function sampleByDynamics(
  input: MdSamplingInput,
  request: RequestCalc,
): Promise<MdSamplingOutcome> {
  const started = Date.now();
  const deadline = started + input.budget_s * 1000;
  const molecule = { charge: input.charge, multiplicity: input.multiplicity };
  const md = await askCalc(request, {
    program: 'xtb',
    task: 'md',
    method: 'GFN-FF',
    molecule: { atoms: input.atoms, ...molecule },
    options: { snapshots: input.snapshots, seed: input.seed },
    resources: {
      cores: 1, // the engine runs dynamics on one thread (reproducible trajectories)
      walltime_s: Math.max(MIN_WALLTIME_S, Math.floor(input.budget_s * MD_BUDGET_SHARE)),
    },
    label: `${input.molId} xtb md`,
  });
  if (md.status === 'not_run') return { interrupted: true, reason: md.reason };
  if (md.status !== 'succeeded') {
    const why = md.status === 'refused' ? md.message : `${md.failure.class}: ${md.failure.message}`;
    return nothing(`GFN-FF dynamics failed (${why}); only Open Babel’s conformers were optimised`);
  }
  const snapshots = geometriesFromJson(md.result.snapshots, input.atoms) ?? [];
  if (snapshots.length === 0) {
    return nothing('GFN-FF dynamics returned no readable snapshots');
  }

  const minima: { geometry: Atom[]; energy: number }[] = [];
  let failed = 0;
  let changed = 0;
  let spent = false;
  for (const [i, atoms] of snapshots.entries()) {
    const remainingS = (deadline - Date.now()) / 1000;
    if (remainingS < MIN_WALLTIME_S) {
      spent = true;
      break;
    }
    const opt = await askCalc(request, {
      program: 'xtb',
      task: 'optimize',
      method: 'GFN-FF',
      molecule: { atoms, ...molecule },
      resources: {
        cores: input.cores,
        walltime_s: Math.max(MIN_WALLTIME_S, Math.floor(remainingS / (snapshots.length - i))),
      },
      label: `${input.molId} md snapshot ${i + 1} gfnff opt`,
    });
    if (opt.status === 'not_run') return { interrupted: true, reason: opt.reason };
    const geometry =
      opt.status === 'succeeded' ? atomsFromJson(opt.result.geometry, input.atoms) : undefined;
    const energy = opt.status === 'succeeded' ? opt.result.total_energy_hartree : undefined;
    if (geometry === undefined || typeof energy !== 'number') {
      failed++;
    } else if (bondChanges(input.atoms, geometry).length > 0) {
      changed++;
    } else {
      minima.push({ geometry, energy });
    }
  }
  minima.sort((a, b) => a.energy - b.energy);
  const kept: Atom[][] = [];
  let known = 0;
  const near = (a: readonly Atom[], b: readonly Atom[]): boolean =>
    rmsd(a, b) < input.rmsd_threshold_angstrom;
  for (const m of minima) {
    if (kept.length >= input.candidates) break;
    if (kept.some((k) => near(k, m.geometry))) continue;
    if (input.known.some((k) => near(k, m.geometry))) {
      known++;
      continue;
    }
    kept.push(m.geometry);
  }
  const problems = [
    failed > 0 ? `${failed} GFN-FF snapshot optimisations failed` : '',
    spent
      ? `the sampling budget ran out after ${failed + changed + minima.length} of ${snapshots.length} snapshots`
      : '',
  ].filter((p) => p !== '');
  return {
    interrupted: false,
    conformers: kept,
    summary: `GFN-FF dynamics (500 K, seed ${input.seed}): ${snapshots.length} snapshots, ${minima.length} GFN-FF minima bonded as the start (${changed} bonded otherwise dropped), the ${kept.length} lowest distinct ones added (${known} skipped as Open Babel’s)`,
    problem: problems.length === 0 ? null : problems.join('; '),
  };
}

function nothing(problem: string): MdSamplingOutcome {
  return { interrupted: false, conformers: [], summary: 'no GFN-FF dynamics', problem };
}
