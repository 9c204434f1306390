import type { BinaryOperator, ExprNode } from './ast.js';
import { FUNCTIONS, functionNames } from './functions.js';
import { syntaxError, tokenize, type Punct, type Token } from './lexer.js';

// Deeper nesting, or more tokens (a long chain `1 + 1 + …` is as deep a tree), is refused rather
// than risking the stack of the parser, the evaluator or the reference walk.
const MAX_DEPTH = 100;
const MAX_TOKENS = 1000;
const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);
const COMPARISONS: readonly Punct[] = ['==', '!=', '<', '<=', '>', '>='];

/**
 * Parses an expression (precedence from loosest: `or`, `and`, `not`, comparisons, `+ -`,
 * `* / %`, unary `-`, then `.key`, `[index]` and calls). `offset` is the column of `source`'s
 * first character minus one.
 */
export function parse(source: string, where: string, offset = 0): ExprNode {
  const tokens = tokenize(source, where, offset);
  if (tokens.length > MAX_TOKENS) {
    throw syntaxError(
      where,
      offset + 1,
      `expected at most ${MAX_TOKENS} operators, names and values in one expression, found ${tokens.length - 1}`,
    );
  }
  const parser = new Parser(tokens, where);
  const node = parser.expression();
  parser.expectEnd();
  return node;
}

class Parser {
  private position = 0;
  private depth = 0;
  private readonly end: Token;

  constructor(
    private readonly tokens: readonly Token[],
    private readonly where: string,
  ) {
    this.end = tokens.at(-1) ?? { kind: 'end', column: 1, spaced: false };
  }

  expression(): ExprNode {
    return this.nested(() => this.or());
  }

  expectEnd(): void {
    const token = this.peek();
    if (token.kind !== 'end') {
      throw syntaxError(
        this.where,
        token.column,
        `expected an operator or the end, found ${describe(token)}`,
      );
    }
  }

  private or(): ExprNode {
    let left = this.and();
    while (this.isName('or')) {
      const column = this.next().column;
      left = { kind: 'binary', operator: 'or', left, right: this.and(), column };
    }
    return left;
  }

  private and(): ExprNode {
    let left = this.not();
    while (this.isName('and')) {
      const column = this.next().column;
      left = { kind: 'binary', operator: 'and', left, right: this.not(), column };
    }
    return left;
  }

  private not(): ExprNode {
    if (this.isName('not')) {
      const column = this.next().column;
      return { kind: 'unary', operator: 'not', operand: this.nested(() => this.not()), column };
    }
    return this.comparison();
  }

  private comparison(): ExprNode {
    const left = this.additive();
    const operator = this.punctIn(COMPARISONS);
    if (operator === undefined) return left;
    const column = this.next().column;
    const node: ExprNode = {
      kind: 'binary',
      operator: operator as BinaryOperator,
      left,
      right: this.additive(),
      column,
    };
    const again = this.punctIn(COMPARISONS);
    if (again !== undefined) {
      throw syntaxError(
        this.where,
        this.peek().column,
        `expected "and" or "or" between two comparisons, found "${again}" (comparisons do not chain)`,
      );
    }
    return node;
  }

  private additive(): ExprNode {
    let left = this.multiplicative();
    for (let op = this.punctIn(['+', '-']); op !== undefined; op = this.punctIn(['+', '-'])) {
      if (op === '-') this.refuseDashedName();
      const column = this.next().column;
      left = {
        kind: 'binary',
        operator: op as BinaryOperator,
        left,
        right: this.multiplicative(),
        column,
      };
    }
    return left;
  }

  /**
   * `steps.dft-opt` reads as `steps.dft - opt`: a "-" glued between a field name and a name is
   * refused with the way to write such a key, rather than failing later as a missing name `opt`.
   */
  private refuseDashedName(): void {
    const [field, dot, dash, after] = [
      this.tokens[this.position - 1],
      this.tokens[this.position - 2],
      this.peek(),
      this.tokens[this.position + 1],
    ];
    const glued =
      field?.kind === 'name' &&
      dot?.kind === 'punct' &&
      dot.value === '.' &&
      !dash.spaced &&
      after?.kind === 'name' &&
      !after.spaced;
    if (!glued) return;
    throw syntaxError(
      this.where,
      field.column,
      `a name with "-" is written ["${field.value}-${after.value}"] (e.g. steps["${field.value}-${after.value}"]); put spaces around "-" to subtract`,
    );
  }

  private multiplicative(): ExprNode {
    let left = this.unary();
    for (
      let op = this.punctIn(['*', '/', '%']);
      op !== undefined;
      op = this.punctIn(['*', '/', '%'])
    ) {
      const column = this.next().column;
      left = { kind: 'binary', operator: op as BinaryOperator, left, right: this.unary(), column };
    }
    return left;
  }

  private unary(): ExprNode {
    if (this.punctIn(['-']) !== undefined) {
      const column = this.next().column;
      return { kind: 'unary', operator: '-', operand: this.nested(() => this.unary()), column };
    }
    if (this.punctIn(['+']) !== undefined) {
      throw syntaxError(this.where, this.peek().column, 'expected a value, found "+"');
    }
    return this.postfix();
  }

  private postfix(): ExprNode {
    let node = this.primary();
    for (;;) {
      const token = this.peek();
      if (token.kind !== 'punct') return node;
      if (token.value === '.') {
        this.next();
        const key = this.next();
        if (key.kind !== 'name') {
          throw syntaxError(
            this.where,
            key.column,
            `expected a field name after ".", found ${describe(key)} (write ["…"] for other keys, [N] for a list index)`,
          );
        }
        node = {
          kind: 'index',
          target: node,
          key: { kind: 'literal', value: key.value, column: key.column },
          column: token.column,
        };
      } else if (token.value === '[') {
        this.next();
        const key = this.expression();
        this.expectPunct(']', 'to close "["');
        node = { kind: 'index', target: node, key, column: token.column };
      } else if (token.value === '(') {
        throw syntaxError(
          this.where,
          token.column,
          `only functions can be called (${functionNames().join(', ')}), not a value`,
        );
      } else {
        return node;
      }
    }
  }

  private primary(): ExprNode {
    const token = this.next();
    switch (token.kind) {
      case 'number':
      case 'string':
        return { kind: 'literal', value: token.value, column: token.column };
      case 'name':
        return this.named(token.value, token.column);
      case 'punct':
        if (token.value === '(') {
          const inner = this.expression();
          this.expectPunct(')', 'to close "("');
          return inner;
        }
        if (token.value === '[') return this.list(token.column);
        break;
      case 'end':
        break;
    }
    throw syntaxError(this.where, token.column, `expected a value, found ${describe(token)}`);
  }

  private named(name: string, column: number): ExprNode {
    if (name === 'true' || name === 'false')
      return { kind: 'literal', value: name === 'true', column };
    if (name === 'null') return { kind: 'literal', value: null, column };
    if (KEYWORDS.has(name)) {
      throw syntaxError(this.where, column, `expected a value, found "${name}"`);
    }
    if (this.punctIn(['(']) === undefined) return { kind: 'name', name, column };
    if (!FUNCTIONS.has(name)) {
      throw syntaxError(
        this.where,
        column,
        `unknown function ${name}; the functions are ${functionNames().join(', ')}`,
      );
    }
    this.next();
    const args = this.items(')', 'to close the arguments of ' + name);
    return { kind: 'call', name, args, column };
  }

  private list(column: number): ExprNode {
    return { kind: 'list', items: this.items(']', 'to close the list'), column };
  }

  /** Comma-separated expressions up to `close` (a trailing comma is allowed). */
  private items(close: ')' | ']', why: string): ExprNode[] {
    const items: ExprNode[] = [];
    while (this.punctIn([close]) === undefined) {
      items.push(this.expression());
      if (this.punctIn([',']) === undefined) break;
      this.next();
    }
    this.expectPunct(close, why);
    return items;
  }

  private nested(parse: () => ExprNode): ExprNode {
    this.depth++;
    if (this.depth > MAX_DEPTH) {
      throw syntaxError(
        this.where,
        this.peek().column,
        `expected at most ${MAX_DEPTH} levels of nesting`,
      );
    }
    const node = parse();
    this.depth--;
    return node;
  }

  private expectPunct(value: Punct, why: string): void {
    const token = this.next();
    if (token.kind !== 'punct' || token.value !== value) {
      throw syntaxError(
        this.where,
        token.column,
        `expected "${value}" ${why}, found ${describe(token)}`,
      );
    }
  }

  private punctIn(values: readonly Punct[]): Punct | undefined {
    const token = this.peek();
    return token.kind === 'punct' && values.includes(token.value) ? token.value : undefined;
  }

  private isName(name: string): boolean {
    const token = this.peek();
    return token.kind === 'name' && token.value === name;
  }

  private peek(): Token {
    return this.tokens[this.position] ?? this.end;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.position++;
    return token;
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end';
    case 'string':
      return `the string ${JSON.stringify(token.value)}`;
    case 'number':
      return `the number ${token.value}`;
    case 'name':
      return `"${token.value}"`;
    case 'punct':
      return `"${token.value}"`;
  }
}
