import { loadRdkit } from '../../chem/descriptors.js';
import type { Atom } from '../../chem/molecule.js';
import { smilesAtoms } from '../../chem/smiles-atoms.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import type { Campaign } from '../../runtime/campaign.js';
import type { PlannedCalc } from '../../runtime/scheduling/estimate.js';
import { CONFORMER_SEARCH_DEFAULTS, crestOnPath } from './conformer-search.js';
import { moleculesOf } from './molecules.js';
import { conformerCount } from './select-conformers.js';

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
 *   built-in search is the Open Babel conformers calc and then its GFN2-xTB optimisations, as
 *   many per molecule as the campaign's earlier searches ran on average (successful xtb
 *   optimisations ÷ successful Open Babel conformer searches in the store), else the Open Babel
 *   conformers it asks for (20);
 * - the MOPAC optimisations: the number the molecule's rotatable bonds give (3 or 5, capped by
 *   the batch's max_conformers), capped by the MOPAC optimisations per conformer search run so
 *   far in the campaign (a search that returns fewer conformers gives fewer; small rigid
 *   molecules often get one).
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
  const perSearch = optimisationsPerSearch(campaign);
  const rdkit = await loadRdkit();
  const calcs: PlannedCalc[] = [];
  for (const mol of molecules) {
    const molecule = { smiles: mol.smiles, charge: mol.charge, multiplicity: mol.multiplicity };
    const own: PlannedCalc[] = [];
    const gen3d: CalcSpec = {
      program: 'obabel',
      task: 'gen3d',
      molecule,
      resources: ONE_CORE,
      label: `${mol.mol_id} 3D`,
    };
    const start = await lookup(gen3d);
    let atoms: readonly Atom[] | undefined;
    if (start.status === 'succeeded') {
      atoms = start.result.geometry as unknown as Atom[];
    } else {
      own.push({ label: gen3d.label ?? mol.mol_id, spec: gen3d });
      atoms = (await smilesAtoms(rdkit, mol.smiles))?.elements.map((element, i) => ({
        element,
        x: 1.5 * i,
        y: 0,
        z: 0,
      }));
    }
    const at = { atoms: atoms ?? [], charge: mol.charge, multiplicity: mol.multiplicity };
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
          options: { nconf: CONFORMER_SEARCH_DEFAULTS.nconf, algorithm: 'genetic' },
          resources: ONE_CORE,
        };
    const searched = start.status === 'succeeded' ? await lookup(search) : undefined;
    if (searched?.status !== 'succeeded') {
      own.push({ label: `${mol.mol_id} ${crest ? 'crest' : 'obabel conformers'}`, spec: search });
      if (!crest) {
        own.push({
          label: `${mol.mol_id} conformers xtb opt`,
          spec: { program: 'xtb', task: 'optimize', method: 'GFN2', molecule: at },
          calcs: perSearch.xtb ?? CONFORMER_SEARCH_DEFAULTS.nconf,
        });
      }
    }
    const mopac = conformerCount(
      mol.nrotbonds ?? 0,
      perSearch.mopac ?? Number.MAX_SAFE_INTEGER,
      undefined,
      batch.settings.max_conformers,
    ).count;
    own.push({
      label: `${mol.mol_id} conformers PM7`,
      spec: { program: 'mopac', task: 'optimize', method: 'PM7', molecule: at },
      calcs: mopac,
    });
    for (const calc of own) {
      const previous = calcs.length > 0 && calc !== own[0] ? [calcs.length - 1] : [];
      calcs.push({ ...calc, after: previous });
    }
  }
  return { calcs, workers: batch.workers, molecules: molecules.length };
}

/**
 * GFN2-xTB and MOPAC optimisations per conformer search so far (see batchCalcs), whole; null
 * when the store has no search yet.
 */
function optimisationsPerSearch(campaign: Campaign): {
  readonly xtb: number | null;
  readonly mopac: number | null;
} {
  let searches = 0;
  let xtb = 0;
  let mopac = 0;
  for (const t of campaign.calcs.timings()) {
    if ((t.program === 'obabel' || t.program === 'crest') && t.task === 'conformers') searches++;
    else if (t.program === 'xtb' && t.task === 'optimize') xtb++;
    else if (t.program === 'mopac' && t.task === 'optimize') mopac++;
  }
  const per = (n: number): number | null =>
    searches === 0 ? null : Math.max(1, Math.round(n / searches));
  return { xtb: per(xtb), mopac: per(mopac) };
}
