import { InputError } from '../../core/errors.js';

/**
 * Collects every mistake found in one input document, each named by its field, so that
 * `retort mbe validate` can print them all (one line each) and the other commands can stop at
 * the first with a pointer to `validate`.
 *
 * Field paths are dotted with `[i]` for list items: `molecule.fragments[2]`,
 * `model_chemistries.mp2.basis`, `bsse_type[1]`. Each problem becomes an {@link InputError} whose
 * `where` is `SOURCE: field "PATH"` (or just `SOURCE` for problems with the document as a whole).
 */
export class Problems {
  private readonly list: InputError[] = [];

  constructor(readonly source: string) {}

  /** Records a mistake in `field` (a path as above; '' for the whole document). */
  add(field: string, message: string): void {
    const where = field === '' ? this.source : `${this.source}: field "${field}"`;
    this.list.push(new InputError(where, message));
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
      problems.add(fieldPath(base, key), `unknown field (expected one of: ${allowed.join(', ')})`);
    }
  }
}

/** A short description of a value for messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function readString(
  value: unknown,
  path: string,
  problems: Problems,
  what = 'a non-empty string',
): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value;
  problems.add(path, `expected ${what}, found ${describe(value)}`);
  return undefined;
}

export function readNumber(value: unknown, path: string, problems: Problems): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  problems.add(path, `expected a number, found ${describe(value)}`);
  return undefined;
}

export function readInteger(
  value: unknown,
  path: string,
  problems: Problems,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `between ${min} and ${max}`;
  problems.add(path, `expected an integer ${range}, found ${describe(value)}`);
  return undefined;
}

export function readBoolean(value: unknown, path: string, problems: Problems): boolean | undefined {
  if (typeof value === 'boolean') return value;
  problems.add(path, `expected true or false, found ${describe(value)}`);
  return undefined;
}

export function readList(value: unknown, path: string, problems: Problems): unknown[] | undefined {
  if (Array.isArray(value)) return value as unknown[];
  problems.add(path, `expected a list, found ${describe(value)}`);
  return undefined;
}

export function readObject(
  value: unknown,
  path: string,
  problems: Problems,
): JsonObject | undefined {
  if (isObject(value)) return value;
  problems.add(path, `expected a mapping, found ${describe(value)}`);
  return undefined;
}
