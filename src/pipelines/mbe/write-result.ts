import { mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import type { MbeResult } from './analyze.js';
import type { MbeInput, MbeOutput, MbeOutputFormat } from './input.js';

/**
 * How long the tasks of an MBE run took (the result's `timings` with `include_timings`):
 * - `wall_s`: seconds from the first subsystem request to the analysis, in this run;
 * - `tasks_run`, `tasks_from_store`: tasks computed in this run, and answered by the store;
 * - `task_s_total`: the sum of every task's run time (s), those from the store included (the
 *   run that computed them);
 * - `tasks`: per task label, `duration_s` (wall seconds of the program run that computed it;
 *   null when the store does not know) and `from_store`.
 */
export interface MbeTimings {
  readonly wall_s: number;
  readonly tasks_run: number;
  readonly tasks_from_store: number;
  readonly task_s_total: number;
  readonly tasks: Readonly<
    Record<string, { readonly duration_s: number | null; readonly from_store: boolean }>
  >;
}

const EXTENSIONS: Readonly<Record<MbeOutputFormat, string>> = {
  json: 'json',
  yaml: 'yaml',
  text: 'txt',
};

/**
 * Writes the result of `mbe run` as the input's `output` section asks (input.ts MbeOutput) and
 * returns the path written: `--output` (`flag`, relative to the working directory), else
 * `output.file` (relative to the input file's directory), else
 * `<exportsDir>/mbe-<input name>.<json|yaml|txt>`; a missing directory is created.
 */
export function writeMbeResult(
  file: string,
  input: MbeInput,
  result: MbeResult,
  timings: MbeTimings,
  exportsDir: string,
  flag: string | undefined,
): string {
  const { output } = input;
  const stem = basename(file).replace(/\.(json|ya?ml)$/i, '');
  const path =
    flag !== undefined
      ? resolve(flag)
      : output.file !== null
        ? resolve(dirname(file), output.file)
        : join(exportsDir, `mbe-${stem}.${EXTENSIONS[output.format]}`);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomic(path, renderMbeResult(input, result, timings, output));
  return path;
}

/** The text of the result in `output.format`, with `timings` when `output.include_timings`. */
export function renderMbeResult(
  input: MbeInput,
  result: MbeResult,
  timings: MbeTimings,
  output: MbeOutput,
): string {
  const doc = output.include_timings ? { ...result, timings } : result;
  switch (output.format) {
    case 'json':
      return `${output.pretty ? JSON.stringify(doc, null, 2) : JSON.stringify(doc)}\n`;
    case 'yaml':
      return stringify(doc, { lineWidth: 0 });
    case 'text':
      return textSummary(input, result, output.include_timings ? timings : undefined);
  }
}

/** The n-body tables, the return values of the driver and (optionally) the timings. */
function textSummary(input: MbeInput, result: MbeResult, timings: MbeTimings | undefined): string {
  const lines = [
    result.stdout.trimEnd(),
    '',
    `   driver: ${input.driver}; bsse: ${input.bsse_type.join(', ')} (${input.bsse_type[0] ?? ''} returned); max_nbody: ${input.max_nbody}; ${result.nbody_number} tasks`,
    `   return_energy: ${result.ret_energy.toFixed(12)} Eh`,
  ];
  const symbols = input.molecule.symbols;
  if (result.ret_gradient !== undefined) {
    lines.push(`   return_gradient (Eh/bohr; x, y, z per atom):`);
    result.ret_gradient.forEach((row, i) => {
      lines.push(`     ${(symbols[i] ?? '').padEnd(2)} ${numbers(row, 12)}`);
    });
  }
  if (result.ret_hessian !== undefined) {
    const n = result.ret_hessian.length;
    lines.push(`   return_hessian (Eh/bohr², ${n} × ${n}, rows and columns x1 y1 z1 x2 …):`);
    for (const row of result.ret_hessian) lines.push(`     ${numbers(row, 10)}`);
  }
  if (timings !== undefined) {
    lines.push(
      `   timings: ${timings.tasks_run} tasks run, ${timings.tasks_from_store} from the store; ${timings.task_s_total.toFixed(1)} s of calcs, ${timings.wall_s.toFixed(1)} s wall`,
    );
    const slowest = Object.entries(timings.tasks)
      .filter(([, t]) => t.duration_s !== null)
      .sort((a, b) => (b[1].duration_s ?? 0) - (a[1].duration_s ?? 0))
      .slice(0, 5);
    for (const [label, t] of slowest) {
      lines.push(
        `     ${(t.duration_s ?? 0).toFixed(1).padStart(8)} s  ${label}${t.from_store ? ' (from the store)' : ''}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function numbers(row: readonly number[], decimals: number): string {
  return row.map((v) => v.toFixed(decimals).padStart(decimals + 5)).join(' ');
}
