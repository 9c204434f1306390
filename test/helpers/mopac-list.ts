import { runCli } from './cli.js';

/** Small molecules as a calc list of PM7 energies (geometries from Open Babel), for executor tests. */
export const MOLECULES = [
  ['water', 'O'],
  ['methanol', 'CO'],
  ['ammonia', 'N'],
  ['formaldehyde', 'C=O'],
  ['methyl radical', '[CH3]', 2],
  ['acetate', 'CC(=O)[O-]'],
] as const;

export function mopacList(): string {
  return MOLECULES.map(([label, smiles, multiplicity]) =>
    JSON.stringify({
      label,
      program: 'mopac',
      task: 'energy',
      method: 'PM7',
      smiles,
      ...(multiplicity === undefined ? {} : { multiplicity }),
    }),
  )
    .join('\n')
    .concat('\n');
}

/** One line of `retort run --json`. */
export interface RunLine {
  readonly label: string;
  readonly status: string;
  readonly result: { heat_of_formation_kcal_mol?: number } | null;
  readonly failure: { class: string; message: string } | null;
}

/** `retort run FILE --json …` in `dir`, parsed; throws with stderr when it printed nothing. */
export function runJson(
  dir: string,
  file: string,
  extra: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): RunLine[] {
  const r = runCli(['run', file, '--json', ...extra], { cwd: dir, env });
  if (r.stdout.trim() === '') {
    throw new Error(
      `retort run printed nothing (status ${String(r.status)}, signal ${String(r.signal)}): ${r.stderr}`,
    );
  }
  return JSON.parse(r.stdout) as RunLine[];
}

/** Heat of formation by label. */
export function heats(lines: readonly RunLine[]): Record<string, number | undefined> {
  return Object.fromEntries(lines.map((l) => [l.label, l.result?.heat_of_formation_kcal_mol]));
}
