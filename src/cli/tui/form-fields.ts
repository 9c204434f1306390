import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Molecule } from '../../chem/molecule.js';
import { parseXyz } from '../../chem/xyz.js';
import { InputError } from '../../core/errors.js';
import type { ParameterSpec } from '../../templates/header.js';
import type { LoadedTemplate } from '../../templates/render.js';
import { readParameterText, type RawValue } from '../../templates/values.js';
import { filledCalcOptions, scalarText } from '../template-form.js';

/**
 * The fields of a template's form in the terminal UI: its parameters in the header's order
 * and, when it takes a molecule, the molecule's charge and multiplicity (options of
 * `retort calc`, not parameters). Every value is kept as the text typed; a path is read from
 * where the UI was started (`cwd`).
 */
export interface FormField {
  readonly spec: ParameterSpec;
  /** The `retort calc` option the field fills instead of a `--set`. */
  readonly option?: '--charge' | '--multiplicity';
}

const PATH_TYPES: readonly string[] = ['structure', 'molecule', 'file'];

function intField(name: string, value: number, min: number, help: string): ParameterSpec {
  return {
    name,
    type: 'int',
    default: value,
    required: false,
    min,
    max: undefined,
    choices: undefined,
    unit: undefined,
    help,
    multiline: false,
  };
}

export function formFields(parameters: readonly ParameterSpec[]): FormField[] {
  const fields: FormField[] = parameters.map((spec) => ({ spec }));
  if (parameters.some((p) => p.type === 'molecule')) {
    const options: FormField[] = [
      { spec: intField('charge', 0, -100, 'total charge of the molecule'), option: '--charge' },
      {
        spec: intField('multiplicity', 1, 1, 'spin multiplicity 2S+1 (1 singlet, 2 doublet …)'),
        option: '--multiplicity',
      },
    ];
    // A parameter of the same name keeps it (the calc's option then takes its default).
    fields.push(...options.filter((o) => !parameters.some((p) => p.name === o.spec.name)));
  }
  return fields;
}

export function isPath(spec: ParameterSpec): boolean {
  return PATH_TYPES.includes(spec.type);
}

/** A field's text before the user types: its default, the first choice, or empty. */
export function initialText(spec: ParameterSpec): string {
  if (spec.default !== undefined) return scalarText(spec.default);
  if (spec.type === 'choice') return String(spec.choices?.[0] ?? '');
  if (spec.type === 'bool') return 'false';
  return '';
}

/** What is wrong with a field's text (in words), or undefined when it is a value of the field. */
export function fieldProblem(spec: ParameterSpec, text: string, cwd: string): string | undefined {
  if (text.trim() === '') {
    return spec.required && spec.default === undefined ? 'required' : undefined;
  }
  if (isPath(spec)) {
    return existsSync(resolve(cwd, text.trim())) ? undefined : `no file ${text.trim()}`;
  }
  const read = readParameterText(spec, text);
  return read.ok ? undefined : `expected ${read.expected}`;
}

/** The texts that set something: not empty, and not the parameter's default. */
function given(
  fields: readonly FormField[],
  texts: Readonly<Record<string, string>>,
  cwd: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { spec } of fields) {
    const text = (texts[spec.name] ?? '').trim();
    if (text === '' || (spec.default !== undefined && text === scalarText(spec.default))) continue;
    out[spec.name] = isPath(spec) ? resolve(cwd, text) : text;
  }
  return out;
}

/**
 * The values to render the template with, as `retort calc` gives them: the molecule parameter
 * read from its XYZ file with the form's charge and multiplicity, the rest as typed.
 */
export function renderValues(
  loaded: LoadedTemplate,
  fields: readonly FormField[],
  texts: Readonly<Record<string, string>>,
  cwd: string,
): Record<string, RawValue> {
  const values: Record<string, RawValue> = {};
  const answers = given(
    fields.filter((f) => f.option === undefined),
    texts,
    cwd,
  );
  for (const [name, text] of Object.entries(answers)) values[name] = text;
  const { xyz } = filledCalcOptions(loaded.parameters, answers);
  const molecule = loaded.parameters.find((p) => p.type === 'molecule');
  if (xyz !== undefined && molecule !== undefined) {
    const option = (name: FormField['option']): string | undefined => {
      const field = fields.find((f) => f.option === name);
      return field === undefined ? undefined : texts[field.spec.name];
    };
    values[molecule.name] = readMolecule(
      xyz,
      count(option('--charge'), 0),
      count(option('--multiplicity'), 1),
    );
  }
  return values;
}

/**
 * `retort calc --template NAME …` of the filled form, as an argv (no shell): the values that
 * differ from the defaults as `--set`, the molecule as `--xyz` with its charge and
 * multiplicity, the crystal as `--structure`, the template's name as the calc's label.
 */
export function calcArgv(
  loaded: LoadedTemplate,
  fields: readonly FormField[],
  texts: Readonly<Record<string, string>>,
  cwd: string,
): string[] {
  const filled = filledCalcOptions(
    loaded.parameters,
    given(
      fields.filter((f) => f.option === undefined),
      texts,
      cwd,
    ),
  );
  const argv = ['calc', '--template', loaded.name];
  for (const pair of filled.set) argv.push('--set', pair);
  if (filled.xyz !== undefined) argv.push('--xyz', filled.xyz);
  if (filled.structure !== undefined) argv.push('--structure', filled.structure);
  for (const f of fields) {
    if (f.option !== undefined && filled.xyz !== undefined) {
      argv.push(f.option, (texts[f.spec.name] ?? '').trim() || scalarText(f.spec.default));
    }
  }
  argv.push('--label', `template ${loaded.name}`);
  return argv;
}

function count(text: string | undefined, fallback: number): number {
  const n = Number((text ?? '').trim());
  return (text ?? '').trim() === '' || !Number.isInteger(n) ? fallback : n;
}

function readMolecule(path: string, charge: number, multiplicity: number): Molecule {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new InputError(path, 'cannot be read', { cause });
  }
  const frame = parseXyz(text, path)[0];
  if (frame === undefined) throw new InputError(path, 'holds no geometry (an XYZ file)');
  return { atoms: frame.atoms, charge, multiplicity };
}
