import { atomicNumber } from '../../chem/elements.js';
import { InputError, RetortError } from '../../core/errors.js';
import { fsum } from './fsum.js';
import type { BsseType, MbeInput } from './input.js';
import { formatNbodyTable, modelchemLabels } from './nbody-table.js';
import { planMbe, taskLabel, type FragBas, type MbePlan } from './plan.js';
import type { ComponentResults } from './read-case.js';

/**
 * Assembly of many-body quantities from task results, exactly as QCManyBody's
 * `ManyBodyCore.analyze` (v0.7.1): per-mc n-body sums (nocp / cp / vmfc) combined by
 * inclusion–exclusion, multilevel as per-mc differences D[n] − D[n−1], the supersystem
 * correction, ManyBodyProperties field names. Scalars are summed with fsum like QCManyBody;
 * gradients and Hessians are first padded to the full system (rows of basis fragments, ghosts
 * included, go to their global atoms).
 */

export type PropertyName = 'energy' | 'gradient' | 'hessian';

/** A value of a property: a number (energy, hartree), rows (gradient nat×3, Hessian 3nat×3nat). */
export type PropertyValue = number | number[][];

/**
 * The result of an analysis: QCManyBody's ManyBodyResult shape (`properties` with its field
 * names, `cluster_properties` keyed by task label with arrays already full-size,
 * `return_result`) plus the raw outputs of its `analyze()` (`ret_energy`, `ret_gradient`,
 * `ret_hessian`, the body dicts, `nbody_number`) and the n-body table as `stdout`.
 * Energies hartree, gradients hartree/bohr, Hessians hartree/bohr².
 */
export interface MbeResult {
  readonly schema_name: 'qcschema_many_body_result';
  readonly properties: Readonly<Record<string, PropertyValue>>;
  readonly cluster_properties: Readonly<Record<string, Readonly<Record<string, PropertyValue>>>>;
  readonly return_result: PropertyValue;
  readonly ret_energy: number;
  readonly ret_gradient?: number[][];
  readonly ret_hessian?: number[][];
  /** {"1cp": …, "2cp": …, "1nocp": …} (hartree). */
  readonly energy_body_dict: Readonly<Record<string, number>>;
  readonly gradient_body_dict?: Readonly<Record<string, Readonly<Record<string, number[][]>>>>;
  readonly hessian_body_dict?: Readonly<Record<string, Readonly<Record<string, number[][]>>>>;
  /** Unique tasks (= properties.calcinfo_nmbe). */
  readonly nbody_number: number;
  readonly stdout: string;
  readonly success: true;
}

type Vec = Float64Array<ArrayBuffer>;
type BodyDict = Map<number, Vec>;

interface McResults {
  readonly cp: BodyDict;
  readonly nocp: BodyDict;
  readonly vmfc: BodyDict;
  readonly body: BodyDict;
  readonly ret: Vec;
}

interface Shape {
  readonly length: number;
  readonly scalar: boolean;
}

/**
 * Analyses task results: `components` maps each task label of the plan to the program's
 * energy (and gradient / Hessian at natural size, basis order). Every task of the plan must be
 * there with every property that any task has; mistakes are InputErrors naming the component.
 */
export function analyzeMbe(
  input: MbeInput,
  components: ComponentResults,
  plan: MbePlan = planMbe(input, input.molecule.fragments.length),
): MbeResult {
  const mol = input.molecule;
  const natom = mol.symbols.length;
  const nfr = mol.fragments.length;
  const available = new Set<PropertyName>(['energy']);
  for (const task of plan.tasks) {
    const r = components[task.label];
    if (r?.gradient !== undefined) available.add('gradient');
    if (r?.hessian !== undefined) available.add('hessian');
  }
  if (input.driver === 'gradient' || input.driver === 'hessian') available.add('gradient');
  if (input.driver === 'hessian') available.add('hessian');
  const data = collectData(input, plan, components, available);

  const results = new Map<PropertyName, { ret: Vec; body: Map<BsseType, BodyDict> }>();
  const clusterProperties: Record<string, Record<string, PropertyValue>> = {};
  for (const prop of available) {
    const values = data.get(prop) ?? new Map<string, Vec>();
    const shape: Shape = {
      length: prop === 'energy' ? 1 : prop === 'gradient' ? 3 * natom : 9 * natom * natom,
      scalar: prop === 'energy',
    };
    results.set(prop, analyzeProperty(plan, values, shape));
    for (const [label, v] of values) {
      const cp = (clusterProperties[label] ??= { calcinfo_natom: natom });
      cp[`return_${prop}`] = toValue(v, prop, natom);
    }
  }

  const properties: Record<string, PropertyValue> = {};
  for (const prop of available) {
    const r = results.get(prop);
    if (r === undefined) continue;
    for (const bt of plan.bsse_type) {
      const body = r.body.get(bt) ?? new Map<number, Vec>();
      Object.assign(properties, collectVars(bt, prop, body, plan, natom));
    }
  }
  const energy = results.get('energy');
  const retEnergy = energy?.ret[0] ?? 0;
  const grad = results.get('gradient');
  const hess = results.get('hessian');
  const retGradient = grad === undefined ? undefined : toRows(grad.ret, 3);
  const retHessian = hess === undefined ? undefined : toRows(hess.ret, 3 * natom);

  Object.assign(properties, {
    calcinfo_nmc: plan.nbodies_per_mc_level.size,
    calcinfo_nfr: nfr,
    calcinfo_natom: natom,
    calcinfo_nmbe: plan.tasks.length,
    nuclear_repulsion_energy: nuclearRepulsion(input),
    return_energy: retEnergy,
  });
  if (input.driver === 'gradient' && retGradient !== undefined) {
    properties.return_gradient = retGradient;
  } else if (input.driver === 'hessian' && retHessian !== undefined) {
    if (retGradient !== undefined) properties.return_gradient = retGradient;
    properties.return_hessian = retHessian;
  }

  const energyBodyDict: Record<string, number> = {};
  for (const [bt, body] of energy?.body ?? []) {
    for (const [n, v] of body) energyBodyDict[`${n}${bt}`] = v[0] ?? 0;
  }
  const arrayBodyDict = (
    r: { body: Map<BsseType, BodyDict> } | undefined,
    width: number,
  ): Record<string, Record<string, number[][]>> | undefined => {
    if (r === undefined) return undefined;
    const out: Record<string, Record<string, number[][]>> = {};
    for (const [bt, body] of r.body) {
      const d: Record<string, number[][]> = {};
      for (const [n, v] of body) d[String(n)] = toRows(v, width);
      out[bt] = d;
    }
    return out;
  };
  const gradientBodyDict = arrayBodyDict(grad, 3);
  const hessianBodyDict = arrayBodyDict(hess, 3 * natom);

  const labels = modelchemLabels(plan.nbodies_per_mc_level);
  let stdout = '';
  for (const bt of plan.bsse_type) {
    const body = new Map<number, number>();
    for (const [n, v] of energy?.body.get(bt) ?? []) body.set(n, v[0] ?? 0);
    stdout += formatNbodyTable(body, bt, nfr, labels, {
      embedding: input.embedding_charges !== undefined,
      supersystemIeOnly: plan.supersystem_ie_only,
      supersystemBeyond: plan.supersystem_mc === undefined ? undefined : plan.max_nbody,
    });
  }

  const returnResult: PropertyValue =
    input.driver === 'energy'
      ? retEnergy
      : input.driver === 'gradient'
        ? (retGradient ?? [])
        : (retHessian ?? []);
  return {
    schema_name: 'qcschema_many_body_result',
    properties,
    cluster_properties: clusterProperties,
    return_result: returnResult,
    ret_energy: retEnergy,
    ...(retGradient === undefined ? {} : { ret_gradient: retGradient }),
    ...(retHessian === undefined ? {} : { ret_hessian: retHessian }),
    energy_body_dict: energyBodyDict,
    ...(gradientBodyDict === undefined ? {} : { gradient_body_dict: gradientBodyDict }),
    ...(hessianBodyDict === undefined ? {} : { hessian_body_dict: hessianBodyDict }),
    nbody_number: plan.tasks.length,
    stdout,
    success: true,
  };
}

/** Checks the components against the plan and pads them to the full system, per property. */
function collectData(
  input: MbeInput,
  plan: MbePlan,
  components: ComponentResults,
  available: ReadonlySet<PropertyName>,
): Map<PropertyName, Map<string, Vec>> {
  const mol = input.molecule;
  const natom = mol.symbols.length;
  const out = new Map<PropertyName, Map<string, Vec>>();
  for (const p of available) out.set(p, new Map());
  const missing = plan.tasks.filter((t) => components[t.label] === undefined);
  if (missing.length > 0) {
    const first = missing
      .slice(0, 3)
      .map((t) => t.label)
      .join(', ');
    throw new InputError(
      'components',
      `${missing.length} of the ${plan.tasks.length} tasks have no results (${first}${missing.length > 3 ? ', …' : ''})`,
    );
  }
  for (const task of plan.tasks) {
    const r = components[task.label];
    if (r === undefined) continue;
    const where = `components[${JSON.stringify(task.label)}]`;
    out.get('energy')?.set(task.label, Float64Array.of(r.energy));
    let nat = 0;
    for (const f of task.basis) nat += mol.fragments[f - 1]?.length ?? 0;
    if (available.has('gradient')) {
      const g = r.gradient;
      if (g === undefined) throw new InputError(`${where}.gradient`, 'missing');
      if (g.length !== nat || g.some((row) => row.length !== 3)) {
        throw new InputError(
          `${where}.gradient`,
          `expected ${nat} rows of 3 (one per atom of the basis fragments, ghosts included)`,
        );
      }
      out.get('gradient')?.set(task.label, padGradient(g, task.basis, input, natom));
    }
    if (available.has('hessian')) {
      const h = r.hessian;
      if (h === undefined) throw new InputError(`${where}.hessian`, 'missing');
      if (h.length !== 3 * nat || h.some((row) => row.length !== 3 * nat)) {
        throw new InputError(`${where}.hessian`, `expected ${3 * nat} × ${3 * nat} values`);
      }
      out.get('hessian')?.set(task.label, padHessian(h, task.basis, input, natom));
    }
  }
  return out;
}

/** First atom index of each fragment (fragments are contiguous). */
function fragmentStarts(input: MbeInput): number[] {
  return input.molecule.fragments.map((f) => f[0] ?? 0);
}

/** QCManyBody's resize_gradient: natural-size rows → full-system flat nat×3. */
function padGradient(
  g: readonly (readonly number[])[],
  basis: readonly number[],
  input: MbeInput,
  natom: number,
): Vec {
  const out = new Float64Array(3 * natom);
  const starts = fragmentStarts(input);
  let row = 0;
  for (const f of basis) {
    const size = input.molecule.fragments[f - 1]?.length ?? 0;
    const start = starts[f - 1] ?? 0;
    for (let a = 0; a < size; a++, row++) {
      const r = g[row] ?? [];
      for (let c = 0; c < 3; c++) out[3 * (start + a) + c] = r[c] ?? 0;
    }
  }
  return out;
}

/** QCManyBody's resize_hessian: natural-size (3n)² → full-system (3nat)², block by block. */
function padHessian(
  h: readonly (readonly number[])[],
  basis: readonly number[],
  input: MbeInput,
  natom: number,
): Vec {
  const dim = 3 * natom;
  const out = new Float64Array(dim * dim);
  const starts = fragmentStarts(input);
  // local row index → global row index
  const map: number[] = [];
  for (const f of basis) {
    const size = input.molecule.fragments[f - 1]?.length ?? 0;
    const start = starts[f - 1] ?? 0;
    for (let k = 0; k < 3 * size; k++) map.push(3 * start + k);
  }
  map.forEach((gi, li) => {
    const row = h[li] ?? [];
    map.forEach((gj, lj) => {
      out[gi * dim + gj] = row[lj] ?? 0;
    });
  });
  return out;
}

function toRows(v: Vec, width: number): number[][] {
  const rows: number[][] = [];
  for (let i = 0; i < v.length; i += width) rows.push(Array.from(v.subarray(i, i + width)));
  return rows;
}

function toValue(v: Vec, prop: PropertyName, natom: number): PropertyValue {
  if (prop === 'energy') return v[0] ?? 0;
  return toRows(v, prop === 'gradient' ? 3 : 3 * natom);
}

function zeros(shape: Shape): Vec {
  return new Float64Array(shape.length);
}

function plus(a: Vec, b: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) + (b[i] ?? 0);
  return out;
}

function minus(a: Vec, b: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] ?? 0) - (b[i] ?? 0);
  return out;
}

function times(c: number, a: Vec): Vec {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = c * (a[i] ?? 0);
  return out;
}

/** QCManyBody's sum_cluster_data: fsum for scalars, a plain running sum for arrays. */
function sumCluster(
  data: ReadonlyMap<string, Vec>,
  list: Iterable<FragBas>,
  mc: string,
  shape: Shape,
  vmfcNb?: number,
): Vec {
  const terms: Vec[] = [];
  const signs: number[] = [];
  for (const fb of list) {
    const label = taskLabel(mc, fb.real, fb.basis);
    const v = data.get(label);
    if (v === undefined) throw new InputError('components', `no results for task ${label}`);
    terms.push(v);
    signs.push(vmfcNb === undefined ? 1 : (vmfcNb - fb.real.length) % 2 === 0 ? 1 : -1);
  }
  if (shape.scalar)
    return Float64Array.of(fsum(terms.map((t, i) => (signs[i] ?? 1) * (t[0] ?? 0))));
  let acc = zeros(shape);
  terms.forEach((t, i) => {
    acc = plus(acc, (signs[i] ?? 1) === 1 ? t : times(-1, t));
  });
  return acc;
}

function binomial(n: number, k: number): number {
  if (k < 0 || n < 0) throw new RetortError(`binomial(${n}, ${k})`);
  if (k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** QCManyBody's `_assemble_nbody_components` for one mc and one property. */
function assembleMc(
  plan: MbePlan,
  mc: string,
  data: ReadonlyMap<string, Vec>,
  shape: Shape,
): McResults {
  const levels = plan.nbodies_per_mc_level.get(mc) ?? [];
  let nbodies = levels.filter((n): n is number => typeof n === 'number');
  let bsse: readonly BsseType[] = plan.bsse_type;
  let retBt: BsseType = plan.return_bsse_type;
  if (levels.includes('supersystem')) {
    nbodies = Array.from({ length: plan.max_nbody }, (_, i) => i + 1);
    bsse = ['nocp'];
    retBt = 'nocp';
  }
  const top = nbodies[nbodies.length - 1] ?? 0;
  const compute = plan.compute.get(mc);
  if (compute === undefined) throw new RetortError(`model chemistry ${mc} is not in the plan`);
  const nfr = plan.nfragments;

  const cpList = new Map<number, Map<string, FragBas>>();
  const nocpList = new Map<number, Map<string, FragBas>>();
  for (let k = 1; k <= top; k++) {
    cpList.set(k, new Map());
    nocpList.set(k, new Map());
  }
  for (const nb of nbodies) {
    for (const fb of compute.cp.get(nb)?.values() ?? []) {
      if (fb.basis.length !== 1) cpList.get(fb.real.length)?.set(fb.key, fb);
    }
    for (const fb of compute.nocp.get(nb)?.values() ?? []) {
      nocpList.get(fb.real.length)?.set(fb.key, fb);
    }
  }
  const cpByLevel: BodyDict = new Map();
  const nocpByLevel: BodyDict = new Map();
  const vmfcByLevel: BodyDict = new Map();
  for (let nb = 1; nb <= top; nb++) {
    cpByLevel.set(nb, sumCluster(data, cpList.get(nb)?.values() ?? [], mc, shape));
    nocpByLevel.set(nb, sumCluster(data, nocpList.get(nb)?.values() ?? [], mc, shape));
    const vl = compute.vmfc_levels.get(nb);
    vmfcByLevel.set(
      nb,
      vl === undefined ? zeros(shape) : sumCluster(data, vl.values(), mc, shape, nb),
    );
  }
  let monomerSum = zeros(shape);
  if (nbodies.includes(1)) {
    const monomers = [...(compute.nocp.get(1)?.values() ?? [])].filter(
      (fb) => fb.basis.length === 1,
    );
    monomerSum = sumCluster(data, monomers, mc, shape);
  }
  const get = (d: BodyDict, n: number): Vec => d.get(n) ?? zeros(shape);

  const cp: BodyDict = new Map();
  const nocp: BodyDict = new Map();
  const vmfc: BodyDict = new Map();
  for (let n = 1; n <= top; n++) {
    cp.set(n, zeros(shape));
    nocp.set(n, zeros(shape));
    vmfc.set(n, zeros(shape));
  }
  if (bsse.includes('cp')) {
    let bsseShift = zeros(shape);
    for (let nb = 1; nb <= top; nb++) {
      if (nb === nfr) {
        cp.set(nb, minus(get(cpByLevel, nb), bsseShift));
        continue;
      }
      let acc = get(cp, nb);
      for (let k = 1; k <= nb; k++) {
        const c = binomial(nfr - k - 1, nb - k) * ((nb - k) % 2 === 0 ? 1 : -1);
        acc = plus(acc, times(c, get(cpByLevel, k)));
      }
      if (nb === 1) {
        bsseShift = minus(acc, monomerSum);
        cp.set(nb, monomerSum.slice());
      } else cp.set(nb, minus(acc, bsseShift));
    }
  }
  if (bsse.includes('nocp')) {
    for (let nb = 1; nb <= top; nb++) {
      if (nb === nfr) {
        nocp.set(nb, get(nocpByLevel, nb));
        continue;
      }
      let acc = get(nocp, nb);
      for (let k = 1; k <= nb; k++) {
        const c = binomial(nfr - k - 1, nb - k) * ((nb - k) % 2 === 0 ? 1 : -1);
        acc = plus(acc, times(c, get(nocpByLevel, k)));
      }
      nocp.set(nb, acc);
    }
  }
  if (bsse.includes('vmfc')) {
    for (const nb of nbodies) {
      let acc = get(vmfc, nb);
      for (let k = 1; k <= nb; k++) acc = plus(acc, get(vmfcByLevel, k));
      vmfc.set(nb, acc);
    }
  }
  const body = retBt === 'cp' ? cp : retBt === 'nocp' ? nocp : vmfc;
  let ret = get(body, Math.max(...nbodies)).slice();
  if (!plan.return_total_data) ret = minus(ret, get(body, 1));
  return { cp, nocp, vmfc, body, ret };
}

/** QCManyBody's `_analyze` for one property: combine the mcs into body dicts and the return. */
function analyzeProperty(
  plan: MbePlan,
  data: ReadonlyMap<string, Vec>,
  shape: Shape,
): { ret: Vec; body: Map<BsseType, BodyDict> } {
  let result = zeros(shape);
  const contributions = new Map<BsseType, BodyDict>(plan.bsse_type.map((bt) => [bt, new Map()]));
  const mcs = [...plan.nbodies_per_mc_level.entries()]
    .filter(([, levels]) => !(levels.length === 1 && levels[0] === 'supersystem'))
    .sort((a, b) => firstLevel(b[1]) - firstLevel(a[1]));
  for (const [mc, levels] of mcs) {
    const r = assembleMc(plan, mc, data, shape);
    const numeric = levels.filter((n): n is number => typeof n === 'number');
    for (const n of [...numeric].reverse()) {
      const byBt = new Map<BsseType, Vec>();
      for (const bt of plan.bsse_type) {
        const dict = bt === 'cp' ? r.cp : bt === 'nocp' ? r.nocp : r.vmfc;
        let acc = zeros(shape);
        if (n - 1 > 0) acc = plus(acc, times(-1, dict.get(n - 1) ?? zeros(shape)));
        acc = plus(acc, dict.get(n) ?? zeros(shape));
        byBt.set(bt, acc);
      }
      result = plus(result, byBt.get(plan.return_bsse_type) ?? zeros(shape));
      for (const bt of plan.bsse_type) contributions.get(bt)?.set(n, byBt.get(bt) ?? zeros(shape));
    }
  }
  const ss = plan.supersystem_mc;
  if (ss !== undefined) {
    const r = assembleMc(plan, ss, data, shape);
    const full = Array.from({ length: plan.nfragments }, (_, i) => i + 1);
    const label = taskLabel(ss, full, full);
    const e = data.get(label);
    if (e === undefined) throw new InputError('components', `no results for task ${label}`);
    const correction = minus(e, r.body.get(plan.max_nbody) ?? zeros(shape));
    result = plus(result, correction);
    for (const bt of plan.bsse_type) contributions.get(bt)?.set(plan.nfragments, correction);
  }
  const body = new Map<BsseType, BodyDict>();
  for (const bt of plan.bsse_type) {
    const c = contributions.get(bt) ?? new Map<number, Vec>();
    const d: BodyDict = new Map();
    for (const n of c.keys()) {
      let acc: Vec | undefined;
      for (let i = 1; i <= n; i++) {
        const v = c.get(i);
        if (v !== undefined) acc = acc === undefined ? v.slice() : plus(acc, v);
      }
      d.set(n, acc ?? zeros(shape));
    }
    body.set(bt, d);
  }
  if (!plan.return_total_data) {
    result = minus(result, body.get(plan.return_bsse_type)?.get(1) ?? zeros(shape));
  }
  return { ret: result, body };
}

function firstLevel(levels: readonly (number | 'supersystem')[]): number {
  const first = levels[0];
  return typeof first === 'number' ? first : 1000;
}

/** QCManyBody's collect_vars: ManyBodyProperties fields of one treatment and property. */
function collectVars(
  bt: BsseType,
  prop: PropertyName,
  body: BodyDict,
  plan: MbePlan,
  natom: number,
): Record<string, PropertyValue> {
  const one = body.get(1);
  if (one === undefined) return {};
  const shape: Shape = { length: one.length, scalar: prop === 'energy' };
  const v = (x: Vec): PropertyValue => toValue(x, prop, natom);
  const get = (n: number): Vec => body.get(n) ?? zeros(shape);
  const totE = one.some((x) => x !== 0);
  const range = [...body.keys()].sort((a, b) => a - b);
  const maxNbody = plan.max_nbody;
  const res: Record<string, PropertyValue> = {};
  const pre = `${bt}_corrected`;
  if (totE) res[`${pre}_total_${prop}`] = v(get(maxNbody));
  res[`${pre}_interaction_${prop}`] = v(minus(get(maxNbody), one));
  res[`${pre}_interaction_${prop}_through_1_body`] = v(zeros(shape));
  const last = range[range.length - 1] ?? 1;
  if (plan.supersystem_ie_only) {
    const nfr = last;
    res[`${pre}_interaction_${prop}_through_${nfr}_body`] = v(minus(get(nfr), one));
    if (nfr === 2) res[`${pre}_2_body_contribution_to_${prop}`] = v(minus(get(2), get(1)));
    if (totE)
      for (const nb of [1, nfr]) res[`${pre}_total_${prop}_through_${nb}_body`] = v(get(nb));
  } else if (plan.supersystem_mc !== undefined) {
    const nfr = last;
    res[`${pre}_interaction_${prop}`] = v(minus(get(nfr), one));
    for (let nb = 2; nb <= maxNbody; nb++) {
      res[`${pre}_interaction_${prop}_through_${nb}_body`] = v(minus(get(nb), one));
      res[`${pre}_${nb}_body_contribution_to_${prop}`] = v(minus(get(nb), get(nb - 1)));
    }
    res[`${pre}_interaction_${prop}_through_${nfr}_body`] = v(minus(get(nfr), one));
    res[`${pre}_${nfr}_body_contribution_to_${prop}`] = v(minus(get(nfr), get(maxNbody)));
    if (totE) {
      res[`${pre}_total_${prop}`] = v(get(nfr));
      for (const nb of range) res[`${pre}_total_${prop}_through_${nb}_body`] = v(get(nb));
    }
  } else {
    for (let nb = 2; nb <= last; nb++) {
      res[`${pre}_interaction_${prop}_through_${nb}_body`] = v(minus(get(nb), one));
      res[`${pre}_${nb}_body_contribution_to_${prop}`] = v(minus(get(nb), get(nb - 1)));
    }
    if (totE) for (const nb of range) res[`${pre}_total_${prop}_through_${nb}_body`] = v(get(nb));
  }
  return res;
}

/** Nuclear repulsion energy of the whole molecule (hartree; geometry in bohr). */
export function nuclearRepulsion(input: MbeInput): number {
  const { symbols, geometry_bohr: g } = input.molecule;
  const z = symbols.map((s) => atomicNumber(s) ?? 0);
  let e = 0;
  for (let i = 0; i < symbols.length; i++) {
    for (let j = 0; j < i; j++) {
      const dx = (g[3 * i] ?? 0) - (g[3 * j] ?? 0);
      const dy = (g[3 * i + 1] ?? 0) - (g[3 * j + 1] ?? 0);
      const dz = (g[3 * i + 2] ?? 0) - (g[3 * j + 2] ?? 0);
      e += ((z[i] ?? 0) * (z[j] ?? 0)) / Math.sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}
