import type { JsonValue } from '../core/calc-spec.js';

/** A short human summary of a calc result: the number a chemist looks for first. */
export function resultSummary(result: Readonly<Record<string, JsonValue>>): string {
  const parts: string[] = [];
  const num = (k: string): number | undefined =>
    typeof result[k] === 'number' ? result[k] : undefined;
  const hof = num('heat_of_formation_kcal_mol');
  if (hof !== undefined) parts.push(`HOF ${hof.toFixed(3)} kcal/mol`);
  const energy = num('total_energy_hartree');
  if (energy !== undefined) parts.push(`E ${energy.toFixed(8)} Eh`);
  const exit = num('exit_code');
  if (exit !== undefined) parts.push(`exit ${exit}`);
  const conformers = num('count');
  if (conformers !== undefined && Array.isArray(result.conformers))
    parts.push(`${conformers} conformers`);
  if (Array.isArray(result.geometry) && parts.length === 0)
    parts.push(`${result.geometry.length} atoms`);
  return parts.join(', ');
}

/** Seconds as `1h02m`, `3m20s`, `12.3s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds - m * 60)).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m - h * 60).padStart(2, '0')}m`;
}

/** A plain text table: columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
