import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';

/**
 * SCF and DFT convergence options of the NWChem engine, named as QCEngine names NWChem keywords
 * (`<block>__<directive>[__<sub-directive>]`), so that QCManyBody inputs carry over unchanged.
 * Each becomes one line of the block the method runs in:
 *
 * | option                       | value                                      | input line                   |
 * |------------------------------|--------------------------------------------|------------------------------|
 * | `scf__thresh`                | number > 0 (orbital gradient)              | `scf; thresh 1e-8`           |
 * | `scf__maxiter`               | integer ≥ 1                                | `scf; maxiter 100`           |
 * | `scf__tol2e`                 | number > 0 (integral screening)            | `scf; tol2e 1e-12`           |
 * | `dft__convergence__energy`   | number > 0 (Eh)                            | `dft; convergence energy 1e-8` |
 * | `dft__convergence__density`  | number > 0                                 | `dft; convergence density 1e-6` |
 * | `dft__convergence__gradient` | number > 0                                 | `dft; convergence gradient 1e-5` |
 * | `dft__grid`                  | xcoarse, coarse, medium, fine, xfine, huge | `dft; grid fine`             |
 * | `dft__iterations`            | integer ≥ 1                                | `dft; iterations 100`        |
 *
 * `scf__*` options are for HF and MP2 (whose reference is the SCF module), `dft__*` for DFT
 * methods (tasks energy to nmr); the other module would ignore them without a word, so they are
 * refused.
 */
export const NWCHEM_CONVERGENCE_OPTIONS: Readonly<Record<string, ConvergenceOption>> = {
  scf__thresh: { block: 'scf', line: 'thresh', value: 'positive' },
  scf__maxiter: { block: 'scf', line: 'maxiter', value: 'count' },
  scf__tol2e: { block: 'scf', line: 'tol2e', value: 'positive' },
  dft__convergence__energy: { block: 'dft', line: 'convergence energy', value: 'positive' },
  dft__convergence__density: { block: 'dft', line: 'convergence density', value: 'positive' },
  dft__convergence__gradient: { block: 'dft', line: 'convergence gradient', value: 'positive' },
  dft__grid: {
    block: 'dft',
    line: 'grid',
    value: ['xcoarse', 'coarse', 'medium', 'fine', 'xfine', 'huge'],
  },
  dft__iterations: { block: 'dft', line: 'iterations', value: 'count' },
};

/** The block an option goes to, its directive, and the values it takes. */
export interface ConvergenceOption {
  readonly block: 'scf' | 'dft';
  readonly line: string;
  readonly value: 'positive' | 'count' | readonly string[];
}

/**
 * The convergence lines of the spec's options for `block`, the module the method runs in
 * (`scf` for HF and MP2, `dft` for DFT), in the order of {@link NWCHEM_CONVERGENCE_OPTIONS}.
 * Throws InputError naming the option for a bad value or an option of the other module.
 */
export function convergenceLines(spec: CalcSpec, block: ConvergenceOption['block']): string[] {
  const lines: string[] = [];
  for (const [name, option] of Object.entries(NWCHEM_CONVERGENCE_OPTIONS)) {
    const value = spec.options?.[name];
    if (value === undefined) continue;
    const where = `options.${name}`;
    if (option.block !== block) {
      throw new InputError(
        where,
        option.block === 'dft'
          ? `a DFT option, and method "${spec.method ?? ''}" runs NWChem's SCF module (give a DFT functional, or the scf__ options)`
          : `an SCF option, and method "${spec.method ?? ''}" runs NWChem's DFT module, which does not read the scf block (use the dft__ options)`,
      );
    }
    lines.push(`  ${option.line} ${checkedValue(value, option.value, where)}`);
  }
  return lines;
}

function checkedValue(value: JsonValue, kind: ConvergenceOption['value'], where: string): string {
  if (kind === 'positive') {
    // Exponent form always: 1e-6 stays 1e-6 (JavaScript would print 0.000001).
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
      return value.toExponential();
    }
    throw new InputError(where, `expected a number > 0, got ${JSON.stringify(value)}`);
  }
  if (kind === 'count') {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return String(value);
    throw new InputError(where, `expected an integer ≥ 1, got ${JSON.stringify(value)}`);
  }
  const name = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (name !== undefined && kind.includes(name)) return name;
  throw new InputError(where, `expected one of ${kind.join(', ')}, got ${JSON.stringify(value)}`);
}
