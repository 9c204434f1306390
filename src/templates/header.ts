import type { JsonValue } from '../core/calc-spec.js';
import { InputError } from '../core/errors.js';
import type { Field } from '../core/fields/field.js';
import { readYamlFields } from '../core/fields/source.js';
import { RESERVED_NAMES } from './sandbox.js';

/**
 * The header of a template: a YAML block inside a Jinja comment at the very top of the file, so
 * that the file still renders in plain Jinja2 (the header renders to nothing):
 *
 * ```
 * {#---
 * engine: qe                 # the program the rendered input is for (engines/registry.ts)
 * task: scf                  # the task of that program the input runs
 * description: pw.x SCF of a crystal
 * parameters:
 *   - name: structure
 *     type: structure        # int | float | bool | choice | string | structure | molecule | file
 *     required: true
 *     help: the crystal (a CIF)
 *   - name: ecutwfc
 *     type: float
 *     default: 30
 *     min: 10
 *     max: 200
 *     unit: Ry
 *     help: plane-wave cutoff of the wavefunctions
 *   - name: occupations
 *     type: choice
 *     choices: [fixed, smearing]
 *     default: fixed
 * ---#}
 * ```
 *
 * Parameter fields: `name` (a Jinja identifier), `type`, `default` (of the type), `required`
 * (default false: a parameter with neither value nor default renders as Jinja's undefined),
 * `min`/`max` (int, float), `choices` (choice: a list of words or numbers), `unit` and `help`
 * (shown by `template show` and the form), `multiline` (string: may hold line breaks; default
 * no, so a value cannot smuggle a new line, and with it a new keyword, into an input deck).
 * `engine` and `task` are optional for partials (files included by others). A file without a
 * header declares no parameters.
 */
export interface TemplateHeader {
  readonly engine: string | undefined;
  readonly task: string | undefined;
  readonly description: string | undefined;
  readonly parameters: readonly ParameterSpec[];
}

export const PARAMETER_TYPES = [
  'int',
  'float',
  'bool',
  'choice',
  'string',
  'structure',
  'molecule',
  'file',
] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/** One declared parameter of a template (see {@link TemplateHeader}). */
export interface ParameterSpec {
  readonly name: string;
  readonly type: ParameterType;
  readonly default: JsonValue | undefined;
  readonly required: boolean;
  readonly min: number | undefined;
  readonly max: number | undefined;
  readonly choices: readonly (string | number)[] | undefined;
  readonly unit: string | undefined;
  readonly help: string | undefined;
  readonly multiline: boolean;
}

const HEADER_OPEN = /^\{#-?-{3}[ \t]*\r?\n/;
const HEADER_CLOSE = /\r?\n-{3}-?#\}/;
const HEADER_FIELDS = ['engine', 'task', 'description', 'parameters'] as const;
const PARAMETER_FIELDS = [
  'name',
  'type',
  'default',
  'required',
  'min',
  'max',
  'choices',
  'unit',
  'help',
  'multiline',
] as const;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The header of a template's text and where the body starts; no header declares nothing. */
export function readHeader(text: string, file: string): TemplateHeader {
  const open = HEADER_OPEN.exec(text);
  if (open === null) {
    if (/^\{#-?\s*-{3}/.test(text)) {
      throw new InputError(`${file}:1`, 'a header starts with a line "{#---" alone');
    }
    return { engine: undefined, task: undefined, description: undefined, parameters: [] };
  }
  const rest = text.slice(open[0].length);
  const close = HEADER_CLOSE.exec(rest);
  if (close === null) {
    throw new InputError(`${file}:1`, 'the header has no closing line "---#}"');
  }
  // One blank line per line of the opening, so YAML lines are the file's lines.
  const yaml = '\n'.repeat(open[0].split('\n').length - 1) + rest.slice(0, close.index);
  const root = readYamlFields(yaml, file);
  if (!root.present || root.value === null) {
    return { engine: undefined, task: undefined, description: undefined, parameters: [] };
  }
  const top = root.requiredObject(HEADER_FIELDS);
  const parameters = (top.get('parameters').list() ?? []).map(readParameter);
  const seen = new Set<string>();
  for (const [i, p] of parameters.entries()) {
    if (seen.has(p.name)) {
      throw top
        .get('parameters')
        .at(`[${i}].name`)
        .error(`parameter "${p.name}" is declared twice`);
    }
    seen.add(p.name);
  }
  return {
    engine: top.get('engine').string({ oneLine: true }),
    task: top.get('task').string({ oneLine: true }),
    description: top.get('description').string(),
    parameters,
  };
}

function readParameter(field: Field): ParameterSpec {
  const f = field.requiredObject(PARAMETER_FIELDS);
  const nameField = f.get('name');
  const name = nameField.requiredString({ oneLine: true });
  if (!IDENTIFIER.test(name) || name.startsWith('__')) {
    nameField.expected('a name of letters, digits and _ (not starting with a digit or __)');
  }
  if (RESERVED_NAMES.has(name)) {
    throw nameField.error(`"${name}" is a name of the template language; choose another`);
  }
  const type = f.get('type').required(PARAMETER_TYPES.join(' | ')).oneOf(PARAMETER_TYPES);
  if (type === undefined) return nameField.expected('a type');
  const numeric = type === 'int' || type === 'float';
  for (const key of ['min', 'max'] as const) {
    if (f.get(key).present && !numeric) throw f.get(key).error(`only int and float take ${key}`);
  }
  const min = type === 'int' ? f.get('min').integer() : f.get('min').number();
  const max = type === 'int' ? f.get('max').integer() : f.get('max').number();
  if (min !== undefined && max !== undefined && min > max) {
    throw f.get('max').error(`max ${max} is below min ${min}`);
  }
  const choicesField = f.get('choices');
  let choices: (string | number)[] | undefined;
  if (type === 'choice') {
    choices = choicesField
      .required('a list of the allowed values')
      .list({ nonEmpty: true })
      ?.map((item) => {
        const v = item.value;
        if (typeof v === 'number' && Number.isFinite(v)) return v;
        return item.requiredString({ oneLine: true });
      });
  } else if (choicesField.present) {
    throw choicesField.error('only a choice parameter takes choices');
  }
  const multiline = f.get('multiline').boolean() ?? false;
  if (multiline && type !== 'string') {
    throw f.get('multiline').error('only a string parameter can be multiline');
  }
  const partial: ParameterSpec = {
    name,
    type,
    default: undefined,
    required: f.get('required').boolean() ?? false,
    min,
    max,
    choices,
    unit: f.get('unit').string({ oneLine: true }),
    help: f.get('help').string({ oneLine: true }),
    multiline,
  };
  const defaultField = f.get('default');
  if (!defaultField.present) return partial;
  if (type === 'structure' || type === 'molecule' || type === 'file') {
    throw defaultField.error(`a ${type} parameter takes no default`);
  }
  const problem = valueProblem(partial, defaultField.value);
  if (problem !== undefined) defaultField.expected(problem);
  return { ...partial, default: defaultField.value as JsonValue };
}

/**
 * What a parameter expects, when `value` is not it (undefined when it is): the one check every
 * value goes through, from a header's default, `--set`, a calc-list line or the form.
 */
export function valueProblem(p: ParameterSpec, value: unknown): string | undefined {
  const range =
    p.min !== undefined && p.max !== undefined
      ? ` between ${p.min} and ${p.max}`
      : p.min !== undefined
        ? ` ≥ ${p.min}`
        : p.max !== undefined
          ? ` ≤ ${p.max}`
          : '';
  const inRange = (v: number): boolean =>
    (p.min === undefined || v >= p.min) && (p.max === undefined || v <= p.max);
  switch (p.type) {
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && inRange(value)
        ? undefined
        : `a whole number${range}`;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) && inRange(value)
        ? undefined
        : `a number${range}${p.unit === undefined ? '' : ` (${p.unit})`}`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'true or false';
    case 'choice':
      return (p.choices ?? []).some((c) => c === value)
        ? undefined
        : `one of ${(p.choices ?? []).join(', ')}`;
    case 'string':
      if (typeof value !== 'string') return 'a text';
      if (!p.multiline && /[\r\n]/.test(value)) return 'one line of text (no line breaks)';
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
        return 'a text without control characters';
      }
      return undefined;
    case 'structure':
    case 'molecule':
    case 'file':
      return undefined;
  }
}
