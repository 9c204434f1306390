import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { describeValue, didYouMean } from '../../core/fields/describe.js';
import type { ParamDef } from './workflow-file.js';

/**
 * The values of a workflow's params: each `--set NAME=VALUE` (read as the param's type; a
 * `file` relative to `cwd`), else its default (a `file` relative to the workflow's directory),
 * checked against its type, `min`, `max` and `choices`. `file` params become absolute paths of
 * files that exist. Errors name `--set NAME` or the param's line.
 */
export function resolveParams(
  defs: readonly ParamDef[],
  sets: readonly string[],
  dir: string,
  cwd: string,
): Record<string, JsonValue> {
  const given = new Map<string, string>();
  for (const set of sets) {
    const eq = set.indexOf('=');
    const name = eq < 0 ? set : set.slice(0, eq);
    const def = defs.find((d) => d.name === name);
    if (eq < 1) throw new InputError(`--set ${set}`, 'expected NAME=VALUE');
    if (def === undefined) {
      const known = defs.map((d) => d.name);
      throw new InputError(
        `--set ${name}`,
        `no such param${didYouMean(name, known)}; the workflow has: ${known.join(', ') || 'none'}`,
      );
    }
    given.set(name, set.slice(eq + 1));
  }
  const out: Record<string, JsonValue> = {};
  for (const def of defs) {
    const text = given.get(def.name);
    if (text !== undefined) {
      out[def.name] = checkParam(
        def,
        fromText(def, text, `--set ${def.name}`),
        cwd,
        `--set ${def.name}`,
      );
    } else if (def.default !== undefined) {
      out[def.name] = checkParam(def, def.default, dir, `${def.where}.default`);
    } else {
      throw new InputError(def.where, `required: give it with --set ${def.name}=VALUE`);
    }
  }
  return out;
}

/** A --set text as the param's type. */
function fromText(def: ParamDef, text: string, where: string): JsonValue {
  switch (def.type) {
    case 'int':
    case 'float': {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(n)) throw new InputError(where, `expected a number, found "${text}"`);
      return n;
    }
    case 'bool':
      if (text === 'true') return true;
      if (text === 'false') return false;
      throw new InputError(where, `expected true or false, found "${text}"`);
    case 'string':
    case 'file':
      return text;
  }
}

function checkParam(def: ParamDef, value: JsonValue, base: string, where: string): JsonValue {
  const fail = (expected: string): never => {
    throw new InputError(where, `expected ${expected}, found ${describeValue(value)}`);
  };
  switch (def.type) {
    case 'int':
    case 'float': {
      const whole = def.type === 'int';
      if (
        typeof value !== 'number' ||
        !Number.isFinite(value) ||
        (whole && !Number.isInteger(value))
      ) {
        fail(whole ? 'a whole number' : 'a number');
      }
      const n = value as number;
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max)) {
        fail(
          def.min !== undefined && def.max !== undefined
            ? `a number between ${def.min} and ${def.max}`
            : def.min !== undefined
              ? `a number ≥ ${def.min}`
              : `a number ≤ ${def.max ?? ''}`,
        );
      }
      break;
    }
    case 'bool':
      if (typeof value !== 'boolean') fail('true or false');
      break;
    case 'string':
    case 'file':
      if (typeof value !== 'string' || value === '') fail('a non-empty text');
      break;
  }
  if (def.choices !== undefined && !def.choices.some((c) => c === value)) {
    fail(`one of ${def.choices.map((c) => JSON.stringify(c)).join(', ')}`);
  }
  if (def.type === 'file') {
    const path = resolve(base, value as string);
    if (!existsSync(path)) throw new InputError(where, `no such file: ${path}`);
    return path;
  }
  return value;
}
