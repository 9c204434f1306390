import type { Engine } from '../engine.js';
import { AS_RUN_FIELDS, sameFields } from '../result-fields.js';
import { parseXtb } from './parse.js';
import { XTB_TASKS, prepareXtb } from './prepare.js';

export type { XtbMdResult, XtbResult } from './parse.js';

/** xtb (GFN2, GFN1, GFN0, GFN-FF): tasks `energy`, `optimize` and `md`. */
export const xtbEngine: Engine = {
  program: 'xtb',
  adapterVersion: '1',
  tasks: XTB_TASKS,
  resultFields: {
    ...sameFields(
      ['energy', 'optimize'],
      [
        'total_energy_hartree',
        'gradient_norm_hartree_bohr',
        'homo_lumo_gap_ev',
        'geometry',
        ...AS_RUN_FIELDS,
      ],
    ),
    md: ['snapshots', ...AS_RUN_FIELDS],
  },
  prepare: prepareXtb,
  parse: parseXtb,
};
