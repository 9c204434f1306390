/**
 * Result field names shared by several engines' `resultFields` (see the Engine contract in
 * engine.ts): the thermochemistry of task `frequencies` (chem/thermochemistry.ts
 * FrequencyFields) and what every molecular result says of how it was run.
 */
export const FREQUENCY_RESULT_FIELDS = [
  'frequencies_cm1',
  'imaginary_count',
  'zero_point_energy_hartree',
  'enthalpy_correction_hartree',
  'gibbs_correction_hartree',
  'enthalpy_hartree',
  'gibbs_free_energy_hartree',
  'temperature_k',
  'pressure_pa',
] as const;

/** `method`, `charge` and `multiplicity` as run. */
export const AS_RUN_FIELDS = ['method', 'charge', 'multiplicity'] as const;

/** The same fields for every task of `tasks`. */
export function sameFields(
  tasks: readonly string[],
  fields: readonly string[],
): Readonly<Record<string, readonly string[]>> {
  return Object.fromEntries(tasks.map((task) => [task, fields]));
}
