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
  resultFields: resultFields(),
  prepare: prepareQe,
  parse: parseQe,
};

function resultFields(): Readonly<Record<string, readonly string[]>> {
  const always = [
    'task',
    'converged',
    'forces_ry_bohr',
    'stress_kbar',
    'pressure_kbar',
    'fermi_energy_ev',
    'highest_occupied_ev',
    'lowest_unoccupied_ev',
    'number_of_electrons',
    'kpoints_cartesian_2pi_alat',
    'band_energies_ev',
    'band_gap_ev',
    'band_gap_direct',
    'valence_band_maximum_ev',
    'conduction_band_minimum_ev',
    'direct_gap_ev',
  ];
  const energy = [...always, 'total_energy_ry', 'total_energy_ev'];
  return {
    scf: energy,
    relax: [...energy, 'final_energy_ry', 'structure'],
    'vc-relax': [...energy, 'final_enthalpy_ry', 'structure'],
    nscf: always,
    bands: always,
  };
}
