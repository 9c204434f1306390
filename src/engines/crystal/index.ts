import type { Engine } from '../engine.js';
import { parseCrystal } from './parse.js';
import { ALL_CRYSTAL_TASKS, prepareCrystal } from './prepare.js';

/**
 * CRYSTAL (14, 17, 22, 23): periodic Hartree–Fock and DFT with Gaussian basis sets. `crystal`
 * runs `.d12` inputs (scf, optimize, frequencies), `properties` runs `.d3` inputs (bands, dos)
 * on an scf's wavefunction; inputs come from templates.
 */
export const crystalEngine: Engine = {
  program: 'crystal',
  adapterVersion: '1',
  tasks: ALL_CRYSTAL_TASKS,
  prepare: prepareCrystal,
  parse: parseCrystal,
};
