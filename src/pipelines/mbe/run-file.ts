import { basename, join, resolve } from 'node:path';
import type { Resources } from '../../core/calc-spec.js';
import { within } from '../../core/fields/within.js';
import { getEngine } from '../../engines/registry.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { resolveExecutorName } from '../../runtime/host-settings.js';
import type { Settings } from '../../runtime/settings.js';
import type { MbeResult } from './analyze.js';
import { planMbe, type MbePlan } from './plan.js';
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

/**
 * Reads an MBE input file and plans it, refusing one of more unique tasks than `maxTasks`
 * (`--max-tasks`), else the input's `execution.max_tasks`, else DEFAULT_MAX_TASKS, before a
 * single task is built.
 */
export function planMbeFile(file: string, maxTasks?: number): PlannedMbe {
  const read = readMbeFile(file);
  const { input } = read;
  const nfragments = input.molecule.fragments.length;
  const { warning } = checkMbeSize(
    input,
    nfragments,
    input.molecule.symbols.length,
    maxTasks ?? input.execution.max_tasks ?? DEFAULT_MAX_TASKS,
    basename(file),
  );
  return { read, plan: planMbe(input, nfragments), warning };
}

/** What `retort mbe run` runs: the planned input, its calcs, and where and how wide they run. */
export interface MbeRunPlan extends PlannedMbe {
  readonly calcs: readonly MbeCalc[];
  /** `--executor`, else the input's `execution.executor` when not local, else undefined. */
  readonly executor: string | undefined;
  /** `--workers`, else the input's `execution.workers`, else undefined. */
  readonly workers: string | undefined;
}

/**
 * Reads, plans and checks an MBE input for a run: the input's executor against retort.yaml's
 * hosts, every subsystem calc prepared by its engine. Any mistake is an InputError before
 * anything is recorded.
 */
export function prepareMbeRun(
  file: string,
  settings: Settings,
  flags: { readonly executor?: string; readonly workers?: string; readonly maxTasks?: number },
): MbeRunPlan {
  const planned = planMbeFile(file, flags.maxTasks);
  const { input } = planned.read;
  if (flags.executor === undefined && input.execution.executor !== 'local') {
    resolveExecutorName(input.execution.executor, settings.hosts, `${file}: execution.executor`);
  }
  const resources: Resources = {
    cores: settings.defaults.cores,
    walltime_s: input.execution.timeout_s,
  };
  const calcs = within(file, () => mbeCalcs(input, planned.plan, resources));
  for (const c of calcs)
    within(`${file}: task ${c.task.label}`, () => getEngine(c.spec.program).prepare(c.spec));
  const executor =
    flags.executor ?? (input.execution.executor === 'local' ? undefined : input.execution.executor);
  const workers =
    flags.workers ??
    (input.execution.workers === null ? undefined : String(input.execution.workers));
  return { ...planned, calcs, executor, workers };
}

/** Where `mbe run` writes the result: `output`, else exports/mbe-<input name>.json. */
export function writeMbeResult(
  file: string,
  result: MbeResult,
  exportsDir: string,
  output: string | undefined,
): string {
  const path = resolve(
    output ?? join(exportsDir, `mbe-${basename(file).replace(/\.(json|ya?ml)$/i, '')}.json`),
  );
  writeFileAtomic(path, `${JSON.stringify(result, null, 2)}\n`);
  return path;
}
