/**
 * Statistics of signed errors (PM7 − reference, kcal/mol): n, MAE (mean |e|), MSE (mean signed
 * error, the bias: positive when PM7 is too high), RMSE, and the largest |e| with its label.
 * Undefined for no values.
 */
export interface ErrorStats {
  readonly n: number;
  readonly mae: number;
  readonly mse: number;
  readonly rmse: number;
  readonly max_abs: number;
  readonly max_abs_label: string;
}

export function errorStats(
  errors: readonly { readonly value: number; readonly label: string }[],
): ErrorStats | undefined {
  if (errors.length === 0) return undefined;
  let abs = 0;
  let signed = 0;
  let squares = 0;
  let maxAbs = -1;
  let maxLabel = '';
  for (const { value, label } of errors) {
    abs += Math.abs(value);
    signed += value;
    squares += value * value;
    if (Math.abs(value) > maxAbs) {
      maxAbs = Math.abs(value);
      maxLabel = label;
    }
  }
  const n = errors.length;
  return {
    n,
    mae: abs / n,
    mse: signed / n,
    rmse: Math.sqrt(squares / n),
    max_abs: maxAbs,
    max_abs_label: maxLabel,
  };
}
