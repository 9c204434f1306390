import type { SmilesGraph } from '../../chem/bond-graph.js';
import type { Campaign } from '../../runtime/campaign.js';
import { CONFORMER_SEARCH_DEFAULTS, maxCandidates } from './conformer-search.js';
import type { Molecule } from './molecules.js';
import { conformerCount } from './select-conformers.js';

/**
 * What decides how many optimisations a molecule's PM7 pipeline runs, known before anything
 * runs (from the dataset's descriptors and the SMILES):
 * - `rotatable`: its rotatable bonds (RDKit, as imported), counted up to
 *   {@link ROTATABLE_BONDS_CAP} — Open Babel's conformer search turns only rotatable bonds, so
 *   with none it returns one conformer, with more up to the 20 asked for;
 * - `xh_rotors`: whether the SMILES has an X–H rotor the search adds rotamers for (an O or S
 *   with one heavy neighbour and one H, an N with one heavy neighbour and two H; see
 *   chem/xh-rotors.ts, which decides on the geometry: an NH2 on a planar atom turns nothing).
 */
export interface MoleculeShape {
  readonly rotatable: number;
  readonly xh_rotors: boolean;
}

/** Rotatable bonds beyond this are counted as this many (a molecule this flexible is flexible). */
export const ROTATABLE_BONDS_CAP = 5;

/** The rotamers of one staggered X–H rotor (OH, NH2 on an sp3 atom): chem/xh-rotors.ts. */
const STAGGERED_ORIENTATIONS = 3;

/**
 * A molecule's GFN2-xTB and MOPAC optimisations (whole numbers, ≥ 1), and the MOPAC
 * optimisations of the X–H rotamers of its most stable result (≥ 0; molecule-pipeline.ts).
 */
export interface OptimisationCount {
  readonly xtb: number;
  readonly mopac: number;
  readonly xh_rotamers: number;
}

/**
 * Where a prediction came from: `shape` the earlier molecules of the same rotatable bonds and
 * X–H rotors; `rotatable` those of the same rotatable bonds; `prior` no earlier molecule of
 * those rotatable bonds (see {@link OptimisationCounts}).
 */
export type CountSource = 'shape' | 'rotatable' | 'prior';

/** One earlier molecule: its shape and the optimisations its search and PM7 steps ran. */
export interface CountSample extends OptimisationCount {
  readonly shape: MoleculeShape;
}

/**
 * The X–H rotamers of a molecule with X–H rotors and no earlier molecule of its rotatable
 * bonds: 2, the mean over the ThermoCBS sample's 307 molecules whose most stable PM7 geometry
 * has a rotor (684 rotamers, 2.2 each; most have one OH or NH2, 2 more orientations).
 */
const XH_ROTAMERS_PRIOR = 2;

interface CountSums {
  readonly xtb: number;
  readonly mopac: number;
  readonly xh_rotamers: number;
  readonly n: number;
}

export function moleculeShape(nrotbonds: number | null, graph: SmilesGraph | null): MoleculeShape {
  return {
    rotatable: Math.min(ROTATABLE_BONDS_CAP, Math.max(0, nrotbonds ?? 0)),
    xh_rotors: graph !== null && hasXhRotor(graph),
  };
}

function hasXhRotor(graph: SmilesGraph): boolean {
  const heavyNeighbours = graph.heavy.map(() => 0);
  for (const [a, b] of graph.bonds) {
    heavyNeighbours[a] = (heavyNeighbours[a] ?? 0) + 1;
    heavyNeighbours[b] = (heavyNeighbours[b] ?? 0) + 1;
  }
  return graph.heavy.some(
    (atom, i) =>
      heavyNeighbours[i] === 1 &&
      (((atom.element === 'O' || atom.element === 'S') && atom.hydrogens === 1) ||
        (atom.element === 'N' && atom.hydrogens === 2)),
  );
}

/**
 * The number of GFN2-xTB (built-in conformer search) and MOPAC optimisations of a molecule,
 * learned from the campaign's earlier molecules. The count is the mean over the earlier
 * molecules of the same shape (rotatable bonds and X–H rotors), else of the same rotatable
 * bonds, rounded; else the prior, the pipeline's own arithmetic: with no rotatable bond Open
 * Babel returns one conformer, which the X–H rotors turn into its rotamers (3, a staggered
 * rotor's orientations); otherwise the 20 conformers asked for, doubled by the X–H rotors
 * (conformer-search.ts maxCandidates), and the 15 conformers of the GFN-FF dynamics
 * (md-sampling.ts; at most, fewer when some are Open Babel's). MOPAC's count is then capped
 * as the pipeline caps it: by the rotatable-bond rule (3 or 5, select-conformers.ts),
 * `max_conformers` and the xtb count. The X–H rotamers are the mean of the same shape, else
 * {@link XH_ROTAMERS_PRIOR} for a molecule with X–H rotors and none without.
 *
 * Why not one campaign-wide mean: the number is set by the rotatable bonds (1 xtb optimisation
 * of a molecule without one, 7–20 with one or more) and the X–H rotors (×2 to ×9), so an
 * average over smaller molecules undercounted a batch of larger ones ninefold (README,
 * `bench/batch-estimate`). The heavy atoms are left to the cost model: they set how long each
 * optimisation takes, not how many there are.
 */
export class OptimisationCounts {
  private constructor(private readonly groups: ReadonlyMap<string, CountSums>) {}

  static learn(samples: readonly CountSample[]): OptimisationCounts {
    const groups = new Map<string, CountSums>();
    for (const s of samples) {
      for (const key of keys(s.shape)) {
        const g = groups.get(key) ?? { xtb: 0, mopac: 0, xh_rotamers: 0, n: 0 };
        groups.set(key, {
          xtb: g.xtb + s.xtb,
          mopac: g.mopac + s.mopac,
          xh_rotamers: g.xh_rotamers + s.xh_rotamers,
          n: g.n + 1,
        });
      }
    }
    return new OptimisationCounts(groups);
  }

  predict(
    shape: MoleculeShape,
    maxConformers: number,
  ): OptimisationCount & { readonly source: CountSource } {
    const [exact, rotatable] = keys(shape);
    const sources: [string | undefined, CountSource][] = [
      [exact, 'shape'],
      [rotatable, 'rotatable'],
    ];
    for (const [key, source] of sources) {
      const g = this.groups.get(key ?? '');
      if (g === undefined || g.n === 0) continue;
      const xtb = Math.max(1, Math.round(g.xtb / g.n));
      return {
        xtb,
        mopac: capMopac(shape, Math.round(g.mopac / g.n), xtb, maxConformers),
        // Molecules of the same rotatable bonds alone may have no X–H rotor to turn.
        xh_rotamers: source === 'shape' ? Math.round(g.xh_rotamers / g.n) : xhRotamersPrior(shape),
        source,
      };
    }
    const conformers = shape.rotatable === 0 ? 1 : CONFORMER_SEARCH_DEFAULTS.nconf;
    // A rotatable bond means 4 heavy atoms or more, so the dynamics add their conformers too.
    const dynamics = shape.rotatable === 0 ? 0 : CONFORMER_SEARCH_DEFAULTS.md_candidates;
    const xtb =
      dynamics +
      (!shape.xh_rotors
        ? conformers
        : conformers === 1
          ? STAGGERED_ORIENTATIONS
          : maxCandidates(conformers));
    return {
      xtb,
      mopac: capMopac(shape, Number.MAX_SAFE_INTEGER, xtb, maxConformers),
      xh_rotamers: xhRotamersPrior(shape),
      source: 'prior',
    };
  }
}

function xhRotamersPrior(shape: MoleculeShape): number {
  return shape.xh_rotors ? XH_ROTAMERS_PRIOR : 0;
}

function keys(shape: MoleculeShape): [string, string] {
  return [`${shape.rotatable} ${shape.xh_rotors ? 'xh' : '-'}`, `${shape.rotatable}`];
}

function capMopac(
  shape: MoleculeShape,
  wanted: number,
  xtb: number,
  maxConformers: number,
): number {
  return Math.max(
    1,
    conformerCount(shape.rotatable, Math.max(0, Math.min(wanted, xtb)), undefined, maxConformers)
      .count,
  );
}

/**
 * The optimisations each finished molecule of the campaign ran, by the labels the pipeline
 * gives its calcs (molecule-pipeline.ts, conformer-search.ts): `<mol_id> obabel conformers` or
 * `<mol_id> crest` for the search, `<mol_id> conformer <n> xtb opt` for its GFN2-xTB
 * optimisations, `<mol_id> conformer <n>` for the MOPAC ones and `<mol_id> X–H rotamer <n>`
 * for the MOPAC optimisations of the most stable result's X–H rotamers. A calc carries the label of
 * the molecule that first asked for it, so a molecule answered from another's calcs (the same
 * SMILES twice) ran none and is left out, as is every molecule whose search did not run to a
 * successful end or was not the one asked for (`crest`: CREST, else the built-in search), and
 * those not finished (Pending, To run, Running). Successful attempts only, as the cost model
 * counts them.
 */
export function ranOptimisations(
  campaign: Campaign,
  molecules: readonly Molecule[],
  crest: boolean,
): Map<string, OptimisationCount> {
  const counts = new Map<
    string,
    { searched: boolean; xtb: Set<string>; mopac: Set<string>; xh: Set<string> }
  >();
  const of = (molId: string) => {
    let c = counts.get(molId);
    if (c === undefined)
      counts.set(molId, (c = { searched: false, xtb: new Set(), mopac: new Set(), xh: new Set() }));
    return c;
  };
  for (const t of campaign.calcs.timings()) {
    const search = t.task === 'conformers' && (t.program === 'obabel' || t.program === 'crest');
    const opt = t.task === 'optimize' && (t.program === 'xtb' || t.program === 'mopac');
    if (!search && !opt) continue;
    const label = campaign.calcs.get(t.key)?.label ?? null;
    if (label === null) continue;
    if (search) {
      const m = /^(.+) (obabel conformers|crest)$/.exec(label);
      if (m?.[1] !== undefined && (m[2] === 'crest') === crest) of(m[1]).searched = true;
      continue;
    }
    const rotamer = /^(.+) X–H rotamer \d+$/.exec(label);
    if (rotamer?.[1] !== undefined) {
      if (t.program === 'mopac') of(rotamer[1]).xh.add(t.key);
      continue;
    }
    const m = /^(.+) conformer \d+( xtb opt)?$/.exec(label);
    if (m?.[1] === undefined) continue;
    if (t.program === 'xtb' && m[2] !== undefined) of(m[1]).xtb.add(t.key);
    else if (t.program === 'mopac' && m[2] === undefined) of(m[1]).mopac.add(t.key);
  }
  const out = new Map<string, OptimisationCount>();
  for (const mol of molecules) {
    if (mol.status !== 'OK' && mol.status !== 'Rerun' && mol.status !== 'Skip') continue;
    const c = counts.get(mol.mol_id);
    if (c?.searched === true) {
      out.set(mol.mol_id, { xtb: c.xtb.size, mopac: c.mopac.size, xh_rotamers: c.xh.size });
    }
  }
  return out;
}
