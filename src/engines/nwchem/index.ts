import type { Engine } from '../engine.js';
import { AS_RUN_FIELDS, FREQUENCY_RESULT_FIELDS } from '../result-fields.js';
import { parseNwchem } from './parse.js';
import { NWCHEM_TASKS, prepareNwchem } from './prepare.js';

export type { NwchemResult } from './parse.js';

/**
 * NWChem (7.0): tasks `energy`, `gradient`, `optimize` and `frequencies` with SCF (HF), MP2 or
 * DFT, and `nmr` (GIAO shieldings, DFT, optional COSMO solvent), serial.
 */
export const nwchemEngine: Engine = {
  program: 'nwchem',
  adapterVersion: '1',
  tasks: NWCHEM_TASKS,
  resultFields: resultFields(),
  prepare: prepareNwchem,
  parse: parseNwchem,
};

function resultFields(): Readonly<Record<string, readonly string[]>> {
  const common = ['total_energy_hartree', 'basis', ...AS_RUN_FIELDS];
  return {
    energy: common,
    gradient: [...common, 'gradient_hartree_bohr'],
    optimize: [...common, 'geometry', 'optimization_steps'],
    frequencies: [...common, ...FREQUENCY_RESULT_FIELDS],
    nmr: [...common, 'shieldings_ppm', 'solvent'],
  };
}
