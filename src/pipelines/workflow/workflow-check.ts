import type { JsonValue, Resources } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { didYouMean } from '../../core/fields/describe.js';
import { ENGINES, getEngine } from '../../engines/registry.js';
import type { CalcLine } from '../calc-list/calc-line.js';
import { TemplateLibrary } from '../../templates/library.js';
import { checkCalcList } from '../calc-list/calc-list.js';
import { checkDag, type Dag } from './dag.js';
import { interpolationReferences, parseInterpolation } from './expression/index.js';
import { expandMatrix, matrixNames, type Instance } from './matrix.js';
import { resolveParams } from './params.js';
import { stepLine } from './step-line.js';
import type { WorkflowShape } from './workflow-item.js';
import {
  readWorkflowFile,
  type StepDef,
  type TextSite,
  type WorkflowFile,
} from './workflow-file.js';

/**
 * A workflow checked whole before anything runs: its file read, params resolved, matrix
 * expanded, needs ordered, every expression parsed and every name it reads checked (a param,
 * a matrix column, an ancestor step, a result field the step's engine returns for its task),
 * and every step whose calc does not depend on an earlier step's result turned into its calc
 * and prepared by its engine, for every instance. A mistake is an InputError naming
 * `file:line`.
 */
export interface CheckedWorkflow {
  readonly def: WorkflowFile;
  readonly dag: Dag;
  readonly params: Readonly<Record<string, JsonValue>>;
  readonly instances: readonly Instance[];
  /** Steps whose calc reads an earlier step (known only once that step is done). */
  readonly dynamic: ReadonlySet<string>;
  readonly defaults: Resources;
  /** Where a step's `template:` is looked up (the campaign's templates/, then the built-ins). */
  readonly library: TemplateLibrary;
}

/** What `steps.NAME` holds for the expressions of the steps that need NAME. */
export const STEP_SCOPE_FIELDS = ['state', 'key', 'cached', 'result', 'reason', 'failure_class'];
const ROOTS = ['params', 'matrix', 'steps'];

export async function checkWorkflow(
  file: string,
  sets: readonly string[],
  cwd: string,
  defaults: Resources,
  library: TemplateLibrary = new TemplateLibrary(),
): Promise<CheckedWorkflow> {
  const def = readWorkflowFile(file);
  const dag = checkDag(def.steps);
  const params = resolveParams(def.params, sets, def.dir, cwd);
  const instances = expandMatrix(def.matrix);
  const columns = matrixNames(def.matrix);
  const byName = new Map(def.steps.map((s) => [s.name, s]));
  const dynamic = new Set<string>();
  // Every expression and program of every step is checked before any error is reported, so
  // that one validate names all of them (one line each).
  const mistakes: string[] = [];
  const collect = (check: () => void): void => {
    try {
      check();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      mistakes.push(error.message);
    }
  };
  for (const step of def.steps) {
    for (const site of stepSites(step)) {
      collect(() => {
        const parsed = parseInterpolation(site.text, site.where);
        for (const path of interpolationReferences(parsed)) {
          if (path[0] === 'steps' && site.path[0] !== 'when') dynamic.add(step.name);
          checkReference(path, site.where, { def, dag, step, byName, columns });
        }
      });
    }
    collect(() => {
      checkProgram(step);
    });
  }
  if (mistakes.length > 0) throw new InputError(undefined, mistakes.join('\n'));
  await checkStaticCalcs(def, instances, params, dynamic, defaults, library);
  return { def, dag, params, instances, dynamic, defaults, library };
}

/** A step's program and task, when written as plain text: known ones. */
function checkProgram(step: StepDef): void {
  const stated = statedCalc(step);
  if (stated.program === undefined) return;
  const programWhere = step.wheres.program ?? step.where;
  const engine = getEngineAt(programWhere, stated.program);
  const task = stated.task ?? defaultTask(stated.program, step);
  if (task !== undefined && !engine.tasks.includes(task)) {
    throw new InputError(
      step.wheres.task ?? programWhere,
      `${engine.program} has no task "${task}"${didYouMean(task, engine.tasks)}; its tasks: ${engine.tasks.join(', ')}`,
    );
  }
}

/** The engine of a program, or an InputError at `where` naming the known ones. */
function getEngineAt(where: string, program: string) {
  try {
    return getEngine(program);
  } catch (error) {
    if (error instanceof InputError) {
      throw new InputError(where, error.message.replace(/^program: /, ''), { cause: error });
    }
    throw error;
  }
}

/** The texts of a step that may hold expressions: its calc's, `when` and `from`. */
function stepSites(step: StepDef): TextSite[] {
  const sites = [...step.sites];
  if (step.when !== undefined && typeof step.when.value === 'string') {
    sites.push({ path: ['when'], where: step.when.where, text: step.when.value });
  }
  if (step.from !== undefined) sites.push(step.from);
  return sites;
}

/** A step's program and task when written as plain text (not expressions). */
export function statedCalc(step: StepDef): { program?: string; task?: string } {
  const plain = (v: JsonValue | undefined) =>
    typeof v === 'string' && !v.includes('${{') ? v : undefined;
  const program = plain(step.calc.program);
  const task = plain(step.calc.task);
  return {
    ...(program === undefined ? {} : { program }),
    ...(task === undefined ? {} : { task }),
  };
}

/** The task a calc line without one gets (calc-list/line-to-spec.ts), when it is known. */
function defaultTask(program: string, step: StepDef): string | undefined {
  if (step.calc.task !== undefined) return undefined;
  if (program === 'command') return 'run';
  if (program === 'obabel') return step.calc.smiles === undefined ? undefined : 'gen3d';
  return 'energy';
}

interface ReferenceContext {
  readonly def: WorkflowFile;
  readonly dag: Dag;
  readonly step: StepDef;
  readonly byName: ReadonlyMap<string, StepDef>;
  readonly columns: readonly string[];
}

function checkReference(
  path: readonly (string | number)[],
  where: string,
  { def, dag, step, byName, columns }: ReferenceContext,
): void {
  const [root, name, field, resultField] = path;
  const shown = path.map(String).join('.');
  const fail = (message: string): never => {
    throw new InputError(where, `${shown}: ${message}`);
  };
  if (typeof root !== 'string' || !ROOTS.includes(root)) {
    fail(`expressions read ${ROOTS.join(', ')}${didYouMean(String(root), ROOTS)}`);
  }
  if (typeof name !== 'string') return;
  if (root === 'params') {
    const known = def.params.map((p) => p.name);
    if (!known.includes(name)) {
      fail(`no such param${didYouMean(name, known)}; params: ${known.join(', ') || 'none'}`);
    }
    return;
  }
  if (root === 'matrix') {
    if (!columns.includes(name)) {
      fail(
        `no such matrix value${didYouMean(name, columns)}; matrix: ${columns.join(', ') || 'none'}`,
      );
    }
    return;
  }
  const ancestors = dag.ancestors.get(step.name) ?? new Set<string>();
  if (!byName.has(name)) {
    fail(`no step "${name}"${didYouMean(name, [...byName.keys()])}`);
  }
  if (!ancestors.has(name)) {
    fail(
      `step ${step.name} does not need ${name}: add it to needs (directly or through a step it needs)`,
    );
  }
  if (typeof field !== 'string') return;
  if (!STEP_SCOPE_FIELDS.includes(field)) {
    fail(`a step holds ${STEP_SCOPE_FIELDS.join(', ')}${didYouMean(field, STEP_SCOPE_FIELDS)}`);
  }
  if (field !== 'result' || typeof resultField !== 'string') return;
  const source = byName.get(name);
  if (source === undefined) return;
  const stated = statedCalc(source);
  if (stated.program === undefined) return;
  // An unknown program is reported by checkProgram.
  const engine = ENGINES.find((e) => e.program === stated.program);
  if (engine === undefined) return;
  const task = stated.task ?? defaultTask(stated.program, source);
  const fields = task === undefined ? undefined : engine.resultFields[task];
  if (fields !== undefined && !fields.includes(resultField)) {
    fail(
      `${engine.program} ${task ?? ''} returns no ${resultField}${didYouMean(resultField, fields)}; it returns ${fields.join(', ')}`,
    );
  }
}

/**
 * Every step that reads no earlier step, for every instance, made into its calc line and
 * checked as a calc list is (calc-list.ts checkCalcList: the spec built, charge and
 * multiplicity against the electron count, the engine's prepare).
 */
async function checkStaticCalcs(
  def: WorkflowFile,
  instances: readonly Instance[],
  params: Readonly<Record<string, JsonValue>>,
  dynamic: ReadonlySet<string>,
  defaults: Resources,
  library: TemplateLibrary,
): Promise<void> {
  const lines: { line: CalcLine; where: string }[] = [];
  for (const instance of instances) {
    for (const step of def.steps) {
      if (dynamic.has(step.name)) continue;
      const where = `${step.place}: steps.${step.name} [instance ${instance.key}]`;
      const scope = { params, matrix: instance.matrix, steps: {} };
      lines.push({
        line: inInstance(instance.key, () => stepLine(step, scope, stepLabel(def, instance, step))),
        where,
      });
    }
  }
  if (lines.length > 0) await checkCalcList(lines, def.dir, defaults, library);
}

/** Runs `fn`, naming the instance in an InputError it throws. */
function inInstance<T>(instance: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError && !error.message.includes('[instance ')) {
      throw new InputError(undefined, `${error.message} [instance ${instance}]`, { cause: error });
    }
    throw error;
  }
}

/** The label of a step's calc when the step states none: `<workflow>/<instance>/<step>`. */
export function stepLabel(def: WorkflowFile, instance: Instance, step: StepDef): string {
  return `${def.name}/${instance.key}/${step.name}`;
}

/** What the store keeps of a workflow's shape (see WorkflowShape). */
export function workflowShape(def: WorkflowFile): WorkflowShape {
  return {
    file: def.file,
    steps: def.steps.map((step) => {
      const stated = statedCalc(step);
      return {
        name: step.name,
        needs: step.needs.map((n) => n.name),
        program: stated.program ?? null,
        task:
          stated.task ??
          (stated.program === undefined ? null : (defaultTask(stated.program, step) ?? null)),
      };
    }),
  };
}
