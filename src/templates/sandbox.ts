import { Template } from '@huggingface/jinja';
import { InputError, errorMessage } from '../core/errors.js';

/**
 * The sandbox around @huggingface/jinja. That renderer already keeps templates away from
 * JavaScript: values are copied into its own value types (an object's attributes are a Map of
 * its own keys, so `x.constructor` finds nothing), it has no file loader, and it calls only its
 * own built-in filters and methods. On top of that, before a template renders:
 *
 * - attribute names that mean an escape in some Jinja port (`constructor`, `prototype`,
 *   `__proto__`, `__class__`, any `__dunder__`, `toString`, `valueOf`, `hasOwnProperty` …) are
 *   refused wherever they appear (`x.constructor`, `x['constructor']`, `x | attr('…')`), with
 *   an error, not an empty string;
 * - every variable must be a declared parameter, a name the template binds itself (`set`, `for`,
 *   `macro`), or one of the globals `range`, `namespace`, `raise_exception`, `loop`, `caller`,
 *   `true`/`false`/`none`; anything else (`process`, `globalThis`, `cycler`, `joiner`, `lipsum`,
 *   `self`, `strftime_now`, whose output would change with the clock) is refused by name.
 *
 * The checks walk the parsed template (its syntax tree), so they see through whitespace,
 * quoting and filters.
 */
const FORBIDDEN_ATTRIBUTES = new Set([
  'constructor',
  'prototype',
  '__proto__',
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'call',
  'apply',
  'bind',
  'caller',
  'arguments',
  'mro',
]);

/** Names the renderer defines, which templates may use; no parameter may take one of them. */
export const GLOBALS: ReadonlySet<string> = new Set([
  'range',
  'namespace',
  'raise_exception',
  'true',
  'false',
  'none',
  'True',
  'False',
  'None',
]);

/** Names no parameter may take: the globals, those bound inside loops and calls, and strftime_now. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...GLOBALS,
  'loop',
  'caller',
  'strftime_now',
]);

/** A template compiled and checked, ready to render with values for its declared names. */
export interface CompiledTemplate {
  readonly template: Template;
  /** Free variables used (each declared). */
  readonly used: readonly string[];
}

/** Parses `text`, refusing forbidden attributes and variables outside `declared`. */
export function compileTemplate(
  text: string,
  where: string,
  declared: ReadonlySet<string>,
): CompiledTemplate {
  let template: Template;
  try {
    template = new Template(text);
  } catch (cause) {
    throw new InputError(where, `not a valid template: ${errorMessage(cause)}`, { cause });
  }
  const walk = new Walk(where);
  walk.node(template.parsed);
  const undeclared = [...walk.free].filter(
    (name) => !declared.has(name) && !walk.bound.has(name) && !GLOBALS.has(name),
  );
  if (undeclared.length > 0) {
    throw new InputError(
      where,
      `uses ${undeclared.map((n) => `"${n}"`).join(', ')}, not declared as parameters in its header`,
    );
  }
  return { template, used: [...walk.free].filter((n) => declared.has(n)) };
}

/** Renders a compiled template; a template's own error (raise_exception) is one InputError. */
export function renderCompiled(
  compiled: CompiledTemplate,
  values: Readonly<Record<string, unknown>>,
  where: string,
): string {
  try {
    return compiled.template.render(values);
  } catch (cause) {
    throw new InputError(where, `rendering failed: ${errorMessage(cause)}`, { cause });
  }
}

interface AstNode {
  readonly type: string;
  readonly [key: string]: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && typeof (value as AstNode).type === 'string';
}

/** One pass over a syntax tree, collecting free and bound names and refusing escapes. */
class Walk {
  readonly free = new Set<string>();
  readonly bound = new Set<string>(['loop']);

  constructor(private readonly where: string) {}

  private refuse(name: string): never {
    throw new InputError(
      this.where,
      `the template may not reach attribute "${name}" (retort renders templates sandboxed)`,
    );
  }

  private checkName(name: string): void {
    if (FORBIDDEN_ATTRIBUTES.has(name) || name.startsWith('__')) this.refuse(name);
  }

  private bind(target: unknown): void {
    if (!isNode(target)) return;
    if (target.type === 'Identifier') this.bound.add(target.value as string);
    else if (target.type === 'TupleLiteral' || target.type === 'ArrayLiteral') {
      for (const item of target.value as unknown[]) this.bind(item);
    } else this.node(target);
  }

  private parameters(args: unknown): void {
    for (const arg of (args as unknown[] | null) ?? []) {
      if (!isNode(arg)) continue;
      if (arg.type === 'Identifier') this.bound.add(arg.value as string);
      else if (arg.type === 'KeywordArgumentExpression') {
        this.bind(arg.key);
        this.node(arg.value);
      } else this.node(arg);
    }
  }

  private filter(filter: unknown): void {
    if (!isNode(filter)) return;
    if (filter.type === 'CallExpression') {
      const callee = filter.callee as AstNode;
      const args = filter.args as unknown[];
      if (callee.type === 'Identifier' && callee.value === 'attr') {
        const first = args[0];
        if (isNode(first) && first.type === 'StringLiteral') this.checkName(first.value as string);
        else this.refuse('attr(…) with a computed name');
      }
      this.nodes(args);
    } else if (filter.type === 'Identifier' && filter.value === 'attr') {
      this.refuse('attr');
    }
  }

  private nodes(list: unknown): void {
    if (Array.isArray(list)) for (const item of list) this.node(item);
  }

  node(n: unknown): void {
    if (Array.isArray(n)) {
      this.nodes(n);
      return;
    }
    if (!isNode(n)) return;
    switch (n.type) {
      case 'Identifier':
        this.free.add(n.value as string);
        return;
      case 'MemberExpression': {
        this.node(n.object);
        const property = n.property as AstNode;
        if (!(n.computed as boolean) && property.type === 'Identifier') {
          this.checkName(property.value as string);
        } else {
          if (property.type === 'StringLiteral') this.checkName(property.value as string);
          this.node(property);
        }
        return;
      }
      case 'FilterExpression':
        this.node(n.operand);
        this.filter(n.filter);
        return;
      case 'FilterStatement':
        this.filter(n.filter);
        this.nodes(n.body);
        return;
      case 'TestExpression':
        this.node(n.operand);
        return;
      case 'UnaryExpression':
        this.node(n.argument);
        return;
      case 'BinaryExpression':
        this.node(n.left);
        this.node(n.right);
        return;
      case 'KeywordArgumentExpression':
        this.node(n.value);
        return;
      case 'For':
        this.bind(n.loopvar);
        this.node(n.iterable);
        this.nodes(n.body);
        this.nodes(n.defaultBlock);
        return;
      case 'Set':
        this.bind(n.assignee);
        this.node(n.value);
        this.nodes(n.body);
        return;
      case 'Macro':
        this.bind(n.name);
        this.parameters(n.args);
        this.nodes(n.body);
        return;
      case 'CallStatement':
        this.bound.add('caller');
        this.node(n.call);
        this.parameters(n.callerArgs);
        this.nodes(n.body);
        return;
      case 'ObjectLiteral':
        for (const [k, v] of n.value as Map<unknown, unknown>) {
          this.node(k);
          this.node(v);
        }
        return;
      default:
        for (const [key, value] of Object.entries(n)) {
          if (key !== 'type') this.node(value);
        }
    }
  }
}
