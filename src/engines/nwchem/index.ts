import type { Engine } from '../engine.js';
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
  prepare: prepareNwchem,
  parse: parseNwchem,
};
