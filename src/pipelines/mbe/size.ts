import { InputError } from '../../core/errors.js';
import { maxLevel } from './input.js';
import { effectiveBsse, nbodiesPerMcLevel, type PlanKeywords } from './plan.js';

/** Above this many unique tasks an input is refused unless its limit is raised. */
export const DEFAULT_MAX_TASKS = 200_000;

/** Above this many unique tasks planning warns with the count and its memory. */
export const WARN_TASKS = 20_000;

/**
 * Bytes a planned and prepared task holds, roughly: its label and index tuples, its calc spec
 * and one atom record per atom of its basis (measured on water clusters: 1.9 kB a task of up to
 * 9 atoms, 6.0 kB of 42).
 */
const BYTES_PER_TASK = 1_000;
const BYTES_PER_BASIS_ATOM = 120;

/**
 * The number of unique tasks planMbe would build (its calcinfo_nmbe), counted without building
 * them. planMbe's sets are unions of whole families of subsystem patterns: every pattern whose
 * real part has k fragments and whose basis has b (k ≤ b; b = k without ghosts, b = n with the
 * full basis of cp). A family holds C(n, b)·C(b, k) patterns, and two families never share one,
 * so the count is the sum over the distinct families of each model chemistry.
 */
export function countMbeTasks(keywords: PlanKeywords, nfragments: number): number {
  const n = nfragments;
  const bsse = effectiveBsse(keywords, n);
  const ssMaxNbody = maxLevel(keywords.levels);
  const sio = keywords.supersystem_ie_only;
  let total = 0;
  for (const nbodiesWithSs of nbodiesPerMcLevel(keywords.levels).values()) {
    const nbodies = nbodiesWithSs.filter((x): x is number => typeof x === 'number');
    const includeSs = nbodiesWithSs.includes('supersystem');
    // Families by the n-body level they are filed under, and whether that level is counted.
    const byLevel = new Map<number, Set<string>>();
    const add = (level: number, k: number, b: number): void => {
      const set = byLevel.get(level) ?? new Set<string>();
      set.add(`${k},${b}`);
      byLevel.set(level, set);
    };
    const nocpFamilies = new Map<number, Set<string>>();
    const addNocp = (level: number, k: number): void => {
      const set = nocpFamilies.get(level) ?? new Set<string>();
      set.add(`${k},${k}`);
      nocpFamilies.set(level, set);
    };
    if (bsse.includes('cp')) {
      if (sio) for (const k of [1, n]) add(n, k, n);
      else for (const nb of nbodies) if (nb > 1) for (let k = 1; k <= nb; k++) add(nb, k, n);
    }
    if (bsse.includes('nocp')) {
      if (sio) for (const k of [1, n]) addNocp(n, k);
      else for (const nb of nbodies) for (let k = 1; k <= nb; k++) addNocp(nb, k);
    }
    if (bsse.includes('vmfc')) {
      for (const nb of nbodies) for (let k = 1; k <= nb; k++) add(nb, k, nb);
    }
    if (keywords.return_total_data && nbodies.includes(1)) addNocp(1, 1);
    if (includeSs) {
      for (let nb = 1; nb <= ssMaxNbody; nb++) for (let k = 1; k <= nb; k++) addNocp(nb, k);
      addNocp(n, n);
    }
    const families = new Set<string>();
    for (const nb of nbodies) {
      for (const f of byLevel.get(nb) ?? []) families.add(f);
      for (const f of nocpFamilies.get(nb) ?? []) families.add(f);
    }
    if (includeSs) for (const set of nocpFamilies.values()) for (const f of set) families.add(f);
    for (const f of families) {
      const [k, b] = f.split(',').map(Number) as [number, number];
      total += binomial(n, b) * binomial(b, k);
    }
  }
  return total;
}

/** C(n, k) as a float (exact below 2^53, which is far beyond any limit here). */
function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - Math.min(k, n - k) + i)) / i;
  return Math.round(r);
}

/**
 * Rough memory, bytes, of planning and preparing the tasks: the largest basis holds every atom
 * with cp (or a supersystem), else about max_nbody fragments' worth.
 */
export function estimatedBytes(
  tasks: number,
  keywords: PlanKeywords,
  nfragments: number,
  natoms: number,
): number {
  const everyAtom = keywords.bsse_type.includes('cp') || keywords.levels.supersystem !== undefined;
  const basisAtoms = everyAtom
    ? natoms
    : Math.ceil((natoms * Math.min(maxLevel(keywords.levels), nfragments)) / nfragments);
  return tasks * (BYTES_PER_TASK + BYTES_PER_BASIS_ATOM * basisAtoms);
}

/**
 * Refuses (InputError naming `source`) an expansion of more than `maxTasks` unique tasks before
 * any is built, saying how to raise the limit; returns the count and, above {@link WARN_TASKS},
 * a warning with the count and the memory it will take.
 */
export function checkMbeSize(
  keywords: PlanKeywords,
  nfragments: number,
  natoms: number,
  maxTasks: number,
  source: string,
): { readonly tasks: number; readonly warning: string | undefined } {
  const tasks = countMbeTasks(keywords, nfragments);
  const memory = formatBytes(estimatedBytes(tasks, keywords, nfragments, natoms));
  if (tasks > maxTasks) {
    throw new InputError(
      source,
      `${formatCount(tasks)} unique tasks (${nfragments} fragments up to ${maxLevel(keywords.levels)}-body), more than the limit of ${formatCount(maxTasks)}; planning and preparing them would take about ${memory} of memory. Lower max_nbody, or raise the limit with execution.max_tasks or --max-tasks`,
    );
  }
  const warning =
    tasks > WARN_TASKS
      ? `${source}: ${formatCount(tasks)} unique tasks; planning and preparing them takes about ${memory} of memory`
      : undefined;
  return { tasks, warning };
}

function formatCount(n: number): string {
  return n < 1e6 ? n.toLocaleString('en-US') : n.toExponential(2).replace('e+', '×10^');
}

function formatBytes(bytes: number): string {
  if (bytes < 1e6) return `${Math.ceil(bytes / 1e3)} kB`;
  if (bytes < 1e9) return `${Math.ceil(bytes / 1e6)} MB`;
  return `${(bytes / 1e9).toPrecision(2).replace(/e\+(\d+)$/, '×10^$1')} GB`;
}
