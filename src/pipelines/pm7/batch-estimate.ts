import { loadRdkit } from '../../chem/descriptors.js';
import type { Atom } from '../../chem/molecule.js';
import { smilesAtoms, type SmilesAtoms } from '../../chem/smiles-atoms.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import type { Campaign } from '../../runtime/campaign.js';
import type { PlannedCalc } from '../../runtime/scheduling/estimate.js';
import { DEFAULT_OBABEL_SEED } from '../../engines/obabel/seed.js';
import { CONFORMER_SEARCH_DEFAULTS, crestOnPath } from './conformer-search.js';
import { worthDynamics } from './md-sampling.js';
import { runsDynamics } from './molecule-item.js';
import { moleculesOf, type Molecule } from './molecules.js';
import {
  moleculeShape,
  OptimisationCounts,
  ranOptimisations,
  type CountSample,
  type MoleculeShape,
} from './optimisation-counts.js';

/** Resources are not part of a calc's key, nor of its cost as the model learns it. */
const ONE_CORE = { cores: 1, walltime_s: 3600 };

/** The calcs a batch still has to run, and the workers it runs its molecules on. */
export interface BatchCalcs {
  readonly calcs: readonly PlannedCalc[];
  readonly workers: number;
  /** Molecules of the batch still to run (To run, or Running when its runner was killed). */
  readonly molecules: number;
}

/**
 * The calcs `retort batch resume` (or the run of a new batch) would still compute for the
 * batch's molecules that are To run or Running, in batch order and, within a molecule, in the
 * order the pipeline asks for them (one after another), for `retort estimate --batch`. What is
 * known only once a calc has run stands in:
 * - the start geometry of a SMILES whose Open Babel 3D geometry is not stored: its atoms
 *   (RDKit) in a row — a cost depends on the atoms, not on their places;
 * - the conformer search: CREST (when on PATH, as the batch run decides) is one calc; the
 *   built-in search is the Open Babel conformers calc and then its GFN2-xTB optimisations;
 * - how many GFN2-xTB and MOPAC optimisations (the X–H rotamers' among them): learned per molecule from the campaign's
 *   finished molecules of the same rotatable bonds and X–H rotors (optimisation-counts.ts
 *   documents the rule and its fallbacks).
 * Calcs the store holds (a molecule's 3D geometry and conformer search when it was resumed)
 * are left out.
 */
export async function batchCalcs(
  campaign: Campaign,
  batchId: string,
  lookup: RequestCalc,
): Promise<BatchCalcs> {
  const store = moleculesOf(campaign);
  const batch = store.batch(batchId);
  if (batch === undefined) {
    const known = store.batches().map((b) => b.batch_id);
    throw new InputError(
      `--batch ${batchId}`,
      `no such batch${known.length === 0 ? ' (the campaign has none yet)' : `; the batches are ${known.join(', ')}`}`,
    );
  }
  const molecules = store
    .ofBatch(batchId)
    .filter((m) => m.status === 'To run' || m.status === 'Running')
    .sort((a, b) => (a.batch_order ?? 0) - (b.batch_order ?? 0));
  const crest = crestOnPath();
  const rdkit = await loadRdkit();
  const all = store.all();
  const ran = ranOptimisations(campaign, all, crest);
  const read = new Map<string, SmilesAtoms | null>();
  const atomsOf = async (smiles: string): Promise<SmilesAtoms | null> => {
    let found = read.get(smiles);
    if (found === undefined) read.set(smiles, (found = (await smilesAtoms(rdkit, smiles)) ?? null));
    return found;
  };
  const shapeOf = async (m: Molecule): Promise<MoleculeShape> =>
    moleculeShape(m.nrotbonds, (await atomsOf(m.smiles))?.graph ?? null);
  const samples: CountSample[] = [];
  for (const m of all) {
    const count = ran.get(m.mol_id);
    if (count !== undefined) samples.push({ shape: await shapeOf(m), ...count });
  }
  const counts = OptimisationCounts.learn(samples);
  // The batch's Open Babel seed is part of both Open Babel calcs' keys, as in the pipeline.
  const seed = batch.settings.obabel_seed ?? DEFAULT_OBABEL_SEED;
  const calcs: PlannedCalc[] = [];
  for (const mol of molecules) {
    const molecule = { smiles: mol.smiles, charge: mol.charge, multiplicity: mol.multiplicity };
    const own: PlannedCalc[] = [];
    const gen3d: CalcSpec = {
      program: 'obabel',
      task: 'gen3d',
      molecule,
      options: { seed },
      resources: ONE_CORE,
      label: `${mol.mol_id} 3D`,
    };
    const start = await lookup(gen3d);
    let atoms: readonly Atom[] | undefined;
    if (start.status === 'succeeded') {
      atoms = start.result.geometry as unknown as Atom[];
    } else {
      own.push({ label: gen3d.label ?? mol.mol_id, spec: gen3d });
      atoms = (await atomsOf(mol.smiles))?.elements.map((element, i) => ({
        element,
        x: 1.5 * i,
        y: 0,
        z: 0,
      }));
    }
    const at = { atoms: atoms ?? [], charge: mol.charge, multiplicity: mol.multiplicity };
    const count = counts.predict(await shapeOf(mol), batch.settings.max_conformers);
    const search: CalcSpec = crest
      ? {
          program: 'crest',
          task: 'conformers',
          method: 'GFN2',
          molecule: at,
          options: { ewin: CONFORMER_SEARCH_DEFAULTS.ewin_kcal_mol },
          resources: ONE_CORE,
        }
      : {
          program: 'obabel',
          task: 'conformers',
          molecule: at,
          options: { nconf: CONFORMER_SEARCH_DEFAULTS.nconf, algorithm: 'genetic', seed },
          resources: ONE_CORE,
        };
    const searched = start.status === 'succeeded' ? await lookup(search) : undefined;
    if (searched?.status !== 'succeeded') {
      own.push({ label: `${mol.mol_id} ${crest ? 'crest' : 'obabel conformers'}`, spec: search });
      // The dynamics and their snapshots' GFN-FF optimisations (md-sampling.ts).
      if (!crest && runsDynamics(batch.settings) && worthDynamics(at.atoms)) {
        const ff = { program: 'xtb', method: 'GFN-FF', molecule: at };
        own.push({
          label: `${mol.mol_id} xtb md`,
          spec: { ...ff, task: 'md' },
        });
        own.push({
          label: `${mol.mol_id} md snapshots gfnff opt`,
          spec: { ...ff, task: 'optimize' },
          calcs: CONFORMER_SEARCH_DEFAULTS.md_snapshots,
        });
      }
      if (!crest) {
        own.push({
          label: `${mol.mol_id} conformers xtb opt`,
          spec: { program: 'xtb', task: 'optimize', method: 'GFN2', molecule: at },
          calcs: count.xtb,
        });
      }
    }
    own.push({
      label: `${mol.mol_id} conformers PM7`,
      spec: { program: 'mopac', task: 'optimize', method: 'PM7', molecule: at },
      calcs: count.mopac,
    });
    if (count.xh_rotamers > 0) {
      own.push({
        label: `${mol.mol_id} X–H rotamers PM7`,
        spec: { program: 'mopac', task: 'optimize', method: 'PM7', molecule: at },
        calcs: count.xh_rotamers,
      });
    }
    for (const calc of own) {
      const previous = calcs.length > 0 && calc !== own[0] ? [calcs.length - 1] : [];
      calcs.push({ ...calc, after: previous });
    }
  }
  return { calcs, workers: batch.workers, molecules: molecules.length };
}
