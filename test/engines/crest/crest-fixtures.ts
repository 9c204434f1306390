import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Atom } from '../../../src/chem/molecule.js';
import { parseXyz } from '../../../src/chem/xyz.js';

/**
 * Real CREST outputs live outside the project (`../shared/fixtures/crest/`, beside the
 * repository) and are only read, never copied in. Tests that need them skip when absent.
 */
export const CREST_FIXTURES = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'shared',
  'fixtures',
  'crest',
);

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
