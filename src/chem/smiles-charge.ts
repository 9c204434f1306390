/**
 * The total formal charge a SMILES string states, in e: the sum of the charges of its bracket
 * atoms (`[O-]` −1, `[NH4+]` +1, `[Fe+2]` +2, `[O--]` −2, `[Cu++]` +2). Atoms outside brackets
 * are neutral in SMILES, so they add nothing. Several dot-separated components are summed.
 */
export function formalChargeFromSmiles(smiles: string): number {
  let total = 0;
  for (const match of smiles.matchAll(/\[([^\]]*)\]/g)) total += bracketCharge(match[1] ?? '');
  return total;
}

// Inside a bracket atom the charge follows the element, hydrogen count and chirality and comes
// before an optional `:class`: `+`, `-`, `++`, `--`, `+2`, `-3`.
function bracketCharge(body: string): number {
  const withoutClass = body.replace(/:\d+$/, '');
  const m = /([+-])(\1*|\d+)$/.exec(withoutClass);
  if (m === null) return 0;
  const sign = m[1] === '+' ? 1 : -1;
  const rest = m[2] ?? '';
  const size = rest === '' ? 1 : /^\d+$/.test(rest) ? Number(rest) : rest.length + 1;
  return sign * size;
}
