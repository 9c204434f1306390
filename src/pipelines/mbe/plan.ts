import { InputError } from '../../core/errors.js';
import { maxLevel, type BsseType } from './input.js';

/**
 * The task list of a many-body expansion, exactly as QCManyBody's ManyBodyCore builds it
 * (`build_nbody_compute_list` per model chemistry, deduplicated by label in
 * `iterate_molecules`), but kept as index tuples: no geometry is built here (see subsystem.ts),
 * which is what makes planning 31,596 vmfc tasks take milliseconds instead of a minute.
 */

/** An n-body level of a model chemistry, or its role as the supersystem. */
export type NbodyLevel = number | 'supersystem';

/**
 * One subsystem pattern: `real` fragments computed in the basis of `basis` fragments
 * (real ⊆ basis; basis \ real are ghosts). Both ascending, 1-based fragment numbers. `key` is
 * `"1,3@1,2,3"`, unique per pattern; the same object is shared by every mc and set using it.
 */
export interface FragBas {
  readonly real: readonly number[];
  readonly basis: readonly number[];
  readonly key: string;
}

/** Sets of patterns keyed by n-body level (QCManyBody's compute_dict[...][n]). */
export type NbodySets = ReadonlyMap<number, ReadonlyMap<string, FragBas>>;

/**
 * QCManyBody's compute_dict for one model chemistry: for each n-body level n of the mc, the
 * patterns needed to evaluate level n (not only the n-mers). `vmfc_levels` holds the vmfc
 * patterns keyed by basis size.
 */
export interface McCompute {
  readonly all: NbodySets;
  readonly cp: NbodySets;
  readonly nocp: NbodySets;
  readonly vmfc_compute: NbodySets;
  readonly vmfc_levels: NbodySets;
}

/**
 * One task to run: model chemistry `mc`, real and basis fragments (1-based, ascending) and the
 * QCManyBody label `["mc", [real…], [basis…]]` (json.dumps spelling) that keys its results.
 */
export interface MbeTask {
  readonly mc: string;
  readonly real: readonly number[];
  readonly basis: readonly number[];
  readonly label: string;
}

/** What planning needs of an input (a subset of MbeInput). */
export interface PlanKeywords {
  readonly bsse_type: readonly BsseType[];
  readonly levels: Readonly<Record<string, string>>;
  readonly return_total_data: boolean;
  readonly supersystem_ie_only: boolean;
}

/** Counts by number of real fragments, per mc, for the sets all / nocp / cp / vmfc_compute. */
export type PlanCounts = Readonly<
  Record<
    'all' | 'nocp' | 'cp' | 'vmfc_compute',
    Readonly<Record<string, Readonly<Record<string, number>>>>
  >
>;

export interface MbePlan {
  readonly nfragments: number;
  /** The largest integer n-body level. */
  readonly max_nbody: number;
  /** Effective BSSE treatments: as requested, plus the free nocp (and cp) of single-level vmfc. */
  readonly bsse_type: readonly BsseType[];
  readonly return_bsse_type: BsseType;
  readonly return_total_data: boolean;
  readonly supersystem_ie_only: boolean;
  /** The supersystem model chemistry, if levels have one. */
  readonly supersystem_mc: string | undefined;
  /**
   * mc → its n-body levels, ordered by the lowest level covered; the supersystem mc has
   * 'supersystem' last (QCManyBody's nbodies_per_mc_level).
   */
  readonly nbodies_per_mc_level: ReadonlyMap<string, readonly NbodyLevel[]>;
  readonly compute: ReadonlyMap<string, McCompute>;
  /** The unique tasks (one per label), mc by mc. Their number is calcinfo_nmbe. */
  readonly tasks: readonly MbeTask[];
}

/**
 * QCManyBody's label of a task: `json.dumps([mc, real, basis])`, e.g.
 * `["mp2", [1, 3], [1, 2, 3]]` (", " separators; non-ASCII escaped as json.dumps does).
 */
export function taskLabel(mc: string, real: readonly number[], basis: readonly number[]): string {
  return `[${pyJsonString(mc)}, [${real.join(', ')}], [${basis.join(', ')}]]`;
}

/** Python json.dumps of a string (ensure_ascii): JSON.stringify, then escape non-ASCII. */
function pyJsonString(s: string): string {
  return JSON.stringify(s).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Parses a label (`["mc", [1], [1, 2]]`) back into its parts, or undefined when it is not one.
 */
export function parseTaskLabel(
  label: string,
): { mc: string; real: number[]; basis: number[] } | undefined {
  let v: unknown;
  try {
    v = JSON.parse(label);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v) || v.length !== 3) return undefined;
  const [mc, real, basis] = v as unknown[];
  const ints = (x: unknown): x is number[] =>
    Array.isArray(x) && x.every((i) => typeof i === 'number' && Number.isInteger(i) && i >= 1);
  if (typeof mc !== 'string' || !ints(real) || !ints(basis)) return undefined;
  return { mc, real, basis };
}

/**
 * Builds the plan. `levels` must be in core form and already checked (normalizeMbeFields);
 * throws InputError on the inconsistencies QCManyBody's core raises for.
 */
export function planMbe(keywords: PlanKeywords, nfragments: number): MbePlan {
  const levels = keywords.levels;
  const maxNbody = maxLevel(levels);
  const bsse = effectiveBsse(keywords, nfragments);
  const nbodiesPerMc = nbodiesPerMcLevel(levels);
  const ss = levels.supersystem;

  const interned = new Map<string, FragBas>();
  const intern = (real: readonly number[], basis: readonly number[]): FragBas => {
    const key = `${real.join(',')}@${basis.join(',')}`;
    let fb = interned.get(key);
    if (fb === undefined) {
      fb = { real, basis, key };
      interned.set(key, fb);
    }
    return fb;
  };
  const combos = new CombinationCache(nfragments);

  const compute = new Map<string, McCompute>();
  for (const [mc, nbodies] of nbodiesPerMc) {
    compute.set(
      mc,
      buildComputeList(
        bsse,
        nfragments,
        nbodies,
        keywords.return_total_data,
        keywords.supersystem_ie_only,
        maxNbody,
        intern,
        combos,
      ),
    );
  }

  const tasks: MbeTask[] = [];
  const seen = new Set<string>();
  for (const [mc, c] of compute) {
    for (const set of c.all.values()) {
      for (const fb of set.values()) {
        const label = taskLabel(mc, fb.real, fb.basis);
        if (seen.has(label)) continue;
        seen.add(label);
        tasks.push({ mc, real: fb.real, basis: fb.basis, label });
      }
    }
  }

  return {
    nfragments,
    max_nbody: maxNbody,
    bsse_type: bsse,
    return_bsse_type: bsse[0] ?? 'cp',
    return_total_data: keywords.return_total_data,
    supersystem_ie_only: keywords.supersystem_ie_only,
    supersystem_mc: ss,
    nbodies_per_mc_level: nbodiesPerMc,
    compute,
    tasks,
  };
}

/**
 * The BSSE treatments planned: as requested, plus the free nocp (and cp) of single-level vmfc.
 * Throws InputError on the inconsistencies QCManyBody's core raises for.
 */
export function effectiveBsse(keywords: PlanKeywords, nfragments: number): BsseType[] {
  const maxNbody = maxLevel(keywords.levels);
  const mcSet = new Set(Object.values(keywords.levels));
  const bsse = [...keywords.bsse_type];
  if (bsse.length === 0)
    throw new InputError('bsse_type', 'no BSSE treatment given (expected nocp, cp and/or vmfc)');
  if (bsse.includes('vmfc') && mcSet.size === 1) {
    if (!bsse.includes('nocp')) bsse.push('nocp');
    if (!bsse.includes('cp') && maxNbody === nfragments) bsse.push('cp');
  }
  if (nfragments < 2)
    throw new InputError(
      'molecule.fragments',
      'only one fragment: a many-body expansion needs at least two',
    );
  return bsse;
}

/**
 * mc → its n-body levels, ordered by the lowest level covered, the supersystem mc (alone) last
 * (QCManyBody's nbodies_per_mc_level).
 */
export function nbodiesPerMcLevel(
  levels: Readonly<Record<string, string>>,
): Map<string, NbodyLevel[]> {
  const maxNbody = maxLevel(levels);
  const perMc = new Map<string, NbodyLevel[]>();
  for (let n = 1; n <= maxNbody; n++) {
    const mc = levels[String(n)];
    if (mc === undefined)
      throw new InputError('levels', `expected contiguous levels from 1 to ${maxNbody}`);
    const list = perMc.get(mc) ?? [];
    list.push(n);
    perMc.set(mc, list);
  }
  const ss = levels.supersystem;
  if (ss !== undefined) {
    const list = perMc.get(ss) ?? [];
    list.push('supersystem');
    perMc.set(ss, list);
  }
  return new Map([...perMc.entries()].sort((a, b) => lowest(a[1]) - lowest(b[1])));
}

function lowest(nbodies: readonly NbodyLevel[]): number {
  let min = 1000;
  for (const n of nbodies) if (typeof n === 'number' && n < min) min = n;
  return min;
}

/** k-subsets of {1..n} in itertools.combinations order, built once per (n, k). */
class CombinationCache {
  private readonly byNk = new Map<number, number[][]>();
  constructor(private readonly n: number) {}

  of(k: number, n = this.n): readonly (readonly number[])[] {
    const key = n * 4096 + k;
    let list = this.byNk.get(key);
    if (list === undefined) {
      list = [];
      combinations(n, k, list);
      this.byNk.set(key, list);
    }
    return list;
  }
}

function combinations(n: number, k: number, out: number[][]): void {
  if (k < 1 || k > n) return;
  const idx = Array.from({ length: k }, (_, i) => i + 1);
  for (;;) {
    out.push(idx.slice());
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i + 1) i--;
    if (i < 0) return;
    idx[i] = (idx[i] ?? 0) + 1;
    for (let j = i + 1; j < k; j++) idx[j] = (idx[j - 1] ?? 0) + 1;
  }
}

/** The non-empty subsets of `set` (ascending tuples), by size then lexicographically. */
function subsetsOf(set: readonly number[], combos: CombinationCache): (readonly number[])[] {
  const out: (readonly number[])[] = [];
  for (let k = 1; k <= set.length; k++) {
    for (const pick of combos.of(k, set.length)) out.push(pick.map((i) => set[i - 1] ?? 0));
  }
  return out;
}

type MutableSets = Map<number, Map<string, FragBas>>;

function setFor(sets: MutableSets, nb: number): Map<string, FragBas> {
  let s = sets.get(nb);
  if (s === undefined) {
    s = new Map();
    sets.set(nb, s);
  }
  return s;
}

/** QCManyBody's builder.build_nbody_compute_list, for one model chemistry. */
function buildComputeList(
  bsse: readonly BsseType[],
  nfr: number,
  nbodiesWithSs: readonly NbodyLevel[],
  rtd: boolean,
  sio: boolean,
  ssMaxNbody: number,
  intern: (real: readonly number[], basis: readonly number[]) => FragBas,
  combos: CombinationCache,
): McCompute {
  const includeSs = nbodiesWithSs.includes('supersystem');
  const nbodies = nbodiesWithSs.filter((n): n is number => typeof n === 'number');
  const emptySets = (): MutableSets => new Map(nbodies.map((n) => [n, new Map<string, FragBas>()]));
  const cp = emptySets();
  const nocp = emptySets();
  const vmfc = emptySets();
  const vmfcLevels = emptySets();
  const full = Array.from({ length: nfr }, (_, i) => i + 1);
  const add = (sets: MutableSets, nb: number, fb: FragBas): void => {
    setFor(sets, nb).set(fb.key, fb);
  };

  if (bsse.includes('cp')) {
    if (sio) {
      for (const sub of [1, nfr]) for (const x of combos.of(sub)) add(cp, nfr, intern(x, full));
    } else {
      for (const nb of nbodies) {
        // n = 1 is skipped: full-basis monomers cancel at 1-body (QCManyBody Note A.1).
        if (nb > 1) {
          for (let sub = 1; sub <= nb; sub++) {
            for (const x of combos.of(sub)) add(cp, nb, intern(x, full));
          }
        }
      }
    }
  }
  if (bsse.includes('nocp')) {
    if (sio) {
      for (const sub of [1, nfr]) for (const x of combos.of(sub)) add(nocp, nfr, intern(x, x));
    } else {
      for (const nb of nbodies) {
        for (let sub = 1; sub <= nb; sub++) {
          for (const x of combos.of(sub)) add(nocp, nb, intern(x, x));
        }
      }
    }
  }
  if (bsse.includes('vmfc')) {
    for (const nb of nbodies) {
      for (const basis of combos.of(nb)) {
        for (const real of subsetsOf(basis, combos)) {
          const fb = intern(real, basis);
          add(vmfc, nb, fb);
          add(vmfcLevels, basis.length, fb);
        }
      }
    }
  }
  if (rtd && nbodies.includes(1)) {
    for (let f = 1; f <= nfr; f++) add(nocp, 1, intern([f], [f]));
  }
  if (includeSs) {
    for (let nb = 1; nb <= ssMaxNbody; nb++) {
      setFor(cp, nb);
      setFor(vmfc, nb);
      for (let sub = 1; sub <= nb; sub++) {
        for (const x of combos.of(sub)) add(nocp, nb, intern(x, x));
      }
    }
    add(nocp, nfr, intern(full, full));
  }

  const all: MutableSets = new Map();
  for (const nb of nbodies) {
    const s = setFor(all, nb);
    for (const src of [cp, nocp, vmfc])
      for (const fb of src.get(nb)?.values() ?? []) s.set(fb.key, fb);
  }
  if (includeSs) {
    for (const [nb, src] of nocp) {
      const s = setFor(all, nb);
      for (const fb of src.values()) s.set(fb.key, fb);
    }
  }
  return { all, cp, nocp, vmfc_compute: vmfc, vmfc_levels: vmfcLevels };
}

/**
 * Counts per mc and number of real fragments, for the sets all / nocp / cp / vmfc_compute
 * (the union over n-body levels, as QCManyBody's format_calc_plan counts them).
 */
export function planCounts(plan: MbePlan): PlanCounts {
  const out = { all: {}, nocp: {}, cp: {}, vmfc_compute: {} } as Record<
    'all' | 'nocp' | 'cp' | 'vmfc_compute',
    Record<string, Record<string, number>>
  >;
  for (const [mc, c] of plan.compute) {
    for (const sset of ['all', 'nocp', 'cp', 'vmfc_compute'] as const) {
      const union = new Map<string, FragBas>();
      for (const set of c[sset].values()) for (const fb of set.values()) union.set(fb.key, fb);
      const counts: Record<string, number> = {};
      const bySize = new Map<number, number>();
      for (const fb of union.values())
        bySize.set(fb.real.length, (bySize.get(fb.real.length) ?? 0) + 1);
      for (const n of [...bySize.keys()].sort((a, b) => a - b))
        counts[String(n)] = bySize.get(n) ?? 0;
      out[sset][mc] = counts;
    }
  }
  return out;
}

/**
 * The per-mc count table, laid out as QCManyBody's format_calc_plan prints it, followed by the
 * number of unique tasks (calcinfo_nmbe).
 */
export function formatPlan(plan: MbePlan): string {
  const counts = planCounts(plan);
  const lines: string[] = [];
  let i = 0;
  for (const mc of plan.compute.keys()) {
    const all = counts.all[mc] ?? {};
    const total = Object.values(all).reduce((a, b) => a + b, 0);
    const header = `    Model chemistry "${mc}" (§${String.fromCharCode(65 + i)}):`;
    lines.push(`${header.padEnd(38)} ${String(total).padStart(6)}`);
    for (const [n, count] of Object.entries(all)) {
      const other = (['nocp', 'cp', 'vmfc_compute'] as const)
        .map((s) => `${s}: ${counts[s][mc]?.[n] ?? 0}`)
        .join(', ');
      lines.push(
        `        Number of ${n}-body computations: ${String(count).padStart(6)} (${other})`,
      );
    }
    lines.push('');
    i++;
  }
  lines.push(
    `    Unique tasks (calcinfo_nmbe): ${plan.tasks.length}   bsse_type: ${plan.bsse_type.join(', ')} (returns ${plan.return_bsse_type})`,
  );
  return `${lines.join('\n')}\n`;
}
