import { Document } from 'yaml';
import type { JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { Field } from '../../core/fields/field.js';
import { readCalcLine, type CalcLine } from '../calc-list/calc-line.js';
import {
  evaluateInterpolation,
  parseInterpolation,
  type ExpressionScope,
} from './expression/index.js';
import type { StepDef } from './workflow-file.js';

/**
 * A step of one instance as the calc line it is: every `${{ }}` text evaluated in `scope`
 * (`params`, `matrix`, `steps`), `from` given as `options.parent`, `molecule` as `atoms` (with
 * the charge and multiplicity of a result, unless the step states its own), a crystal that an
 * earlier step returned (`{lattice_angstrom, sites}`) as the calc line's `{cell, sites}`; then
 * read by the calc list's own reader, so a step takes exactly what a calc line takes. Errors
 * name the step's line and field.
 */
export function stepLine(step: StepDef, scope: ExpressionScope, label: string): CalcLine {
  const calc = evaluateStepCalc(step, scope);
  if (step.from !== undefined) {
    const parent = evaluateSite(step.from, scope);
    const key =
      typeof parent === 'string'
        ? parent
        : isObject(parent) && typeof parent.key === 'string'
          ? parent.key
          : undefined;
    if (key === undefined) {
      throw new InputError(
        step.from.where,
        'expected an earlier step (${{ steps.NAME }}) that has a calc key',
      );
    }
    const options = isObject(calc.options) ? calc.options : {};
    calc.options = { ...options, parent: key };
  }
  if (calc.molecule !== undefined) {
    moleculeToAtoms(calc, step);
  }
  const structure = calc.structure;
  if (isObject(structure) && structure.lattice_angstrom !== undefined) {
    calc.structure = { cell: structure.lattice_angstrom, sites: structure.sites ?? null };
  }
  if (calc.label === undefined) calc.label = label;
  const node = new Document(calc).contents;
  const source = { file: step.place, place: () => step.place };
  return readCalcLine(new Field(source, `steps.${step.name}`, node));
}

/** The step's calc fields with every `${{ }}` text replaced by its value. */
function evaluateStepCalc(step: StepDef, scope: ExpressionScope): Record<string, JsonValue> {
  const calc = structuredClone(step.calc) as Record<string, JsonValue>;
  for (const site of step.sites) {
    const value = evaluateSite(site, scope);
    const text = TEXT_FIELDS.includes(String(site.path[0])) && isScalar(value);
    setAt(calc, site.path, text ? String(value) : value);
  }
  return calc;
}

/**
 * Calc line fields made of texts: a number or boolean an expression gives them is written as
 * text (`argv: [echo, ${{ matrix.n }}]`), as a shell would.
 */
const TEXT_FIELDS = [
  'program',
  'task',
  'method',
  'basis',
  'keywords',
  'smiles',
  'xyz',
  'argv',
  'files',
  'outputs',
  'env',
  'label',
];

function isScalar(value: JsonValue): value is number | boolean {
  return typeof value === 'number' || typeof value === 'boolean';
}

export function evaluateSite(
  site: { readonly text: string; readonly where: string },
  scope: ExpressionScope,
): JsonValue {
  return evaluateInterpolation(parseInterpolation(site.text, site.where), scope, site.where);
}

function setAt(
  root: Record<string, JsonValue>,
  path: readonly (string | number)[],
  value: JsonValue,
) {
  let node: JsonValue = root;
  path.forEach((key, i) => {
    const last = i === path.length - 1;
    if (Array.isArray(node) && typeof key === 'number') {
      if (last) node[key] = value;
      else node = node[key] ?? null;
    } else if (isObject(node) && typeof key === 'string') {
      if (last) node[key] = value;
      else node = node[key] ?? null;
    }
  });
}

/**
 * `molecule`: a geometry `[{element, x, y, z}]` (or `[[el, x, y, z]]`), or an object holding one
 * as `geometry` (an earlier step's result) with its `charge` and `multiplicity`.
 */
function moleculeToAtoms(calc: Record<string, JsonValue>, step: StepDef): void {
  const molecule = calc.molecule;
  delete calc.molecule;
  const where = `${step.place}: steps.${step.name}.molecule`;
  let geometry: JsonValue | undefined = molecule;
  if (isObject(molecule)) {
    geometry = molecule.geometry;
    for (const key of ['charge', 'multiplicity'] as const) {
      const value = molecule[key];
      if (calc[key] === undefined && value !== undefined) calc[key] = value;
    }
  }
  if (!Array.isArray(geometry) || geometry.length === 0) {
    throw new InputError(
      where,
      'expected a geometry [{element, x, y, z}, …] or a result with a geometry (${{ steps.NAME.result }})',
    );
  }
  if (calc.atoms !== undefined || calc.smiles !== undefined || calc.xyz !== undefined) {
    throw new InputError(where, 'give one of molecule, smiles, xyz, atoms or structure');
  }
  calc.atoms = geometry.map((atom) =>
    isObject(atom) ? [atom.element ?? null, atom.x ?? null, atom.y ?? null, atom.z ?? null] : atom,
  );
}

function isObject(value: JsonValue | undefined): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
