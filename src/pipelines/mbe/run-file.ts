import { basename } from 'node:path';
import type { Resources } from '../../core/calc-spec.js';
import { InputError, RetortError } from '../../core/errors.js';
import { getEngine } from '../../engines/registry.js';
import { resolveExecutorName } from '../../runtime/host-settings.js';
import type { Settings } from '../../runtime/settings.js';
import { planMbe, type MbePlan } from './plan.js';
import type { Problems } from './problems.js';
import { readMbeFile, type ReadMbeResult } from './read.js';
import { mbeCalcs, type MbeCalc } from './run.js';
import { checkMbeSize, DEFAULT_MAX_TASKS } from './size.js';

/** An input read and planned, its size checked first (see size.ts). */
export interface PlannedMbe {
  readonly read: ReadMbeResult;
  readonly plan: MbePlan;
  /** Said when the plan is large (its task count and memory), else undefined. */
  readonly warning: string | undefined;
}

/** A planned input whose every subsystem calc its engine accepted. */
export interface CheckedMbe extends PlannedMbe {
  readonly calcs: readonly MbeCalc[];
}

/**
 * Reads an MBE input file and plans it, refusing one of more unique tasks than `maxTasks`
 * (`--max-tasks`), else the input's `execution.max_tasks`, else DEFAULT_MAX_TASKS, before a
 * single task is built.
 */
export function planMbeFile(file: string, maxTasks?: number): PlannedMbe {
  return readAndPlan(file, maxTasks, undefined);
}

/**
 * The one check `retort mbe validate` and `retort mbe run` share: the input read and planned
 * as by {@link planMbeFile}, then every subsystem calc built and prepared by its engine, exactly
 * as the run prepares it (`cores` only sets the cores each calc asks for). So an input validate
 * accepts is one run starts, and an engine's refusal (an option it does not know or a value out
 * of range, ghost atoms for a semi-empirical method …) is a mistake of the input, named by the
 * field it comes from (`model_chemistries.hf.keywords.scf__thresh`, `….method`; the task label
 * when it depends on the subsystem) at its line. Each refusal is said once, not once per task.
 * Throws MbeInputErrors listing them all.
 */
export function checkMbeFile(file: string, maxTasks: number | undefined, cores = 1): CheckedMbe {
  const checked = readAndPlan(file, maxTasks, cores);
  return { ...checked, calcs: checked.calcs ?? [] };
}

function readAndPlan(
  file: string,
  maxTasks: number | undefined,
  cores: number | undefined,
): PlannedMbe & { readonly calcs?: readonly MbeCalc[] } {
  let planned: { plan: MbePlan; warning: string | undefined; calcs?: MbeCalc[] } | undefined;
  const read = readMbeFile(file, (r, problems) => {
    const { input } = r;
    const nfragments = input.molecule.fragments.length;
    const { warning } = checkMbeSize(
      input,
      nfragments,
      input.molecule.symbols.length,
      maxTasks ?? input.execution.max_tasks ?? DEFAULT_MAX_TASKS,
      basename(file),
    );
    const plan = planMbe(input, nfragments);
    planned = { plan, warning };
    if (cores !== undefined) {
      planned.calcs = preparedCalcs(
        r,
        plan,
        { cores, walltime_s: input.execution.timeout_s },
        problems,
      );
    }
  });
  if (planned === undefined) throw new RetortError(`${file}: read without being planned`);
  return { read, ...planned };
}

/** Every calc of the plan, each prepared by its engine; refusals go to `problems`. */
function preparedCalcs(
  read: ReadMbeResult,
  plan: MbePlan,
  resources: Resources,
  problems: Problems,
): MbeCalc[] {
  const refusal = (error: unknown): InputError => {
    if (error instanceof InputError) return error;
    throw error;
  };
  let calcs: MbeCalc[];
  try {
    calcs = mbeCalcs(read.input, plan, resources);
  } catch (error) {
    const e = refusal(error);
    problems.add(read.path(e.where ?? ''), bareMessage(e));
    return [];
  }
  const said = new Set<string>();
  for (const calc of calcs) {
    try {
      getEngine(calc.spec.program).prepare(calc.spec);
    } catch (error) {
      const e = refusal(error);
      const { field, perTask } = mcField(calc.task.mc, e.where);
      const message = bareMessage(e);
      const key = `${field}\n${message}`;
      if (said.has(key)) continue;
      said.add(key);
      problems.add(read.path(field), perTask ? `${message} (task ${calc.task.label})` : message);
    }
  }
  return calcs;
}

/** An InputError's message without its `where`. */
function bareMessage(error: InputError): string {
  const prefix = error.where === undefined ? '' : `${error.where}: `;
  return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
}

/**
 * The input field a spec field of model chemistry `mc` comes from: options are its keywords
 * (psi4's under `psi4_keywords`), embedding charges the input's; `perTask` when the refusal
 * depends on the task's molecule.
 */
function mcField(mc: string, where: string | undefined): { field: string; perTask: boolean } {
  const base = `model_chemistries.${mc}`;
  if (where === undefined) return { field: base, perTask: true };
  if (where === 'options.psi4_keywords') return { field: `${base}.keywords`, perTask: false };
  const option = /^options\.(?:psi4_keywords\.)?(.+)$/.exec(where)?.[1];
  if (option !== undefined) {
    return option.startsWith('external_charges')
      ? { field: 'embedding_charges', perTask: true }
      : { field: `${base}.keywords.${option}`, perTask: false };
  }
  if (['program', 'method', 'basis', 'keywords'].includes(where)) {
    return { field: `${base}.${where}`, perTask: false };
  }
  if (where === 'task') return { field: 'driver', perTask: false };
  return { field: base, perTask: true };
}

/** What `retort mbe run` runs: the checked input, its calcs, and where and how wide they run. */
export interface MbeRunPlan extends CheckedMbe {
  /** `--executor`, else the input's `execution.executor` when not local, else undefined. */
  readonly executor: string | undefined;
  /** `--workers`, else the input's `execution.workers`, else undefined. */
  readonly workers: string | undefined;
}

/**
 * Reads and checks an MBE input for a run ({@link checkMbeFile}, with the cores of
 * retort.yaml's defaults) and the input's executor against retort.yaml's hosts. Any mistake is
 * an InputError before anything is recorded.
 */
export function prepareMbeRun(
  file: string,
  settings: Settings,
  flags: { readonly executor?: string; readonly workers?: string; readonly maxTasks?: number },
): MbeRunPlan {
  const checked = checkMbeFile(file, flags.maxTasks, settings.defaults.cores);
  const { input } = checked.read;
  if (flags.executor === undefined && input.execution.executor !== 'local') {
    resolveExecutorName(input.execution.executor, settings.hosts, `${file}: execution.executor`);
  }
  const executor =
    flags.executor ?? (input.execution.executor === 'local' ? undefined : input.execution.executor);
  const workers =
    flags.workers ??
    (input.execution.workers === null ? undefined : String(input.execution.workers));
  return { ...checked, executor, workers };
}
