import type { ExprNode } from './ast.js';

/** A path read from a root name: `['steps', 'relax', 'result', 'energy']`. */
export type Reference = readonly (string | number)[];

/**
 * The paths an expression reads, in order of appearance and without repeats. Each runs from a
 * root name through constant keys and stops at the first key computed at run time (whose own
 * references are listed too): `steps.a.result[params.i]` reads `steps.a.result` and `params.i`.
 */
export function references(node: ExprNode): Reference[] {
  const found = new Map<string, Reference>();
  collect(node, found);
  return [...found.values()];
}

function collect(node: ExprNode, found: Map<string, Reference>): void {
  switch (node.kind) {
    case 'literal':
      return;
    case 'list':
      node.items.forEach((item) => {
        collect(item, found);
      });
      return;
    case 'unary':
      collect(node.operand, found);
      return;
    case 'binary':
      collect(node.left, found);
      collect(node.right, found);
      return;
    case 'call':
      node.args.forEach((arg) => {
        collect(arg, found);
      });
      return;
    case 'name':
    case 'index': {
      const reached = chain(node, found);
      if (reached?.open === true) record(reached.path, found);
    }
  }
}

function record(path: Reference, found: Map<string, Reference>): void {
  found.set(JSON.stringify(path), path);
}

/**
 * Follows a name or index chain: its constant path from the root, and whether the path is still
 * open (no computed key yet). A computed key records the path before it and the key's own
 * references. Undefined when the chain does not start at a name (`[1, 2][0]`, `int(x).y`).
 */
function chain(
  node: ExprNode,
  found: Map<string, Reference>,
): { path: Reference; open: boolean } | undefined {
  if (node.kind === 'name') return { path: [node.name], open: true };
  if (node.kind !== 'index') {
    collect(node, found);
    return undefined;
  }
  const reached = chain(node.target, found);
  const key = constantKey(node.key);
  if (key === undefined) {
    if (reached?.open === true) record(reached.path, found);
    collect(node.key, found);
    return reached === undefined ? undefined : { path: reached.path, open: false };
  }
  if (reached?.open !== true) return reached;
  return { path: [...reached.path, key], open: true };
}

function constantKey(node: ExprNode): string | number | undefined {
  if (
    node.kind === 'literal' &&
    (typeof node.value === 'string' || typeof node.value === 'number')
  ) {
    return node.value;
  }
  if (node.kind === 'unary' && node.operator === '-' && node.operand.kind === 'literal') {
    return typeof node.operand.value === 'number' ? -node.operand.value : undefined;
  }
  return undefined;
}
