import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/engines/registry.js';
import { REPO_ROOT } from '../helpers/cli.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const registered = ENGINES.map((e) => e.program).sort();

/** The `code` words of the README table row whose first cell is `first`. */
function rowPrograms(first: string): string[] {
  const row = readme.split('\n').find((line) => line.startsWith(`| ${first} `));
  if (row === undefined) throw new Error(`README has no table row starting with "${first}"`);
  const cell = row.split('|')[2] ?? '';
  return [...cell.matchAll(/`([a-z0-9]+)`/g)].map((m) => m[1] ?? '').sort();
}

describe('the README lists the programs of the engine registry', () => {
  it('in the `retort calc --program` row', () => {
    expect(rowPrograms('`-p, --program`')).toEqual(registered);
  });

  it('in the calc-list `program` field row', () => {
    expect(rowPrograms('`program`')).toEqual(registered);
  });

  it('with one row of the Engines table per program', () => {
    const section = readme.slice(readme.indexOf('## Engines'), readme.indexOf('## Benchmarks'));
    const rows = [...section.matchAll(/^\| `([a-z0-9]+)` +\|/gm)].map((m) => m[1] ?? '').sort();
    expect(rows).toEqual(registered);
  });
});
