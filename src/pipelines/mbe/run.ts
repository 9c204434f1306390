import type { CalcSpec, JsonValue, Resources } from '../../core/calc-spec.js';
import { InputError, RetortError } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import { analyzeMbe, type MbeResult } from './analyze.js';
import { BOHR_TO_ANGSTROM, type MbeInput } from './input.js';
import { planMbe, type MbePlan, type MbeTask } from './plan.js';
import type { ComponentResult } from './read-case.js';
import { buildSubsystem, subsystemMolecule } from './subsystem.js';
import type { MbeTimings } from './write-result.js';

/** One subsystem calc of an MBE: its task (label) and the spec that computes it. */
export interface MbeCalc {
  readonly task: MbeTask;
  readonly spec: CalcSpec;
  /** Atoms in the task's basis (real and ghost): the size its cost grows with. */
  readonly basisAtoms: number;
}

/** How an MBE run ended. */
export type MbeRunOutcome =
  | {
      readonly status: 'complete';
      readonly result: MbeResult;
      readonly computed: number;
      readonly cached: number;
      readonly timings: MbeTimings;
    }
  | {
      readonly status: 'failed';
      readonly failures: readonly { readonly label: string; readonly failure: Failure }[];
    }
  | { readonly status: 'stopped'; readonly done: number; readonly total: number };

/**
 * The calc of every unique task of the plan, largest basis first (so that the long tasks start
 * early and the short ones fill the gaps at the end: a shorter makespan on N workers).
 * Embedding charges (EE-MBE) go to psi4 and NWChem as option `external_charges` (bohr → Å);
 * Throws InputError when a model chemistry cannot run a task (MOPAC or xtb asked for ghosts,
 * embedding charges for another program, an unknown program …), before anything is recorded.
 */
export function mbeCalcs(input: MbeInput, plan: MbePlan, resources: Resources): MbeCalc[] {
  const calcs = plan.tasks.map((task): MbeCalc => {
    const mc = input.model_chemistries[task.mc];
    if (mc === undefined)
      throw new InputError(`levels`, `model chemistry "${task.mc}" is not defined`);
    const subsystem = buildSubsystem(input.molecule, task, input.embedding_charges);
    const charges = subsystem.embedding_charges.map(([q, [x, y, z]]): JsonValue => [
      q,
      x * BOHR_TO_ANGSTROM,
      y * BOHR_TO_ANGSTROM,
      z * BOHR_TO_ANGSTROM,
    ]);
    if (charges.length > 0 && !EMBEDDING_PROGRAMS.includes(mc.program)) {
      throw new InputError(
        'embedding_charges',
        `model chemistry "${task.mc}" runs ${mc.program}, which retort cannot give external point charges; embedding charges run with ${EMBEDDING_PROGRAMS.join(' or ')}`,
      );
    }
    const spec: CalcSpec = {
      program: mc.program,
      task: input.driver,
      method: mc.method,
      basis: mc.basis,
      ...programOptions(mc.program, mc.keywords, charges),
      molecule: subsystemMolecule(subsystem),
      resources,
      label: task.label,
    };
    return { task, spec, basisAtoms: subsystem.atoms.length };
  });
  return calcs.sort((a, b) => b.basisAtoms - a.basisAtoms);
}

/** Programs whose engines take EE-MBE point charges (option `external_charges`). */
const EMBEDDING_PROGRAMS: readonly string[] = ['psi4', 'nwchem'];

/**
 * A model chemistry's keywords in the form its engine takes them, and the task's embedding
 * charges (`[q, x, y, z]`, e and Å) as option `external_charges` when there are any.
 */
function programOptions(
  program: string,
  keywords: Readonly<Record<string, unknown>>,
  charges: readonly JsonValue[],
): Pick<CalcSpec, 'options'> {
  const embedding: Record<string, JsonValue> =
    charges.length === 0 ? {} : { external_charges: [...charges] };
  if (Object.keys(keywords).length === 0) return charges.length === 0 ? {} : { options: embedding };
  if (program === 'psi4')
    return { options: { psi4_keywords: keywords as Record<string, JsonValue>, ...embedding } };
  return { options: { ...(keywords as Record<string, JsonValue>), ...embedding } };
}

/**
 * Runs an MBE: every subsystem calc through `request` (the runner: parallel, cached, resumable),
 * then QCManyBody's analysis of the results. A task the store already has is not run again, so
 * a run that was stopped or killed picks up where it was, and tasks shared with an earlier MBE
 * (another treatment, another cluster with the same fragments) are free. A complete run also
 * says how long each task took (write-result.ts MbeTimings).
 */
export async function runMbe(
  input: MbeInput,
  calcs: readonly MbeCalc[],
  request: RequestCalc,
  plan: MbePlan = planMbe(input, input.molecule.fragments.length),
): Promise<MbeRunOutcome> {
  const started = performance.now();
  const outcomes = await Promise.all(
    calcs.map(async (c) => ({ calc: c, outcome: await request(c.spec) })),
  );
  const failures = outcomes.flatMap(({ calc, outcome }) =>
    outcome.status === 'failed' ? [{ label: calc.task.label, failure: outcome.failure }] : [],
  );
  if (failures.length > 0) return { status: 'failed', failures };
  const done = outcomes.filter((o) => o.outcome.status === 'succeeded').length;
  if (done < outcomes.length) return { status: 'stopped', done, total: outcomes.length };
  const components: Record<string, ComponentResult> = {};
  const tasks: Record<string, MbeTimings['tasks'][string]> = {};
  let cached = 0;
  let taskSeconds = 0;
  for (const { calc, outcome } of outcomes) {
    if (outcome.status !== 'succeeded') continue;
    if (outcome.cached) cached++;
    components[calc.task.label] = componentOf(outcome.result, calc.basisAtoms, calc.task.label);
    tasks[calc.task.label] = { duration_s: outcome.durationS ?? null, from_store: outcome.cached };
    taskSeconds += outcome.durationS ?? 0;
  }
  const result = analyzeMbe(input, components, plan);
  return {
    status: 'complete',
    result,
    computed: done - cached,
    cached,
    timings: {
      wall_s: (performance.now() - started) / 1000,
      tasks_run: done - cached,
      tasks_from_store: cached,
      task_s_total: taskSeconds,
      tasks,
    },
  };
}

/** An engine result as QCManyBody's component: energy, gradient (n × 3), Hessian (3n × 3n). */
function componentOf(
  result: Readonly<Record<string, JsonValue>>,
  natom: number,
  label: string,
): ComponentResult {
  const energy = result.total_energy_hartree;
  if (typeof energy !== 'number')
    throw new RetortError(`${label}: the result has no total_energy_hartree`);
  const gradient = numbers(result.gradient_hartree_bohr);
  const hessian = numbers(result.hessian_hartree_bohr2);
  return {
    energy,
    ...(gradient === undefined ? {} : { gradient: rows(gradient, 3, natom, label) }),
    ...(hessian === undefined ? {} : { hessian: rows(hessian, 3 * natom, 3 * natom, label) }),
  };
}

function numbers(value: JsonValue | undefined): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((v) => (typeof v === 'number' ? v : Number.NaN));
}

function rows(flat: readonly number[], width: number, count: number, label: string): number[][] {
  if (flat.length !== width * count) {
    throw new RetortError(`${label}: expected ${count} × ${width} values, found ${flat.length}`);
  }
  return Array.from({ length: count }, (_, i) => flat.slice(i * width, (i + 1) * width));
}
