/**
 * The correctly rounded sum of floats: Python's `math.fsum` (Shewchuk's algorithm with the
 * final half-way correction, as CPython implements it). QCManyBody sums scalar task results with
 * it, so using the same sum keeps our energies bit-for-bit comparable.
 */
export function fsum(values: Iterable<number>): number {
  const partials: number[] = [];
  for (let x of values) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n] ?? 0;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n] ?? 0;
    hi = x + y;
    const yr = hi - x;
    lo = y - yr;
    if (lo !== 0) break;
  }
  const next = partials[n - 1] ?? 0;
  if (n > 0 && ((lo < 0 && next < 0) || (lo > 0 && next > 0))) {
    const y = lo * 2;
    const x = hi + y;
    const yr = x - hi;
    if (y === yr) hi = x;
  }
  return hi;
}
