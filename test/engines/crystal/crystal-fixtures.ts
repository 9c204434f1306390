import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedPath } from '../../helpers/shared-data.js';

/**
 * Real CRYSTAL outputs live outside the project (`../shared/fixtures/crystal/real/`, beside the
 * repository, or $RETORT_SHARED/fixtures/crystal/real from a worktree elsewhere; see its
 * SOURCES.md) and are only read, never copied in. Tests that need them skip when absent.
 */
export const CRYSTAL_REAL = sharedPath('fixtures', 'crystal', 'real');

export const haveCrystalFixtures = existsSync(join(CRYSTAL_REAL, 'SOURCES.md'));
export const noCrystalFixtures = `the real CRYSTAL outputs are not in ${CRYSTAL_REAL}`;

/** A file of the real CRYSTAL fixtures (`mgo_scf_hf_c17/main.out`). */
export function crystalFixture(path: string): string {
  return readFileSync(join(CRYSTAL_REAL, path), 'utf8');
}

/** MgO rock salt as a primitive fcc cell, a = 4.21 Å: the crystal of the real CRYSTAL outputs. */
export const MGO_CIF = [
  'data_MgO',
  ...['a', 'b', 'c'].map((l) => `_cell_length_${l} ${(4.21 / Math.SQRT2).toFixed(12)}`),
  ...['alpha', 'beta', 'gamma'].map((l) => `_cell_angle_${l} 60`),
  'loop_',
  '_atom_site_label',
  '_atom_site_fract_x',
  '_atom_site_fract_y',
  '_atom_site_fract_z',
  'Mg1 0 0 0',
  'O2 0.5 0.5 0.5',
  '',
].join('\n');
