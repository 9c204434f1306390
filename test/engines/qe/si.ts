import type { PeriodicStructure } from '../../../src/chem/structure.js';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { calcKey } from '../../../src/core/calc-key.js';
import { qeEngine } from '../../../src/engines/qe/index.js';
import { spec } from '../real-fixtures.js';

const HALF = 5.43 / 2;

/** Primitive fcc silicon, a = 5.43 Å, the structure of every real fixture in fixtures/real/qe. */
export const SILICON: PeriodicStructure = {
  lattice_angstrom: [
    [0, HALF, HALF],
    [HALF, 0, HALF],
    [HALF, HALF, 0],
  ],
  sites: [
    { element: 'Si', fractional: [0, 0, 0] },
    { element: 'Si', fractional: [0.25, 0.25, 0.25] },
  ],
};

/** Silicon with its second atom moved off its site (the relax fixture's start). */
export const STRAINED_SILICON: PeriodicStructure = {
  ...SILICON,
  sites: [
    { element: 'Si', fractional: [0, 0, 0] },
    { element: 'Si', fractional: [0.27, 0.25, 0.24] },
  ],
};

/** The small settings of the fixtures: 12 Ry, a 4×4×4 grid. */
export const SMALL: Readonly<Record<string, JsonValue>> = { ecutwfc: 12, kpoints: [4, 4, 4] };

/** A qe spec of silicon. */
export function siSpec(
  task: string,
  options: Readonly<Record<string, JsonValue>> = SMALL,
  structure: PeriodicStructure = SILICON,
): CalcSpec {
  return spec({ program: 'qe', task, structure, options });
}

/** The bands spec of the fixtures: from the si-scf calc, 10 points per Å⁻¹. */
export function siBandsSpec(): CalcSpec {
  const parent = calcKey(siSpec('scf'), qeEngine.adapterVersion);
  return siSpec('bands', { ecutwfc: 12, parent, kpath_density: 10 });
}
