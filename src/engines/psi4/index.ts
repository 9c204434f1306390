import type { Engine } from '../engine.js';
import { parsePsi4 } from './parse.js';
import { PSI4_TASKS, preparePsi4 } from './prepare.js';

export type { Psi4Result } from './parse.js';

/**
 * Psi4 (1.3): tasks `energy`, `gradient`, `hessian`, `optimize` and `frequencies` of any psi4
 * method and basis.
 */
export const psi4Engine: Engine = {
  program: 'psi4',
  // 2: task hessian also returns the gradient.
  adapterVersion: '2',
  tasks: PSI4_TASKS,
  prepare: preparePsi4,
  parse: parsePsi4,
};
