import type { Engine } from '../engine.js';
import { parseCrystal } from './parse.js';
import { ALL_CRYSTAL_TASKS, prepareCrystal } from './prepare.js';

/** What every `crystal` (not `properties`) run's result holds. */
const SCF_FIELDS = ['energy_hartree', 'scf_cycles', 'band_gap_ev', 'band_gap_kind'];

/**
 * CRYSTAL (14, 17, 22, 23): periodic Hartree–Fock and DFT with Gaussian basis sets. `crystal`
 * runs `.d12` inputs (scf, optimize, frequencies), `properties` runs `.d3` inputs (bands, dos)
 * on an scf's wavefunction; inputs come from templates.
 */
export const crystalEngine: Engine = {
  program: 'crystal',
  // 2: optimize also returns the final cell as structure.
  adapterVersion: '2',
  tasks: ALL_CRYSTAL_TASKS,
  resultFields: {
    scf: SCF_FIELDS,
    optimize: [...SCF_FIELDS, 'optimization_points', 'cell', 'sites', 'structure'],
    frequencies: [...SCF_FIELDS, 'modes', 'frequencies_cm1'],
    bands: ['band_gap_ev', 'band_gap_kind', 'k_points', 'bands'],
    dos: ['band_gap_ev', 'band_gap_kind', 'energy_points'],
  },
  prepare: prepareCrystal,
  parse: parseCrystal,
};
