import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Atom } from '../../../src/chem/molecule.js';
import { parseXyz } from '../../../src/chem/xyz.js';
import { sharedPath } from '../../helpers/shared-data.js';

/**
 * Real CREST outputs live outside the project (`fixtures/crest/` of the shared data, see
 * helpers/shared-data.ts) and are only read, never copied in. Tests that need them skip when
 * absent.
 */
export const CREST_FIXTURES = sharedPath('fixtures', 'crest');

/** Methyl acetate (cbt_020): 3 conformers of 11 atoms, with the input geometry. */
export const METHYL_ACETATE = join(CREST_FIXTURES, 'cbt_020', 'crest_conformers.xyz');
export const METHYL_ACETATE_INPUT = join(CREST_FIXTURES, 'cbt_020', 'input.xyz');
/** Butanoic acid (cbt_003): 6 conformers of 14 atoms. */
export const BUTANOIC_ACID = join(CREST_FIXTURES, 'cbt_003', 'crest_conformers.xyz');

export const haveCrestFixtures =
  existsSync(METHYL_ACETATE) && existsSync(METHYL_ACETATE_INPUT) && existsSync(BUTANOIC_ACID);
export const noCrestFixtures = `real CREST outputs not found in ${CREST_FIXTURES}`;

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** The first frame of an XYZ file. */
export function firstFrame(path: string): readonly Atom[] {
  return parseXyz(readText(path), path)[0]?.atoms ?? [];
}
