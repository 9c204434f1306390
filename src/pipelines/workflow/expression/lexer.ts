import { InputError } from '../../../core/errors.js';

/**
 * A token of the expression language. `column` is 1-based, counted in the text the user wrote
 * (for a `${{ … }}` part, in the whole string around it); `spaced` says whether whitespace
 * comes right before it.
 */
export type Token = (
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'name'; readonly value: string }
  | { readonly kind: 'punct'; readonly value: Punct }
  | { readonly kind: 'end' }
) & { readonly column: number; readonly spaced: boolean };

export type Punct =
  | '('
  | ')'
  | '['
  | ']'
  | ','
  | '.'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | '+'
  | '-'
  | '*'
  | '/'
  | '%';

const TWO_CHAR: readonly Punct[] = ['==', '!=', '<=', '>='];
const ONE_CHAR: readonly Punct[] = [
  '(',
  ')',
  '[',
  ']',
  ',',
  '.',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
];
// Sticky: each matches exactly at its lastIndex, so the source is never sliced.
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function matchAt(pattern: RegExp, source: string, at: number): string | undefined {
  pattern.lastIndex = at;
  return pattern.exec(source)?.[0];
}
const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** A syntax error at a column of the text. */
export function syntaxError(where: string, column: number, message: string): InputError {
  return new InputError(where, `column ${column}: ${message}`);
}

/**
 * Splits an expression into tokens. `offset` is the column of `source`'s first character minus
 * one, so that columns name the place in the text the user wrote.
 */
export function tokenize(source: string, where: string, offset = 0): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaced = false;
  while (i < source.length) {
    const c = source.charAt(i);
    const column = offset + i + 1;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || /\s/.test(c)) {
      spaced = true;
      i++;
      continue;
    }
    // After a value, ".5" is a field access refused as such, not the number 0.5.
    const previous = tokens.at(-1);
    const afterValue =
      previous !== undefined &&
      (previous.kind === 'name' ||
        (previous.kind === 'punct' && (previous.value === ')' || previous.value === ']')));
    const number = afterValue && c === '.' ? undefined : matchAt(NUMBER, source, i);
    if (number !== undefined) {
      if (matchAt(NAME, source, i + number.length) !== undefined) {
        throw syntaxError(where, column, `expected an operator after the number ${number}`);
      }
      tokens.push({ kind: 'number', value: Number(number), column, spaced });
      i += number.length;
      spaced = false;
      continue;
    }
    const name = matchAt(NAME, source, i);
    if (name !== undefined) {
      tokens.push({ kind: 'name', value: name, column, spaced });
      i += name.length;
      spaced = false;
      continue;
    }
    if (c === '"' || c === "'") {
      const [value, length] = readString(source, i, where, offset);
      tokens.push({ kind: 'string', value, column, spaced });
      i += length;
      spaced = false;
      continue;
    }
    const two = TWO_CHAR.find((p) => source.startsWith(p, i));
    if (two !== undefined) {
      tokens.push({ kind: 'punct', value: two, column, spaced });
      i += 2;
      spaced = false;
      continue;
    }
    const one = ONE_CHAR.find((p) => p === c);
    if (one !== undefined) {
      tokens.push({ kind: 'punct', value: one, column, spaced });
      i += 1;
      spaced = false;
      continue;
    }
    throw syntaxError(where, column, unexpectedCharacter(c));
  }
  tokens.push({ kind: 'end', column: offset + source.length + 1, spaced });
  return tokens;
}

function unexpectedCharacter(c: string): string {
  const hints: Readonly<Record<string, string>> = {
    '=': 'unexpected "="; compare with "=="',
    '&': 'unexpected "&"; write "and"',
    '|': 'unexpected "|"; write "or"',
    '!': 'unexpected "!"; write "not", or "!=" to compare',
    '{': 'unexpected "{"; objects cannot be written in an expression',
    '}': 'unexpected "}"',
  };
  return hints[c] ?? `unexpected character ${JSON.stringify(c)}`;
}

/** Reads the string literal opening at `start`; returns its value and its length in the source. */
function readString(
  source: string,
  start: number,
  where: string,
  offset: number,
): [string, number] {
  const quote = source.charAt(start);
  let value = '';
  let i = start + 1;
  while (i < source.length) {
    const c = source.charAt(i);
    if (c === quote) return [value, i - start + 1];
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const e = source.charAt(i + 1);
    const simple = ESCAPES[e];
    if (simple !== undefined) {
      value += simple;
      i += 2;
    } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(source.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      throw syntaxError(
        where,
        offset + i + 1,
        'expected an escape \\n, \\t, \\r, \\\\, \\\', \\" or \\uXXXX after "\\"',
      );
    }
  }
  throw syntaxError(where, offset + start + 1, `expected ${quote} to close this string`);
}
