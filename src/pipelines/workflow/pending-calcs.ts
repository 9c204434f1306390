import { loadRdkit } from '../../chem/descriptors.js';
import { smilesAtoms } from '../../chem/smiles-atoms.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { CalcResolution, RequestCalc } from '../../runtime/calc-request.js';
import type { PlannedCalc } from '../../runtime/scheduling/estimate.js';
import type { Instance } from './matrix.js';
import { stepLine } from './step-line.js';
import { stepSpec } from './step-spec.js';
import { statedCalc, stepLabel, type CheckedWorkflow } from './workflow-check.js';

/** What is known of one instance × step while planning. */
interface Known {
  readonly spec: CalcSpec | null;
  /** The stored result, or the stand-in one (the calc's own molecule) of a calc to run. */
  readonly result: Readonly<Record<string, JsonValue>> | null;
  readonly failed: boolean;
  /** Index of its calc among the calcs to run; null when the store has it. */
  readonly index: number | null;
}

/**
 * The calcs a run of the workflow would still compute (`retort estimate --workflow`), in the
 * shape runtime/scheduling/estimate.ts schedules: every instance × step whose calc the store
 * holds neither succeeded nor failed, each after the calcs to run of the steps it needs, and
 * the Open Babel 3D geometries of SMILES not made yet. Calcs of the same key are listed once.
 * Nothing runs; what cannot be known before a run stands in:
 * - a SMILES without a stored 3D geometry: its atoms (RDKit) in a row — their places do not
 *   change a cost;
 * - a step that reads an earlier one: built as if that step had succeeded, with its stored
 *   result when the store has it, else with its own calc's molecule (an optimisation keeps the
 *   atoms); its `when:` is taken as true;
 * - a step whose calc still cannot be built (an expression reads a result field other than the
 *   geometry): its stated program and task with the molecule of a step it needs; left out when
 *   its program is not stated.
 * Steps after a step the store holds as failed are left out: a run does not reach them.
 */
export async function pendingCalcs(
  workflow: CheckedWorkflow,
  lookup: RequestCalc,
): Promise<PlannedCalc[]> {
  const calcs: PlannedCalc[] = [];
  const byKey = new Map<string, number>();
  const add = (key: string, calc: PlannedCalc): number => {
    const known = byKey.get(key);
    if (known !== undefined) return known;
    calcs.push(calc);
    byKey.set(key, calcs.length - 1);
    return calcs.length - 1;
  };
  for (const instance of workflow.instances) {
    await instanceCalcs(workflow, instance, lookup, add);
  }
  return calcs;
}

async function instanceCalcs(
  workflow: CheckedWorkflow,
  instance: Instance,
  lookup: RequestCalc,
  add: (key: string, calc: PlannedCalc) => number,
): Promise<void> {
  const known = new Map<string, Known>();
  for (const name of workflow.dag.order) {
    const step = workflow.def.steps.find((s) => s.name === name);
    if (step === undefined) continue;
    const needs = step.needs.map((n) => known.get(n.name));
    if (needs.some((k) => k === undefined || k.failed)) {
      known.set(name, { spec: null, result: null, failed: true, index: null });
      continue;
    }
    const steps: Record<string, JsonValue> = {};
    for (const ancestor of workflow.dag.ancestors.get(name) ?? []) {
      const k = known.get(ancestor);
      if (k === undefined) continue;
      steps[ancestor] = {
        state: 'succeeded',
        key: '',
        cached: k.index === null,
        result: k.result === null ? null : { ...k.result },
        reason: null,
        failure_class: null,
      };
    }
    const label = stepLabel(workflow.def, instance, step);
    const made: { spec: CalcSpec; key: string }[] = [];
    const standIn = standInGeometry(lookup, made);
    let spec: CalcSpec | null = null;
    try {
      const scope = { params: workflow.params, matrix: instance.matrix, steps };
      const line = stepLine(step, scope, label);
      const resolved = await stepSpec(workflow, line, `${step.place}: steps.${name}`, standIn);
      if (resolved.ok) spec = resolved.spec;
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
    }
    if (spec === null) {
      const stated = statedCalc(step);
      const molecule = needs.find((k) => k?.spec?.molecule !== undefined)?.spec?.molecule;
      if (stated.program === undefined) {
        known.set(name, { spec: null, result: null, failed: false, index: null });
        continue;
      }
      spec = {
        program: stated.program,
        task: stated.task ?? 'energy',
        ...(molecule === undefined ? {} : { molecule }),
        resources: workflow.defaults,
        label,
      };
    }
    const found = await lookup(spec);
    if (found.status !== 'not_run') {
      known.set(name, {
        spec,
        result: found.status === 'succeeded' ? found.result : null,
        failed: found.status === 'failed',
        index: null,
      });
      continue;
    }
    const after = needs.flatMap((k) => (k?.index === null || k === undefined ? [] : [k.index]));
    for (const m of made) after.push(add(m.key, { label: m.spec.label ?? label, spec: m.spec }));
    const index = add(found.key, { label: spec.label ?? label, spec, after });
    known.set(name, { spec, result: ownMolecule(spec), failed: false, index });
  }
}

/**
 * Answers Open Babel 3D geometries from the store, and one not stored with the SMILES' atoms in
 * a row (recording the calc in `made`: a run computes it).
 */
function standInGeometry(
  lookup: RequestCalc,
  made: { spec: CalcSpec; key: string }[],
): RequestCalc {
  return async (spec): Promise<CalcResolution> => {
    const found = await lookup(spec);
    const smiles = spec.molecule?.smiles;
    if (found.status !== 'not_run' || spec.task !== 'gen3d' || smiles === undefined) return found;
    const atoms = await smilesAtoms(await loadRdkit(), smiles);
    if (atoms === undefined) return found;
    made.push({ spec, key: found.key });
    const geometry = atoms.elements.map((element, i) => ({ element, x: 1.5 * i, y: 0, z: 0 }));
    return {
      status: 'succeeded',
      key: found.key,
      cached: false,
      result: { geometry },
      programVersion: null,
    };
  };
}

/** A calc's molecule as the result later steps read (`geometry`, charge, multiplicity). */
function ownMolecule(spec: CalcSpec): Readonly<Record<string, JsonValue>> | null {
  const m = spec.molecule;
  if (m?.atoms === undefined) return null;
  return {
    geometry: m.atoms.map((a) => ({ element: a.element, x: a.x, y: a.y, z: a.z })),
    charge: m.charge,
    multiplicity: m.multiplicity,
  };
}
