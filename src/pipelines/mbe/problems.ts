import { InputError } from '../../core/errors.js';
import { describeValue, didYouMean } from '../../core/fields/describe.js';
import {
  checkBoolean,
  checkInteger,
  checkList,
  checkMapping,
  checkNumber,
  checkText,
  type Checked,
} from '../../core/fields/expect.js';
import type { Field } from '../../core/fields/field.js';

/**
 * Collects every mistake found in one input document, each named by its field, so that
 * `retort mbe validate` can print them all (one line each) and the other commands can stop at
 * the first with a pointer to `validate`. The checks and their wording are the field reader's
 * (core/fields); what this adds is going on after a mistake.
 *
 * Field paths are dotted with `[i]` for list items: `molecule.fragments[2]`,
 * `model_chemistries.mp2.basis`, `bsse_type[1]`. Each problem becomes an {@link InputError} whose
 * `where` is `SOURCE:LINE: PATH` (the line of the field, or of the mapping it is missing from,
 * when the document's `root` field is given; `SOURCE: PATH` without it; `SOURCE` alone for the
 * document as a whole).
 */
export class Problems {
  private readonly list: InputError[] = [];

  constructor(
    readonly source: string,
    private readonly root?: Field,
  ) {}

  /** Records a mistake in `field` (a path as above; '' for the whole document). */
  add(field: string, message: string): void {
    const place = this.root?.at(field).place ?? this.source;
    this.list.push(new InputError(field === '' ? place : `${place}: ${field}`, message));
  }

  /** Records `expected …, found …` unless the check passed; the value when it did. */
  check<T>(checked: Checked<T>, value: unknown, field: string): T | undefined {
    if (checked.ok) return checked.value;
    this.add(field, `expected ${checked.expected}, found ${describeValue(value)}`);
    return undefined;
  }

  get count(): number {
    return this.list.length;
  }

  get all(): readonly InputError[] {
    return this.list;
  }

  /** Throws {@link MbeInputErrors} when anything was recorded. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new MbeInputErrors(this.list);
  }
}

/**
 * Every mistake of one input document. Its message is the first problem (one line, as the CLI
 * prints it) plus how many more there are; `problems` holds them all.
 */
export class MbeInputErrors extends InputError {
  readonly problems: readonly InputError[];

  constructor(problems: readonly InputError[]) {
    const first = problems[0];
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''}: run \`retort mbe validate\` to see them all)`
        : '';
    super(undefined, `${first === undefined ? 'invalid input' : first.message}${more}`);
    this.problems = problems;
  }
}

/** A JSON/YAML object (a mapping with string keys). */
export type JsonObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `base.key` (or `key` at the top). */
export function fieldPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Records every key of `obj` outside `allowed` as an unknown field. */
export function checkKnownKeys(
  obj: JsonObject,
  allowed: readonly string[],
  base: string,
  problems: Problems,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      problems.add(
        fieldPath(base, key),
        `unknown field${didYouMean(key, allowed)}; expected one of: ${allowed.join(', ')}`,
      );
    }
  }
}

export function readString(
  value: unknown,
  path: string,
  problems: Problems,
  what?: string,
): string | undefined {
  const checked = checkText(value);
  return problems.check(
    checked.ok || what === undefined ? checked : { ok: false, expected: what },
    value,
    path,
  );
}

export function readNumber(value: unknown, path: string, problems: Problems): number | undefined {
  return problems.check(checkNumber(value), value, path);
}

export function readInteger(
  value: unknown,
  path: string,
  problems: Problems,
  min: number,
  max?: number,
): number | undefined {
  return problems.check(
    checkInteger(value, max === undefined ? { min } : { min, max }),
    value,
    path,
  );
}

export function readBoolean(value: unknown, path: string, problems: Problems): boolean | undefined {
  return problems.check(checkBoolean(value), value, path);
}

export function readList(value: unknown, path: string, problems: Problems): unknown[] | undefined {
  return problems.check(checkList(value), value, path);
}

export function readObject(
  value: unknown,
  path: string,
  problems: Problems,
): JsonObject | undefined {
  return problems.check(checkMapping(value), value, path);
}
