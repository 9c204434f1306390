import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { Field } from '../../core/fields/field.js';
import { readYamlFields } from '../../core/fields/source.js';
import { builtinWorkflowNames, workflowPath } from './builtin-workflows.js';
import { FIELDS as CALC_LINE_FIELDS } from '../calc-list/calc-line.js';

/**
 * A workflow file (`retort workflow validate|plan|run FILE`), YAML, read field by field so
 * that every mistake names `file:line`:
 *
 * ```yaml
 * name: sweep                  # names the workflow's instances in the store: <name>/<instance>
 * params:                      # overridable with --set NAME=VALUE
 *   basis: {type: string, default: sto-3g, choices: [sto-3g, 6-31g], description: "…"}
 * matrix:                      # optional: one instance of the steps per combination
 *   from: molecules.csv        # one instance per row, columns by header (first column: its key)
 *   method: [hf, b3lyp]        # lists of values; several keys: every combination
 * steps:
 *   opt:                       # a step is a calc line (pipelines/calc-list/calc-line.ts) …
 *     program: xtb
 *     task: optimize
 *     smiles: ${{ matrix.smiles }}
 *   dft:
 *     needs: [opt]             # … plus needs, when, from and molecule
 *     program: psi4
 *     task: optimize
 *     molecule: ${{ steps.opt.result }}
 * ```
 *
 * - `params.NAME`: `type` (int, float, bool, string, file; required), `default`, `min`, `max`,
 *   `choices`, `description`, `required` (no default: --set must give it).
 * - `matrix`: `from` (a CSV file relative to the workflow file) and lists; no matrix: one
 *   instance, `default`.
 * - `steps.NAME`: the fields of a calc line (program, task, method, basis, keywords, options,
 *   smiles, xyz, atoms, structure, charge, multiplicity, argv, files, outputs, env, walltime_s,
 *   cores, memory_mb, label) plus `needs` (steps that must be done first), `when` (the step
 *   runs only when true), `from` (an earlier step whose calc this one starts from: its key
 *   becomes `options.parent`) and `molecule` (a geometry `[{element, x, y, z}]` or a result
 *   holding `geometry`, `charge` and `multiplicity`).
 * - Any text may hold `${{ expression }}` parts (pipelines/workflow/expression), reading
 *   `params`, `matrix` and the steps it needs (`steps.NAME.result.FIELD`, `.state`, `.key`).
 *
 * Expressions are not parsed here (see workflow-check.ts): this module reads the shape only.
 */
export interface WorkflowFile {
  /** The file as the user named it (messages), and its directory (absolute; paths resolve there). */
  readonly file: string;
  readonly dir: string;
  readonly name: string;
  readonly params: readonly ParamDef[];
  readonly matrix: MatrixDef;
  /** In the order of the file. */
  readonly steps: readonly StepDef[];
}

export const PARAM_TYPES = ['int', 'float', 'bool', 'string', 'file'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

export interface ParamDef {
  readonly name: string;
  readonly where: string;
  readonly type: ParamType;
  readonly default: JsonValue | undefined;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly choices: readonly JsonValue[] | undefined;
  readonly description: string | undefined;
  readonly required: boolean;
}

export interface MatrixDef {
  readonly where: string;
  /** `from:`: the CSV as written and its absolute path. */
  readonly csv:
    { readonly file: string; readonly path: string; readonly where: string } | undefined;
  readonly lists: readonly {
    readonly name: string;
    readonly where: string;
    readonly values: readonly JsonValue[];
  }[];
}

/** A text of a step that may hold `${{ }}` parts, where it is in the file and in the step. */
export interface TextSite {
  /** Keys from the step's calc fields down to the text (`['options', 'parent']`). */
  readonly path: readonly (string | number)[];
  readonly where: string;
  readonly text: string;
}

export interface StepDef {
  readonly name: string;
  /** `file:line: steps.NAME`, and `file:line` alone. */
  readonly where: string;
  readonly place: string;
  readonly needs: readonly { readonly name: string; readonly where: string }[];
  /** `when:` as written (a boolean, or a text with `${{ }}`). */
  readonly when: { readonly where: string; readonly value: boolean | string } | undefined;
  readonly from: TextSite | undefined;
  /** The calc fields as written (a calc line plus `molecule`), texts not yet evaluated. */
  readonly calc: Readonly<Record<string, JsonValue>>;
  /** Every text of `calc` that holds `${{`. */
  readonly sites: readonly TextSite[];
  /** `file:line: steps.NAME.FIELD` of each calc field. */
  readonly wheres: Readonly<Record<string, string>>;
}

/** The fields a step takes beyond a calc line's. */
const STEP_ONLY_FIELDS = ['needs', 'when', 'from', 'molecule'] as const;
const STEP_FIELDS = [...CALC_LINE_FIELDS, ...STEP_ONLY_FIELDS];
const PARAM_FIELDS = ['type', 'default', 'min', 'max', 'choices', 'description', 'required'];
const STEP_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const EXPRESSION_START = '${{';

/**
 * Reads a workflow file (its shape: see {@link WorkflowFile}); `ref` is a path or the name of a
 * built-in workflow (builtin-workflows.ts).
 */
export function readWorkflowFile(ref: string): WorkflowFile {
  const file = workflowPath(ref);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    const builtins = builtinWorkflowNames().join(', ');
    throw new InputError(
      file,
      `cannot read the workflow file (nor is it a built-in workflow: ${builtins || 'none'})`,
      { cause },
    );
  }
  const root = readYamlFields(text, file);
  if (!root.present) throw new InputError(file, 'is empty: expected name, params, matrix, steps');
  const top = root.requiredObject(['name', 'params', 'matrix', 'steps']);
  const nameField = top.get('name');
  const name = nameField.requiredString({ oneLine: true });
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    nameField.expected('a name of letters, digits, _, . and - (it names the runs in the store)');
  }
  const dir = dirname(resolve(file));
  const stepsMap = top.get('steps').requiredObject();
  const steps = stepsMap.entries().map(([stepName, field]) => readStep(stepName, field));
  if (steps.length === 0) throw new InputError(stepsMap.where, 'expected at least one step');
  return {
    file,
    dir,
    name,
    params: readParams(top.get('params')),
    matrix: readMatrix(top.get('matrix'), dir),
    steps,
  };
}

function readParams(field: Field): ParamDef[] {
  const map = field.object();
  if (map === undefined) return [];
  return map.entries().map(([name, f]): ParamDef => {
    if (!STEP_NAME.test(name)) throw f.error('a parameter name is letters, digits, _ and -');
    const p = f.requiredObject(PARAM_FIELDS);
    const type = p
      .get('type')
      .required(`one of ${PARAM_TYPES.join(', ')}`)
      .oneOf(PARAM_TYPES);
    if (type === undefined) return f.expected('a parameter');
    const required = p.get('required').boolean() ?? false;
    const def: ParamDef = {
      name,
      where: f.where,
      type,
      default: p.get('default').value as JsonValue | undefined,
      min: p.get('min').number(),
      max: p.get('max').number(),
      choices: p
        .get('choices')
        .list({ nonEmpty: true })
        ?.map((c) => c.value as JsonValue),
      description: p.get('description').string(),
      required,
    };
    if (def.default === undefined && !required) {
      throw p.get('default').error('required: give a default, or required: true');
    }
    return def;
  });
}

function readMatrix(field: Field, dir: string): MatrixDef {
  const map = field.object();
  if (map === undefined) return { where: field.where, csv: undefined, lists: [] };
  let csv: MatrixDef['csv'];
  const lists: { name: string; where: string; values: JsonValue[] }[] = [];
  for (const [key, f] of map.entries()) {
    if (key === 'from') {
      const file = f.requiredString({ oneLine: true });
      csv = { file, path: resolve(dir, file), where: f.where };
      continue;
    }
    if (!STEP_NAME.test(key)) throw f.error('a matrix key is letters, digits, _ and -');
    const values = f.list({ nonEmpty: true });
    if (values === undefined) return f.expected('a non-empty list of values');
    lists.push({ name: key, where: f.where, values: values.map((v) => v.value as JsonValue) });
  }
  if (csv === undefined && lists.length === 0) {
    throw new InputError(map.where, 'expected from: FILE.csv or lists of values');
  }
  return { where: map.where, csv, lists };
}

function readStep(name: string, field: Field): StepDef {
  const where = field.where;
  if (!STEP_NAME.test(name)) {
    throw field.error('a step name is letters, digits, _ and - (it is read as steps.NAME)');
  }
  const f = field.requiredObject(STEP_FIELDS);
  const needsField = f.get('needs');
  const needs =
    typeof needsField.value === 'string'
      ? [{ name: needsField.requiredString(), where: needsField.where }]
      : (needsField.list() ?? []).map((n) => ({ name: n.requiredString(), where: n.where }));
  const whenField = f.get('when');
  let when: StepDef['when'];
  if (whenField.present) {
    const value = typeof whenField.value === 'boolean' ? whenField.boolean() : undefined;
    when = {
      where: whenField.where,
      value: value ?? whenField.requiredString({ oneLine: true }),
    };
  }
  const fromField = f.get('from');
  const from: TextSite | undefined = fromField.present
    ? { path: ['from'], where: fromField.where, text: fromField.requiredString({ oneLine: true }) }
    : undefined;
  const calc: Record<string, JsonValue> = {};
  const sites: TextSite[] = [];
  const wheres: Record<string, string> = {};
  for (const [key, value] of f.entries()) {
    if ((['needs', 'when', 'from'] as const).some((k) => k === key)) continue;
    calc[key] = value.value as JsonValue;
    wheres[key] = value.where;
    collectSites(value, [key], sites);
  }
  return { name, where, place: field.place, needs, when, from, calc, sites, wheres };
}

/** Every text below `field` that holds `${{`, with its path and line. */
function collectSites(field: Field, path: (string | number)[], out: TextSite[]): void {
  const value = field.value;
  if (typeof value === 'string') {
    if (value.includes(EXPRESSION_START)) out.push({ path, where: field.where, text: value });
    return;
  }
  if (Array.isArray(value)) {
    (field.list() ?? []).forEach((item, i) => {
      collectSites(item, [...path, i], out);
    });
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, child] of field.object()?.entries() ?? []) {
      collectSites(child, [...path, key], out);
    }
  }
}
