import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  evaluateInterpolation,
  parseInterpolation,
} from '../../../../src/pipelines/workflow/expression/index.js';
import { REPO_ROOT } from '../../../helpers/cli.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const section = readme.slice(
  readme.indexOf('### Workflow expressions'),
  readme.indexOf('\n## ', readme.indexOf('### Workflow expressions')),
);

/** The example column of the syntax table: each a `${{ … }}` string. */
const examples = section
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => /`(\$\{\{.*\}\})` *\|$/.exec(line)?.[1] ?? '');

/** A scope holding every field the examples read. */
const scope = {
  params: { ecutwfc: 25, a: 1, n: 4, label: '', t: 298.15, cores: 1 },
  matrix: { structure: 'si.cif', solvent: 'water', elements: ['Si', 'O'] },
  steps: {
    relax: { result: { structure: { cell: [[5.43, 0, 0]] } } },
    run: { result: { files: { 'out.txt': 'ok\n', 'e.txt': ' -1.5e0\n' } } },
    opt: { result: { energy: -40.5 } },
    scf: { result: { energy: -15.8 } },
    conf: { result: { conformers: [1, 2, 3] } },
  },
};

describe('the README examples of workflow expressions', () => {
  it('are found, one per row of the syntax table', () => {
    expect(examples.length).toBeGreaterThanOrEqual(15);
    expect(examples).not.toContain('');
  });

  it('all parse and evaluate to what the table says', () => {
    const values = examples.map((e) =>
      evaluateInterpolation(parseInterpolation(e, 'README'), scope, 'README'),
    );
    expect(values).toEqual([
      50,
      'si.cif',
      { cell: [[5.43, 0, 0]] },
      'ok\n',
      [1, 2],
      3,
      true,
      true,
      'unnamed',
      -1.5,
      'E=-15.8',
      3,
      298.2,
      2,
      true,
    ]);
  });
});
