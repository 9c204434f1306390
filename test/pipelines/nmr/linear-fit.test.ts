import { describe, expect, it } from 'vitest';
import {
  fitWithOutlierRemoval,
  studentTCdf,
  studentTQuantile,
} from '../../../src/pipelines/nmr/linear-fit.js';

describe('fitWithOutlierRemoval', () => {
  it('gives the least-squares line, R², MAE, RMSD and 95 % intervals computed by hand', () => {
    const x = [1, 2, 3, 4, 5];
    const y = [2.1, 3.9, 6.2, 7.8, 10.1];
    // By hand: x̄ = 3, ȳ = 6.02, Sxx = 10, Sxy = (-2)(-3.92)+(-1)(-2.12)+0+(1)(1.78)+(2)(4.08) = 19.9.
    const slope = 1.99;
    const intercept = 6.02 - 1.99 * 3;
    const residuals = x.map((xi, i) => (y[i] ?? 0) - (slope * xi + intercept));
    // intercept 0.05; residuals 0.06, -0.13, 0.18, -0.21, 0.1 → SSE = 0.107
    const sse = residuals.reduce((s, r) => s + r * r, 0);
    expect(sse).toBeCloseTo(0.107, 10);
    const sst = y.reduce((s, v) => s + (v - 6.02) ** 2, 0);
    const fit = fitWithOutlierRemoval(x, y);
    expect(fit).toBeDefined();
    if (fit === undefined) return;
    expect(fit.slope).toBeCloseTo(slope, 12);
    expect(fit.intercept).toBeCloseTo(intercept, 12);
    expect(fit.r_squared).toBeCloseTo(1 - sse / sst, 12);
    expect(fit.mae).toBeCloseTo((0.06 + 0.13 + 0.18 + 0.21 + 0.1) / 5, 12);
    expect(fit.rmsd).toBeCloseTo(Math.sqrt(0.107 / 5), 12);
    expect(fit.n).toBe(5);
    expect(fit.outliers).toEqual([]);
    // t(0.975, 3) = 3.182446 (tables); s = √(SSE/3); SE(slope) = s/√10; SE(b) = s·√(1/5 + 9/10).
    const s = Math.sqrt(0.107 / 3);
    expect(fit.ci_slope[0]).toBeCloseTo(slope - 3.182446 * (s / Math.sqrt(10)), 5);
    expect(fit.ci_slope[1]).toBeCloseTo(slope + 3.182446 * (s / Math.sqrt(10)), 5);
    expect(fit.ci_intercept[1]).toBeCloseTo(intercept + 3.182446 * s * Math.sqrt(0.2 + 0.9), 5);
  });

  it('drops a point beyond 3 standard deviations of the residuals and refits the rest', () => {
    // 20 points on y = -0.9x + 30 with ±0.05 alternating noise, and one 5 ppm off.
    const x = Array.from({ length: 21 }, (_, i) => 20 + i * 0.6);
    const y = x.map((xi, i) => -0.9 * xi + 30 + (i % 2 === 0 ? 0.05 : -0.05));
    y[7] = (y[7] ?? 0) + 5;
    const fit = fitWithOutlierRemoval(x, y);
    expect(fit?.outliers).toEqual([7]);
    expect(fit?.n).toBe(20);
    expect(fit?.slope).toBeCloseTo(-0.9, 2);
    expect(fit?.intercept).toBeCloseTo(30, 1);
  });

  it('gives nothing for fewer than 3 points or one x value', () => {
    expect(fitWithOutlierRemoval([1, 2], [1, 2])).toBeUndefined();
    expect(fitWithOutlierRemoval([1, 1, 1], [1, 2, 3])).toBeUndefined();
  });
});

describe('Student t', () => {
  it('has the tabulated 97.5 % quantiles', () => {
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.182446, 5);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.975, 333)).toBeCloseTo(1.967, 3);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 12);
  });
});
