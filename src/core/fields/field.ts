import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';
import { InputError } from '../errors.js';
import { describeValue, didYouMean } from './describe.js';
import {
  checkBoolean,
  checkInteger,
  checkNumber,
  checkText,
  type Checked,
  type NumberRange,
  type TextOptions,
} from './expect.js';

export type { NumberRange, TextOptions } from './expect.js';

/**
 * Where the nodes of one parsed document are: `place(offset)` gives `file:line` of a character
 * offset of the document's text (`file` alone when there is no offset).
 */
export interface FieldSource {
  readonly file: string;
  place(offset: number | undefined): string;
}

/**
 * One field of a YAML, JSON or JSON Lines document, present or not, with its dotted path
 * (`hosts.cluster.submit`, `molecule.fragments[2]`) and its place in the file. The typed readers
 * return undefined for an absent field and throw {@link InputError} for a present one of the
 * wrong kind, worded `FILE:LINE: PATH: expected …, found …`; `required()` refuses an absent one.
 * An absent field is placed at the line of the mapping it is missing from.
 */
export class Field {
  constructor(
    private readonly source: FieldSource,
    readonly path: string,
    readonly node: Node | null | undefined,
    private readonly parentOffset?: number,
  ) {}

  /** False when the key is not in its mapping (a YAML `null` value is present). */
  get present(): boolean {
    return this.node !== undefined;
  }

  /** `FILE:LINE` of this field (of its mapping when absent). */
  get place(): string {
    return this.source.place(this.node?.range?.[0] ?? this.parentOffset);
  }

  /** `FILE:LINE: PATH`, how every message about this field begins. */
  get where(): string {
    return this.path === '' ? this.place : `${this.place}: ${this.path}`;
  }

  /** The value as plain data (mappings as objects, sequences as arrays). */
  get value(): unknown {
    if (this.node === undefined) return undefined;
    if (this.node === null) return null;
    return this.node.toJSON() as unknown;
  }

  /** An InputError about this field, saying what was wrong with it. */
  error(message: string): InputError {
    return new InputError(this.where, message);
  }

  /** Throws `expected WHAT, found …` about this field. */
  expected(what: string): never {
    throw this.error(`expected ${what}, found ${describeValue(this.value)}`);
  }

  /** This field, or an InputError when it is absent (`what` says what is expected). */
  required(what = 'a value'): this {
    if (!this.present) throw this.error(`required: expected ${what}`);
    return this;
  }

  private scalar(): unknown {
    return isScalar(this.node) ? this.node.value : this.value;
  }

  /** A text; by default a non-empty one on any number of lines. */
  string(options: TextOptions = {}): string | undefined {
    return this.present ? this.text(options) : undefined;
  }

  /** A text that must be there. */
  requiredString(options: TextOptions = {}): string {
    return this.required(options.allowEmpty === true ? 'a text' : 'a non-empty text').text(options);
  }

  private text(options: TextOptions): string {
    return this.take(checkText(this.scalar(), options));
  }

  /** The checked value, or the InputError saying what was expected and what was found. */
  private take<T>(checked: Checked<T>): T {
    if (!checked.ok) this.expected(checked.expected);
    return checked.value;
  }

  /** A finite number within `range`. */
  number(range: NumberRange = {}): number | undefined {
    return this.present ? this.take(checkNumber(this.scalar(), range)) : undefined;
  }

  /** A whole number within `range`. */
  integer(range: NumberRange = {}): number | undefined {
    return this.present ? this.take(checkInteger(this.scalar(), range)) : undefined;
  }

  /** true or false. */
  boolean(): boolean | undefined {
    return this.present ? this.take(checkBoolean(this.scalar())) : undefined;
  }

  /** One of a closed set of words; a near miss is named (`did you mean "array"?`). */
  oneOf<T extends string>(choices: readonly T[]): T | undefined {
    if (!this.present) return undefined;
    const v = this.scalar();
    const found = choices.find((c) => c === v);
    if (found === undefined) {
      const hint = typeof v === 'string' ? didYouMean(v, choices) : '';
      throw this.error(
        `expected one of ${choices.join(', ')}, found ${describeValue(this.value)}${hint}`,
      );
    }
    return found;
  }

  /**
   * The field at a path below this one (`molecule.fragments[2]`, as messages name fields); an
   * absent one is placed at the line of the deepest mapping or list on the way.
   */
  at(path: string): Field {
    const tokens = path.match(/[^.[\]]+|\[\d+\]/g) ?? [];
    return tokens.reduce<Field>((field, token) => field.child(token, path), this);
  }

  /** The field one step (`key` or `[i]`) below this one; `path` names an absent one. */
  private child(token: string, path: string): Field {
    const index = /^\[(\d+)\]$/.exec(token)?.[1];
    const node = this.node;
    if (index !== undefined && isSeq(node)) {
      const item = node.items[Number(index)] as Node | null | undefined;
      return new Field(this.source, `${this.path}${token}`, item, node.range?.[0]);
    }
    if (index === undefined && isMap(node)) {
      return new FieldMap(this.source, this.path, node.items, node.range?.[0]).get(token);
    }
    return new Field(this.source, path, undefined, this.node?.range?.[0] ?? this.parentOffset);
  }

  /** The items of a list, each a field `PATH[i]`. */
  list(options: { nonEmpty?: boolean } = {}): Field[] | undefined {
    if (!this.present) return undefined;
    const node = this.node;
    if (!isSeq(node) || (options.nonEmpty === true && node.items.length === 0)) {
      this.expected(options.nonEmpty === true ? 'a non-empty list' : 'a list');
    }
    return node.items.map(
      (item, i) =>
        new Field(this.source, `${this.path}[${i}]`, item as Node | null, node.range?.[0]),
    );
  }

  /** A list of texts (each non-empty, on one line unless `oneLine` is false). */
  stringList(options: { nonEmpty?: boolean; oneLine?: boolean } = {}): string[] | undefined {
    return this.list(options)?.map((item) =>
      item.requiredString({ oneLine: options.oneLine ?? true }),
    );
  }

  /**
   * A mapping. With `allowed`, a key outside it is refused, naming the closest allowed key
   * (`did you mean "walltime_s"?`) and all of them.
   */
  object(allowed?: readonly string[]): FieldMap | undefined {
    return this.present ? this.mapping(allowed) : undefined;
  }

  /** A mapping that must be there. */
  requiredObject(allowed?: readonly string[]): FieldMap {
    return this.required('a mapping of keys to values').mapping(allowed);
  }

  private mapping(allowed: readonly string[] | undefined): FieldMap {
    const node = this.node;
    if (!isMap(node)) this.expected('a mapping of keys to values');
    const map = new FieldMap(this.source, this.path, node.items, node.range?.[0]);
    if (allowed !== undefined) map.refuseUnknown(allowed);
    return map;
  }

  /** A mapping of names to texts (`programs:`, `env`). */
  stringMap(): Record<string, string> | undefined {
    const map = this.object();
    if (map === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [key, field] of map.entries()) out[key] = field.requiredString();
    return out;
  }
}

/** The fields of one mapping, by key. */
export class FieldMap {
  constructor(
    private readonly source: FieldSource,
    readonly path: string,
    private readonly pairs: readonly Pair[],
    private readonly offset: number | undefined,
  ) {}

  /** The keys, in the order of the document. */
  keys(): string[] {
    return this.pairs.map((pair) => keyText(pair));
  }

  /** The field of `key` (absent when the mapping has no such key). */
  get(key: string): Field {
    const pair = this.pairs.find((p) => keyText(p) === key);
    return new Field(
      this.source,
      childPath(this.path, key),
      pair === undefined ? undefined : ((pair.value as Node | null) ?? null),
      pair === undefined ? this.offset : keyOffset(pair),
    );
  }

  /** Every key with its field. */
  entries(): [string, Field][] {
    return this.keys().map((key) => [key, this.get(key)]);
  }

  /** `FILE:LINE: PATH` of the mapping itself. */
  get where(): string {
    const place = this.source.place(this.offset);
    return this.path === '' ? place : `${place}: ${this.path}`;
  }

  /** Refuses a key outside `allowed`, at the key's line. */
  refuseUnknown(allowed: readonly string[]): void {
    for (const pair of this.pairs) {
      const key = keyText(pair);
      if (allowed.includes(key)) continue;
      throw new InputError(
        `${this.source.place(keyOffset(pair))}: ${childPath(this.path, key)}`,
        `unknown field${didYouMean(key, allowed)}; expected one of: ${allowed.join(', ')}`,
      );
    }
  }
}

function keyText(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
}

function keyOffset(pair: Pair): number | undefined {
  return isScalar(pair.key) ? pair.key.range?.[0] : undefined;
}

function childPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}
