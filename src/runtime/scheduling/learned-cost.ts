import type { CalcSpec } from '../../core/calc-spec.js';
import { calcFeatures, type CalcFeatures } from './calc-features.js';
import { heuristicCalcSeconds, heuristicExponent } from './cost-model.js';

/** What a prediction needs of a calc: the spec without its resources (as stored) will do. */
export type CostedSpec = Pick<
  CalcSpec,
  'program' | 'task' | 'method' | 'basis' | 'molecule' | 'structure'
>;

/** One measured calc: its spec and the wall time of its successful attempt, s. */
export interface CostSample {
  readonly spec: CostedSpec;
  readonly durationS: number;
}

/**
 * Where a prediction came from: `method` the calcs of the same program, task, method and
 * basis; `task` the same program and task; `program` the same program; `heuristic` no timing
 * of the program in the store (cost-model.ts heuristicCalcSeconds).
 */
export type CostSource = 'method' | 'task' | 'program' | 'heuristic';

export interface CostPrediction {
  readonly seconds: number;
  readonly source: CostSource;
}

/** A fitted power law t = exp(lnScale) · size^exponent, or a median when there is no size. */
interface Fit {
  readonly lnScale: number;
  readonly exponent: number;
  /** Median wall time of the group, for calcs whose size is unknown. */
  readonly medianS: number;
}

/** Which size of a calc (calc-features.ts) the power law is fitted against. */
export type SizeFeature = keyof CalcFeatures;

/** Exponents outside this range come from noise, not from the method's scaling. */
const MIN_EXPONENT = 0;
const MAX_EXPONENT = 6;

/**
 * The cost model: the wall time of a calc, learned from the store's successful attempts.
 *
 * Calcs are grouped three ways — program + task + method + basis, program + task, program — and
 * each group fits ln t = ln a + p · ln n by least squares, n being the calc's size
 * (calc-features.ts `basis_electrons` unless another size is named). A group whose calcs have fewer than two distinct sizes
 * takes p from the heuristic (cost-model.ts) and fits a only. A prediction uses the most
 * specific group that has timings; a calc whose size is unknown gets the group's median. With
 * no timing of the program at all the heuristic answers. Wall times depend on the machine
 * and the cores: the model is only as good as the store is like the run it predicts.
 */
export class CostModel {
  private constructor(
    private readonly fits: ReadonlyMap<string, Fit>,
    private readonly size: SizeFeature,
  ) {}

  static learn(samples: readonly CostSample[], size: SizeFeature = 'basis_electrons'): CostModel {
    const groups = new Map<string, { size: number | null; seconds: number }[]>();
    for (const { spec, durationS } of samples) {
      if (!(durationS > 0)) continue;
      const n = calcFeatures(spec)?.[size] ?? null;
      for (const key of groupKeys(spec)) {
        let group = groups.get(key);
        if (group === undefined) groups.set(key, (group = []));
        group.push({ size: n, seconds: durationS });
      }
    }
    const fits = new Map<string, Fit>();
    for (const [key, points] of groups) {
      fits.set(key, fit(points, heuristicExponent(key.split('\u0000')[0] ?? '')));
    }
    return new CostModel(fits, size);
  }

  predict(spec: CostedSpec): CostPrediction {
    const size = calcFeatures(spec)?.[this.size] ?? null;
    const sources: CostSource[] = ['method', 'task', 'program'];
    const keys = groupKeys(spec);
    for (let i = 0; i < keys.length; i++) {
      const f = this.fits.get(keys[i] ?? '');
      if (f === undefined) continue;
      const seconds =
        size === null || !Number.isFinite(f.lnScale)
          ? f.medianS
          : Math.exp(f.lnScale + f.exponent * Math.log(Math.max(1, size)));
      return { seconds, source: sources[i] ?? 'program' };
    }
    const electrons = calcFeatures(spec)?.basis_electrons ?? null;
    return { seconds: heuristicCalcSeconds(spec.program, electrons), source: 'heuristic' };
  }
}

function groupKeys(spec: CostedSpec): string[] {
  const sep = '\u0000';
  const method = (spec.method ?? '').toLowerCase();
  const basis = (spec.basis ?? '').toLowerCase();
  return [
    [spec.program, spec.task, method, basis].join(sep),
    [spec.program, spec.task].join(sep),
    spec.program,
  ];
}

function fit(points: readonly { size: number | null; seconds: number }[], prior: number): Fit {
  const medianS = median(points.map((p) => p.seconds));
  const sized = points
    .filter((p): p is { size: number; seconds: number } => p.size !== null)
    .map((p) => ({ x: Math.log(Math.max(1, p.size)), y: Math.log(p.seconds) }));
  if (sized.length === 0) return { lnScale: Number.NaN, exponent: prior, medianS };
  const mx = mean(sized.map((p) => p.x));
  const my = mean(sized.map((p) => p.y));
  let sxx = 0;
  let sxy = 0;
  for (const p of sized) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
  }
  // Fewer than two sizes say nothing of the exponent: the heuristic's stands.
  const exponent = sxx < 1e-9 ? prior : Math.min(MAX_EXPONENT, Math.max(MIN_EXPONENT, sxy / sxx));
  return { lnScale: my - exponent * mx, exponent, medianS };
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
