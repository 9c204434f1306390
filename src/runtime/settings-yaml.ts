import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import { InputError } from '../core/errors.js';

/**
 * Reading typed fields out of a parsed YAML document, every mistake an {@link InputError} naming
 * the file and line (`at`) and the dotted name of the field with what was expected.
 */
export type At = (node: Node | null | undefined) => string;

/** `at` for a document: `file:line` of a node, or the file alone when the node has no position. */
export function lineOf(file: string, lines: LineCounter): At {
  return (node) => {
    const offset = node?.range?.[0];
    return offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
  };
}

export type YamlMap = YAMLMap;

export function mapOf(node: unknown, what: string, at: At): YamlMap {
  if (!isMap(node))
    throw new InputError(at(node as Node), `${what}: expected a mapping of keys to values`);
  return node;
}

export function entries(map: YamlMap): [string, Node | null][] {
  return map.items.map((pair) => [
    isScalar(pair.key) ? String(pair.key.value) : String(pair.key),
    pair.value as Node | null,
  ]);
}

export function valueNode(map: YamlMap, key: string): Node | undefined {
  for (const [k, v] of entries(map)) if (k === key) return v ?? undefined;
  return undefined;
}

export function checkKeys(map: YamlMap, allowed: readonly string[], prefix: string, at: At): void {
  for (const pair of map.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!allowed.includes(key)) {
      throw new InputError(
        at(pair.key as Node),
        `unknown setting "${prefix}${key}"; expected one of: ${allowed.map((k) => prefix + k).join(', ')}`,
      );
    }
  }
}

export function stringAt(map: YamlMap, key: string, at: At, name = key): string | undefined {
  const node = valueNode(map, key);
  if (node === undefined) return undefined;
  if (!isScalar(node) || typeof node.value !== 'string' || node.value === '') {
    throw new InputError(at(node), `${name}: expected a non-empty text`);
  }
  return node.value;
}

export function intAt(
  map: YamlMap,
  key: string,
  at: At,
  min: number,
  name = key,
): number | undefined {
  const node = valueNode(map, key);
  if (node === undefined) return undefined;
  if (
    !isScalar(node) ||
    typeof node.value !== 'number' ||
    !Number.isInteger(node.value) ||
    node.value < min
  ) {
    throw new InputError(
      at(node),
      `${name}: expected a whole number ≥ ${min}, found ${isScalar(node) ? JSON.stringify(node.value) : 'a structure'}`,
    );
  }
  return node.value;
}

/** A list of non-empty texts (`setup:` lines, extra options), each on its own line. */
export function stringListAt(map: YamlMap, key: string, at: At, name = key): string[] | undefined {
  const node = valueNode(map, key);
  if (node === undefined) return undefined;
  if (!isSeq(node)) throw new InputError(at(node), `${name}: expected a list of texts`);
  return node.items.map((item, index) => {
    const scalar = item as Node;
    if (!isScalar(scalar) || typeof scalar.value !== 'string' || scalar.value === '') {
      throw new InputError(at(scalar), `${name}[${index}]: expected a non-empty text`);
    }
    if (scalar.value.includes('\n')) {
      throw new InputError(at(scalar), `${name}[${index}]: expected one line, found several`);
    }
    return scalar.value;
  });
}

/** One of a closed set of words. */
export function choiceAt<T extends string>(
  map: YamlMap,
  key: string,
  choices: readonly T[],
  at: At,
  name = key,
): T | undefined {
  const value = stringAt(map, key, at, name);
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) {
    throw new InputError(
      at(valueNode(map, key)),
      `${name}: expected one of ${choices.join(', ')}, found "${value}"`,
    );
  }
  return value as T;
}

/** true or false. */
export function booleanAt(map: YamlMap, key: string, at: At, name = key): boolean | undefined {
  const node = valueNode(map, key);
  if (node === undefined) return undefined;
  if (!isScalar(node) || typeof node.value !== 'boolean') {
    throw new InputError(at(node), `${name}: expected true or false`);
  }
  return node.value;
}

/** A mapping of names to non-empty texts (`programs:`); `{}` is allowed. */
export function textMapAt(map: YamlMap, key: string, at: At, name = key): Record<string, string> {
  const node = valueNode(map, key);
  const result: Record<string, string> = {};
  if (node === undefined || (isMap(node) && node.items.length === 0)) return result;
  const inner = mapOf(node, name, at);
  for (const [entry] of entries(inner)) {
    const text = stringAt(inner, entry, at, `${name}.${entry}`);
    if (text !== undefined) result[entry] = text;
  }
  return result;
}
