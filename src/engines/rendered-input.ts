import type { CalcSpec } from '../core/calc-spec.js';
import { InputError } from '../core/errors.js';

/**
 * The rendered input of a spec (spec.input), or undefined when the engine is to write its own.
 * With a rendered input the template has already decided the method, basis and keywords, so
 * those spec fields are refused rather than silently ignored; only the options in `options`
 * (those that are not about the input text, such as a parent calc) are allowed.
 */
export function renderedInput(spec: CalcSpec, options: readonly string[] = []): string | undefined {
  if (spec.input === undefined) return undefined;
  if (spec.input.trim() === '') throw new InputError('input', 'the rendered input is empty');
  for (const field of ['method', 'basis'] as const) {
    if (spec[field] !== undefined) {
      throw new InputError(
        field,
        `set by the template: ${spec.program} runs the rendered input as it is`,
      );
    }
  }
  if (spec.keywords !== undefined && spec.keywords.length > 0) {
    throw new InputError(
      'keywords',
      `set by the template: ${spec.program} runs the rendered input as it is`,
    );
  }
  for (const name of Object.keys(spec.options ?? {})) {
    if (!options.includes(name)) {
      throw new InputError(
        `options.${name}`,
        `set by the template: with a rendered input ${spec.program} takes ${options.length === 0 ? 'no options' : `only ${options.join(', ')}`}`,
      );
    }
  }
  return spec.input;
}
