import type { Engine } from '../engine.js';
import { AS_RUN_FIELDS, sameFields } from '../result-fields.js';
import { parseMopac } from './parse.js';
import { MOPAC_TASKS, prepareMopac } from './prepare.js';

export type { MopacResult } from './parse.js';

/** MOPAC (semi-empirical: PM7, PM6 …): tasks `energy` (1SCF) and `optimize`. */
export const mopacEngine: Engine = {
  program: 'mopac',
  // 2: open shells run UHF (the input of every multiplicity > 1 changed), and an optimisation
  // that changed the bond graph fails (topology_changed).
  adapterVersion: '2',
  tasks: MOPAC_TASKS,
  resultFields: sameFields(MOPAC_TASKS, [
    'heat_of_formation_kcal_mol',
    'geometry',
    'gradient_norm_kcal_mol_angstrom',
    'ionization_potential_ev',
    ...AS_RUN_FIELDS,
  ]),
  prepare: prepareMopac,
  parse: parseMopac,
};
