import type { ParameterSpec } from '../templates/header.js';

/**
 * What the forms of a template share (`retort template fill` and the terminal UI's Templates
 * view): how a parameter's allowed values and default read, and how a filled form becomes the
 * options of `retort calc --template`.
 */

/** What a parameter allows, in words: its choices, its range, or '' when any value of its type. */
export function allowedValues(p: ParameterSpec): string {
  if (p.choices !== undefined) return p.choices.join(' | ');
  if (p.min !== undefined && p.max !== undefined) return `${p.min} … ${p.max}`;
  if (p.min !== undefined) return `≥ ${p.min}`;
  if (p.max !== undefined) return `≤ ${p.max}`;
  if (p.type === 'string' && p.multiline) return 'several lines';
  return '';
}

/** A parameter's value as `--set` and a form's default take it. */
export function scalarText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A filled form (`answers`: parameter name → the text given, a path for `structure`, `molecule`
 * and `file`) as `retort calc --template` options: the first structure parameter's path is
 * `--structure`, the first molecule parameter's `--xyz` (so that charge and multiplicity apply
 * to it), every other answer a `--set NAME=TEXT`, in the template's order.
 */
export function filledCalcOptions(
  parameters: readonly ParameterSpec[],
  answers: Readonly<Record<string, string>>,
): { readonly set: string[]; readonly structure?: string; readonly xyz?: string } {
  let structure: string | undefined;
  let xyz: string | undefined;
  const set: string[] = [];
  for (const p of parameters) {
    const answer = answers[p.name];
    if (answer === undefined) continue;
    if (p.type === 'structure' && structure === undefined) structure = answer;
    else if (p.type === 'molecule' && xyz === undefined) xyz = answer;
    else set.push(`${p.name}=${answer}`);
  }
  return {
    set,
    ...(structure === undefined ? {} : { structure }),
    ...(xyz === undefined ? {} : { xyz }),
  };
}
