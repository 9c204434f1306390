import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { basisKey, NUCLEI, type Nucleus } from './levels.js';
import { packagePath } from '../../core/package-path.js';

/** The scaling factors shipped with retort (from its own DELTA50 bench; see README "NMR"). */
export const BUILTIN_FACTORS_FILE = packagePath('data', 'nmr', 'factors.json');

/**
 * Linear scaling factors of one level and nucleus: δ = slope·σ + intercept (ppm), fitted by
 * `retort nmr bench analyze` (linear-fit.ts) over DELTA50's assigned atoms.
 *
 * - `functional` (upper case), `basis` (the shielding calc's basis), `solvent` (NWChem's COSMO
 *   name or `vacuum`), `nucleus` (`1H`, `13C`): what they apply to;
 * - `slope`, `intercept`, `r_squared`, `mae_ppm`, `rmsd_ppm`, `n` (points kept), `n_total`
 *   (points fitted first), `outliers_removed`, `ci_slope` and `ci_intercept` (95 %).
 */
export interface ScalingFactors {
  readonly functional: string;
  readonly basis: string;
  readonly solvent: string;
  readonly nucleus: Nucleus;
  readonly slope: number;
  readonly intercept: number;
  readonly r_squared: number;
  readonly mae_ppm: number;
  readonly rmsd_ppm: number;
  readonly n: number;
  readonly n_total: number;
  readonly outliers_removed: number;
  readonly ci_slope: readonly [number, number];
  readonly ci_intercept: readonly [number, number];
}

/**
 * A factors file (JSON): `{"format": "retort-nmr-factors", "version": 1, "source": text,
 * "factors": [ScalingFactors, …]}`. `retort nmr bench analyze` writes it; `retort nmr predict`
 * reads it (`--factors FILE`, else the built-in one).
 */
export interface FactorsFile {
  readonly format: 'retort-nmr-factors';
  readonly version: 1;
  readonly source: string;
  readonly factors: readonly ScalingFactors[];
}

export function writeFactorsFile(
  path: string,
  source: string,
  factors: readonly ScalingFactors[],
): void {
  const file: FactorsFile = { format: 'retort-nmr-factors', version: 1, source, factors };
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

/**
 * The factors of a file; the built-in file when `path` is undefined (none when it is not
 * shipped). A file of another kind, or an entry missing a field, is an InputError naming it.
 */
export function readFactorsFile(path: string | undefined): ScalingFactors[] {
  const file = path ?? BUILTIN_FACTORS_FILE;
  if (path === undefined && !existsSync(file)) return [];
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(
      file,
      `cannot read a factors file: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const d = data as { format?: unknown; factors?: unknown } | null;
  if (d?.format !== 'retort-nmr-factors' || !Array.isArray(d.factors)) {
    throw new InputError(
      file,
      'expected a factors file {"format": "retort-nmr-factors", "factors": […]} as `retort nmr bench analyze` writes',
    );
  }
  return (d.factors as unknown[]).map((f, i) => {
    const where = `${file}: factors[${i}]`;
    const e = (f ?? {}) as Partial<ScalingFactors>;
    for (const k of ['functional', 'basis', 'solvent'] as const) {
      if (typeof e[k] !== 'string') throw new InputError(`${where}.${k}`, 'expected text');
    }
    if (e.nucleus === undefined || !NUCLEI.includes(e.nucleus))
      throw new InputError(`${where}.nucleus`, `expected one of ${NUCLEI.join(', ')}`);
    for (const k of ['slope', 'intercept'] as const) {
      if (typeof e[k] !== 'number' || !Number.isFinite(e[k]))
        throw new InputError(`${where}.${k}`, 'expected a number');
    }
    return e as ScalingFactors;
  });
}

/** A level as factors are looked up. */
export interface FactorsKey {
  readonly functional: string;
  readonly basis: string;
  readonly solvent: string;
  readonly nucleus: Nucleus;
}

export function factorsLabel(k: FactorsKey): string {
  return `${k.functional}/${k.basis}/${k.nucleus}/${k.solvent}`;
}

/**
 * The factors of a level and nucleus. An unknown combination is an InputError (at `where`)
 * listing the known ones.
 */
export function lookUpFactors(
  table: readonly ScalingFactors[],
  key: FactorsKey,
  where: string,
): ScalingFactors {
  const found = table.find(
    (f) =>
      f.functional.toUpperCase() === key.functional.toUpperCase() &&
      basisKey(f.basis) === basisKey(key.basis) &&
      f.solvent.toLowerCase() === key.solvent.toLowerCase() &&
      f.nucleus === key.nucleus,
  );
  if (found !== undefined) return found;
  const known = table.map(factorsLabel);
  throw new InputError(
    where,
    `no scaling factors for ${factorsLabel(key)}; known: ${known.length === 0 ? 'none' : known.join(', ')} (give --factors FILE from \`retort nmr bench analyze\`, or --reference tms)`,
  );
}
