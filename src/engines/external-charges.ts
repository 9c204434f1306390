import type { JsonValue } from '../core/calc-spec.js';
import { InputError } from '../core/errors.js';

/**
 * Option holding external point charges (electrostatic embedding, EE-MBE): a list of
 * `[charge_e, x_angstrom, y_angstrom, z_angstrom]`, in the frame of the spec's molecule. Taken
 * by the psi4 and NWChem engines; each documents how it writes them.
 */
export const EXTERNAL_CHARGES_OPTION = 'external_charges';

/** One external point charge: charge in e, position in Å. */
export interface ExternalCharge {
  readonly charge: number;
  readonly x: number;
  readonly y: number;
  readonly z: number;
}

/**
 * The checked charges of option `external_charges` (none when absent or empty); InputError
 * naming `options.external_charges[i]` unless every entry is a list of 4 finite numbers.
 */
export function externalCharges(option: JsonValue | undefined): ExternalCharge[] {
  const where = `options.${EXTERNAL_CHARGES_OPTION}`;
  if (option === undefined) return [];
  if (!Array.isArray(option)) {
    throw new InputError(
      where,
      `expected a list of [charge_e, x_Å, y_Å, z_Å], got ${JSON.stringify(option)}`,
    );
  }
  return option.map((entry, i) => {
    const numbers =
      Array.isArray(entry) &&
      entry.length === 4 &&
      entry.every((v): v is number => typeof v === 'number' && Number.isFinite(v))
        ? entry
        : undefined;
    const [charge, x, y, z] = numbers ?? [];
    if (charge === undefined || x === undefined || y === undefined || z === undefined) {
      throw new InputError(
        `${where}[${i}]`,
        `expected [charge_e, x_Å, y_Å, z_Å], 4 finite numbers, got ${JSON.stringify(entry)}`,
      );
    }
    return { charge, x, y, z };
  });
}
