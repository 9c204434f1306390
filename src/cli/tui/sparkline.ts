const BARS = '▁▂▃▄▅▆▇█';

/** Values as a row of block characters, the largest as a full block; all-zero rows stay low. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values);
  return values
    .map((v) => (max === 0 ? BARS[0] : BARS[Math.round((v / max) * (BARS.length - 1))]))
    .join('');
}
