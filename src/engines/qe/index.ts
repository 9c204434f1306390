import type { Engine } from '../engine.js';
import { parseQe } from './parse.js';
import { QE_TASKS, prepareQe } from './prepare.js';

export type { QeResult } from './parse.js';

/**
 * Quantum ESPRESSO's pw.x (6.7): plane-wave DFT of periodic crystals, tasks `scf`, `relax`,
 * `vc-relax`, and `nscf`/`bands` from an earlier scf's charge density.
 */
export const qeEngine: Engine = {
  program: 'qe',
  adapterVersion: '1',
  tasks: QE_TASKS,
  prepare: prepareQe,
  parse: parseQe,
};
