import type { Engine } from '../engine.js';
import { AS_RUN_FIELDS, FREQUENCY_RESULT_FIELDS } from '../result-fields.js';
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
  resultFields: resultFields(),
  prepare: preparePsi4,
  parse: parsePsi4,
};

function resultFields(): Readonly<Record<string, readonly string[]>> {
  const common = ['total_energy_hartree', 'basis', ...AS_RUN_FIELDS];
  return {
    energy: common,
    gradient: [...common, 'gradient_hartree_bohr'],
    hessian: [...common, 'hessian_hartree_bohr2'],
    optimize: [...common, 'geometry', 'optimization_steps'],
    frequencies: [...common, ...FREQUENCY_RESULT_FIELDS],
  };
}
