import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The layers of ../shared/DESIGN.md, checked on every import between src/ modules (static
// `import … from`, `export … from`, side-effect imports, dynamic `import()`, type-only imports:
// a type is a dependency too).

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a top-level folder of src/ may import from the other folders of src/. */
interface LayerRule {
  readonly layer: string;
  /** Folders it must not import from; `'*'` with `except` for "nothing but". */
  readonly forbidden: readonly string[] | '*';
  readonly except?: readonly string[];
  readonly text: string;
}

const RULES: readonly LayerRule[] = [
  {
    layer: 'core',
    forbidden: '*',
    except: ['core', 'chem'],
    text: 'core imports nothing of src/ but chem',
  },
  {
    layer: 'plots',
    forbidden: '*',
    except: ['plots', 'core'],
    text: 'plots import nothing of src/ but core',
  },
  {
    layer: 'store',
    forbidden: ['runtime', 'pipelines', 'cli'],
    text: 'store imports nothing from runtime, pipelines or cli',
  },
  {
    layer: 'chem',
    forbidden: ['runtime', 'pipelines', 'cli', 'store'],
    text: 'chem imports nothing from runtime, pipelines, cli or store',
  },
  {
    layer: 'executors',
    forbidden: ['runtime', 'pipelines', 'cli'],
    text: 'executors import nothing from runtime, pipelines or cli',
  },
  {
    layer: 'engines',
    forbidden: ['runtime', 'pipelines', 'cli', 'executors', 'store'],
    text: 'engines import nothing from runtime, pipelines, cli, executors or store',
  },
  {
    layer: 'templates',
    forbidden: ['runtime', 'pipelines', 'cli', 'executors', 'store', 'engines'],
    text: 'templates import nothing from runtime, pipelines, cli, executors, store or engines',
  },
  {
    layer: 'cli',
    forbidden: ['store', 'executors'],
    text: 'cli imports no store or executors module directly',
  },
];

/** The src/ modules each module imports, by repository-relative posix path. */
function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets: string[] = [];
    for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const base = posix.join(posix.dirname(file), fileName).replace(/\.js$/, '');
      // `./x.js` is x.ts or, for the terminal UI's components, x.tsx.
      const target = [`${base}.ts`, `${base}.tsx`].find((t) => files.has(t));
      if (target !== undefined && !targets.includes(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

function layerOf(file: string): string {
  const parts = file.split('/');
  return parts.length > 2 ? (parts[1] ?? '') : '';
}

/** Every import that breaks a layer rule, as one line each. */
function layerViolations(graph: ReadonlyMap<string, readonly string[]>): string[] {
  const lines: string[] = [];
  for (const [file, targets] of graph) {
    const rule = RULES.find((r) => r.layer === layerOf(file));
    if (rule === undefined) continue;
    for (const target of targets) {
      const to = layerOf(target);
      const broken =
        rule.forbidden === '*' ? !(rule.except ?? []).includes(to) : rule.forbidden.includes(to);
      if (broken) lines.push(`${file} imports ${target} (layer rule: ${rule.text})`);
    }
  }
  return lines.sort();
}

/** One cycle through each strongly connected group of modules, as `a → b → a`. */
function importCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  // Tarjan's algorithm finds the groups; a breadth-first search inside a group gives the
  // shortest cycle through its first module, which is what a reader needs to break it.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const group: string[] = [];
    for (;;) {
      const member = stack.pop();
      if (member === undefined) break;
      onStack.delete(member);
      group.push(member);
      if (member === node) break;
    }
    if (group.length > 1 || (graph.get(node) ?? []).includes(node)) groups.push(group.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);

  return groups
    .map((group) => {
      const start = group[0] ?? '';
      const members = new Set(group);
      const cameFrom = new Map<string, string>();
      const queue = [start];
      // The queue grows while it is read: a for-of over an array sees what is pushed to it.
      for (const node of queue) {
        for (const next of graph.get(node) ?? []) {
          if (next === start) {
            const back: string[] = [];
            let at: string | undefined = node;
            while (at !== undefined && at !== start) {
              back.push(at);
              at = cameFrom.get(at);
            }
            return `import cycle: ${[start, ...back.reverse(), start].join(' → ')}`;
          }
          if (members.has(next) && !cameFrom.has(next)) {
            cameFrom.set(next, node);
            queue.push(next);
          }
        }
      }
      return `import cycle among ${group.join(', ')}`;
    })
    .sort();
}

function sourcesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts') && !entry.endsWith('.tsx')) continue;
    const path = join(root, dir, entry);
    files.set(relative(root, path).split(sep).join('/'), readFileSync(path, 'utf8'));
  }
  return files;
}

describe('the import checker', () => {
  const files = new Map([
    ['src/core/a.ts', "import { b } from '../store/b.js';\nexport const a = 1;"],
    ['src/store/b.ts', "export { c } from '../cli/c.js';\nexport const b = 1;"],
    ['src/cli/c.ts', "export const c = async () => import('../runtime/d.js');"],
    ['src/runtime/d.ts', "import type { E } from './e.js';\nimport '../engines/f.js';"],
    ['src/runtime/e.ts', "import { d } from './d.js';\nimport x from 'yaml';"],
    ['src/engines/f.ts', "// import '../store/b.js'\nconst s = \"import '../cli/c.js'\";"],
    ['src/chem/g.ts', "import { E } from '../core/a.js';"],
  ]);
  const graph = importGraph(files);

  it('sees static, re-exported, dynamic, type-only and side-effect imports, not comments or strings', () => {
    expect(graph.get('src/core/a.ts')).toEqual(['src/store/b.ts']);
    expect(graph.get('src/store/b.ts')).toEqual(['src/cli/c.ts']);
    expect(graph.get('src/cli/c.ts')).toEqual(['src/runtime/d.ts']);
    expect(graph.get('src/runtime/d.ts')).toEqual(['src/runtime/e.ts', 'src/engines/f.ts']);
    expect(graph.get('src/runtime/e.ts')).toEqual(['src/runtime/d.ts']);
    expect(graph.get('src/engines/f.ts')).toEqual([]);
  });

  it('names each import that breaks a layer rule, and only those', () => {
    expect(layerViolations(graph)).toEqual([
      'src/core/a.ts imports src/store/b.ts (layer rule: core imports nothing of src/ but chem)',
      'src/store/b.ts imports src/cli/c.ts (layer rule: store imports nothing from runtime, pipelines or cli)',
    ]);
  });

  it('gives the path of each import cycle', () => {
    expect(importCycles(graph)).toEqual([
      'import cycle: src/runtime/d.ts → src/runtime/e.ts → src/runtime/d.ts',
    ]);
    const longer = new Map([
      ['src/a.ts', ['src/b.ts']],
      ['src/b.ts', ['src/c.ts', 'src/d.ts']],
      ['src/c.ts', ['src/a.ts']],
      ['src/d.ts', ['src/d.ts']],
    ]);
    expect(importCycles(longer)).toEqual([
      'import cycle: src/a.ts → src/b.ts → src/c.ts → src/a.ts',
      'import cycle: src/d.ts → src/d.ts',
    ]);
  });
});

describe('src/', () => {
  const graph = importGraph(sourcesUnder('src'));

  it('is read whole: every folder of the layers has modules with imports', () => {
    const layers = new Set([...graph.keys()].map(layerOf));
    for (const layer of ['core', 'store', 'chem', 'executors', 'engines', 'runtime', 'cli'])
      expect(layers).toContain(layer);
    expect([...graph.values()].flat().length).toBeGreaterThan(100);
  });

  it("holds DESIGN's layers", () => {
    expect(layerViolations(graph)).toEqual([]);
  });

  it('lets pipelines reach the runner only through its contract (runtime/calc-request.ts)', () => {
    const edges = [...graph]
      .filter(([file]) => file.startsWith('src/pipelines/'))
      .flatMap(([file, targets]) =>
        targets
          .filter((t) => t.startsWith('src/runtime/runner/'))
          .map((t) => `${file} imports ${t}`),
      );
    expect(edges).toEqual([]);
  });

  it('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});
