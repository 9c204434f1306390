/**
 * Ordinary least squares y = slope·x + intercept with one round of outlier removal, as the
 * scaling factors of the NMR benchmark are derived:
 *
 * 1. fit every point;
 * 2. drop the points whose |residual| exceeds `sigmas` (3) standard deviations of the residuals
 *    (population standard deviation, divisor n);
 * 3. fit the rest once more. Everything reported is of that second fit over the kept points.
 *
 * - `r_squared`: 1 − SSE/SST;
 * - `mae`, `rmsd`: mean |residual| and √(mean residual²) of the kept points (the units of y);
 * - `ci_slope`, `ci_intercept`: 95 % confidence intervals, estimate ± t(0.975, n−2)·SE with
 *   SE from s² = SSE/(n−2) (SE(slope) = s/√Sxx, SE(intercept) = s·√(1/n + x̄²/Sxx));
 * - `n`: points kept; `outliers`: indices (into the input) of the points dropped.
 */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  readonly r_squared: number;
  readonly mae: number;
  readonly rmsd: number;
  readonly n: number;
  readonly ci_slope: readonly [number, number];
  readonly ci_intercept: readonly [number, number];
  readonly outliers: readonly number[];
}

/** The fit of {@link LinearFit}; needs at least 3 points with two distinct x. */
export function fitWithOutlierRemoval(
  x: readonly number[],
  y: readonly number[],
  sigmas = 3,
): LinearFit | undefined {
  if (x.length !== y.length || x.length < 3) return undefined;
  const first = ols(x, y);
  if (first === undefined) return undefined;
  const residuals = x.map((xi, i) => (y[i] ?? 0) - (first.slope * xi + first.intercept));
  const sd = Math.sqrt(
    residuals.reduce((s, r) => s + r * r, 0) / residuals.length -
      (residuals.reduce((s, r) => s + r, 0) / residuals.length) ** 2,
  );
  const outliers = residuals.flatMap((r, i) => (Math.abs(r) > sigmas * sd ? [i] : []));
  const keep = x.map((_, i) => i).filter((i) => !outliers.includes(i));
  const kx = keep.map((i) => x[i] ?? 0);
  const ky = keep.map((i) => y[i] ?? 0);
  const fit = keep.length >= 3 ? ols(kx, ky) : undefined;
  if (fit === undefined) return undefined;
  const n = kx.length;
  const res = kx.map((xi, i) => (ky[i] ?? 0) - (fit.slope * xi + fit.intercept));
  const sse = res.reduce((s, r) => s + r * r, 0);
  const my = ky.reduce((s, v) => s + v, 0) / n;
  const sst = ky.reduce((s, v) => s + (v - my) ** 2, 0);
  const s = Math.sqrt(sse / (n - 2));
  const t = studentTQuantile(0.975, n - 2);
  const seSlope = s / Math.sqrt(fit.sxx);
  const seIntercept = s * Math.sqrt(1 / n + fit.mx ** 2 / fit.sxx);
  return {
    slope: fit.slope,
    intercept: fit.intercept,
    r_squared: sst === 0 ? 1 : 1 - sse / sst,
    mae: res.reduce((a, r) => a + Math.abs(r), 0) / n,
    rmsd: Math.sqrt(sse / n),
    n,
    ci_slope: [fit.slope - t * seSlope, fit.slope + t * seSlope],
    ci_intercept: [fit.intercept - t * seIntercept, fit.intercept + t * seIntercept],
    outliers,
  };
}

interface Ols {
  readonly slope: number;
  readonly intercept: number;
  readonly mx: number;
  readonly sxx: number;
}

function ols(x: readonly number[], y: readonly number[]): Ols | undefined {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let sxy = 0;
  x.forEach((xi, i) => {
    sxx += (xi - mx) ** 2;
    sxy += (xi - mx) * ((y[i] ?? 0) - my);
  });
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, mx, sxx };
}

/** The p-quantile of Student's t distribution with `df` degrees of freedom (bisection). */
export function studentTQuantile(p: number, df: number): number {
  let lo = -1e3;
  let hi = 1e3;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Student's t CDF through the regularized incomplete beta function. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** I_x(a, b), by its continued fraction (modified Lentz), using the symmetry for large x. */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  if (x > (a + 1) / (a + b + 2)) return 1 - (front * betaFraction(1 - x, b, a)) / b;
  return (front * betaFraction(x, a, b)) / a;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    // Even step, then odd step, of the fraction's terms.
    for (const num of [
      (m * (b - m) * x) / ((a + m2 - 1) * (a + m2)),
      (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1)),
    ]) {
      d = 1 + num * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(z) for z > 0 (Lanczos, g = 7, 9 terms). */
function lnGamma(z: number): number {
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - lnGamma(1 - z);
  const zz = z - 1;
  let sum = g[0] ?? 1;
  for (let i = 1; i < g.length; i++) sum += (g[i] ?? 0) / (zz + i);
  const t = zz + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(sum);
}
