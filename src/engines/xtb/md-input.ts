import type { Atom } from '../../chem/molecule.js';
import { atomicNumber } from '../../chem/elements.js';
import { mulberry32 } from '../../core/seeded-random.js';

/**
 * Settings of an xtb molecular dynamics run (task `md`), as the spec's options give them:
 * - `time_ps`: simulated time, ps (default 40);
 * - `temperature_k`: thermostat temperature, K (default 500: hot enough to cross torsion
 *   barriers of 3–5 kcal/mol many times in 40 ps, cool enough that GFN-FF keeps the bonds);
 * - `snapshots`: geometries written, evenly spaced over the run (default 40);
 * - `seed`: seed of the start velocities (default 1).
 * Fixed: 2 fs steps, SHAKE on every bond, hydrogen mass 4 u (xtb's defaults for MD sampling).
 */
export interface XtbMdSettings {
  readonly time_ps: number;
  readonly temperature_k: number;
  readonly snapshots: number;
  readonly seed: number;
}

export const XTB_MD_DEFAULTS: XtbMdSettings = {
  time_ps: 40,
  temperature_k: 500,
  snapshots: 40,
  seed: 1,
};

/** The detailed input of an MD run, xtb's `--input` file. */
export function mdDetailedInput(settings: XtbMdSettings): string {
  const dumpFs = (settings.time_ps * 1000) / settings.snapshots;
  return [
    '$md',
    `   time=${String(settings.time_ps)}`,
    `   temp=${String(settings.temperature_k)}`,
    `   dump=${String(dumpFs)}`,
    '   step=2.0',
    '   shake=2',
    '   hmass=4',
    // Start from `mdrestart`: xtb draws its own start velocities from an unseeded generator, so
    // two runs of one spec would give different snapshots; these are drawn from the seed.
    '   restart=true',
    '$end',
    '',
  ].join('\n');
}

// Atomic units: bohr per Å, Eh per K (Boltzmann), electron masses per dalton.
const BOHR_PER_ANGSTROM = 1 / 0.52917721067;
const HARTREE_PER_KELVIN = 3.166811563e-6;
const ME_PER_DALTON = 1822.888486;

/**
 * xtb's `mdrestart`: a first line, then per atom its position (bohr) and velocity (bohr per
 * atomic time unit), six Fortran D-format numbers. Velocities are Maxwell–Boltzmann at
 * `temperatureK` from a seeded generator, so one seed gives one trajectory. Masses are taken
 * as 2Z u (4 u for H, xtb's `hmass`): the thermostat corrects the start temperature within a
 * few tenths of a ps, so only the spread, not the exact masses, matters.
 */
export function mdRestart(atoms: readonly Atom[], temperatureK: number, seed: number): string {
  const random = gaussian(seed);
  const lines = [' -1.0'];
  for (const atom of atoms) {
    const z = atomicNumber(atom.element) ?? 6;
    const massAu = (z === 1 ? 4 : 2 * z) * ME_PER_DALTON;
    const sigma = Math.sqrt((HARTREE_PER_KELVIN * temperatureK) / massAu);
    const values = [
      atom.x * BOHR_PER_ANGSTROM,
      atom.y * BOHR_PER_ANGSTROM,
      atom.z * BOHR_PER_ANGSTROM,
      random() * sigma,
      random() * sigma,
      random() * sigma,
    ];
    lines.push(values.map(fortranD).join(''));
  }
  return `${lines.join('\n')}\n`;
}

/** A number as Fortran's D22.14 edit descriptor writes it: `  0.12345678901234D+02`. */
export function fortranD(value: number): string {
  let mantissa = 0;
  let exponent = 0;
  if (value !== 0) {
    exponent = Math.floor(Math.log10(Math.abs(value))) + 1;
    mantissa = value / 10 ** exponent;
    // Rounding to 14 digits can carry into a leading 1.
    if (Math.abs(Number(mantissa.toFixed(14))) >= 1) {
      exponent += 1;
      mantissa /= 10;
    }
  }
  const digits = Math.abs(mantissa).toFixed(14).slice(1);
  const sign = exponent < 0 ? '-' : '+';
  const text = `${mantissa < 0 ? '-' : ''}0${digits}D${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  return text.padStart(22);
}

// Standard normal deviates (Box–Muller) from mulberry32 (V8's Math.log/cos/sqrt are fdlibm
// ports, so the same numbers on every platform).
function gaussian(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => {
    const u = 1 - uniform();
    const v = uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
