import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeBench, factorsOf } from '../../../src/pipelines/nmr/bench-analysis.js';
import type { BenchShieldings } from '../../../src/pipelines/nmr/bench.js';
import { readDelta50 } from '../../../src/pipelines/nmr/delta50.js';
import {
  mergeShieldings,
  readShieldingsCsv,
  shieldingsCsv,
} from '../../../src/pipelines/nmr/shieldings-csv.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const DRAFT = 'delta50-B3LYP-6-31Gstar-chcl3.csv';
const draft = readShieldingsCsv(
  readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'nmr', DRAFT), 'utf8'),
  DRAFT,
);

const HEADER = 'molecule,functional,nmr_basis,solvent,index,element,isotropic_ppm\n';
const row = 'compound_01,B3LYP,6-31G*,chcl3,1,C,128.3491\n';

describe('shieldings CSV', () => {
  it('reads the draft benchmark: 50 tasks, 8 atoms of nitromethane', () => {
    expect(draft).toHaveLength(50);
    expect(draft[0]?.cell).toEqual({
      molecule: 'compound_01',
      functional: 'B3LYP',
      nmr_basis: '6-31G*',
      solvent: 'chcl3',
    });
    expect(draft[0]?.shieldings[0]).toEqual({ index: 1, element: 'C', isotropic_ppm: 128.3491 });
  });

  it('writes what it reads, every digit kept', () => {
    const tasks: BenchShieldings[] = [
      {
        cell: {
          molecule: 'compound_07',
          functional: 'B3LYP',
          nmr_basis: '6-311+G(2d,p)',
          solvent: 'chcl3',
        },
        shieldings: [
          { index: 1, element: 'C', isotropic_ppm: 0.1 + 0.2 },
          { index: 2, element: 'H', isotropic_ppm: -1e-7 },
        ],
      },
    ];
    const text = shieldingsCsv(tasks);
    expect(text.split('\n')[1]).toBe(
      'compound_07,B3LYP,"6-311+G(2d,p)",chcl3,1,C,0.30000000000000004',
    );
    expect(readShieldingsCsv(text, 'x.csv')).toEqual(tasks);
    expect(readShieldingsCsv(shieldingsCsv(draft), 'again.csv')).toEqual(draft);
  });

  it('two halves of a benchmark, merged, fit as the whole', () => {
    const half = (keep: (i: number) => boolean): BenchShieldings[] =>
      readShieldingsCsv(shieldingsCsv(draft.filter((_, i) => keep(i))), 'half.csv');
    const merged = mergeShieldings([
      { source: 'odd.csv', tasks: half((i) => i % 2 === 1) },
      { source: 'even.csv', tasks: half((i) => i % 2 === 0) },
      // The same file twice is harmless.
      { source: 'even-again.csv', tasks: half((i) => i % 2 === 0) },
    ]);
    expect(merged).toHaveLength(50);
    const delta50 = readDelta50();
    expect(factorsOf(analyzeBench(delta50, merged))).toEqual(
      factorsOf(analyzeBench(delta50, draft)),
    );
  });

  it('refuses one task with other shieldings in two files, naming both', () => {
    const first = draft.slice(0, 1);
    const other = readShieldingsCsv(
      shieldingsCsv(first).replace('128.3491', '128.3492'),
      'other.csv',
    );
    expect(() =>
      mergeShieldings([
        { source: 'a.csv', tasks: first },
        { source: 'b.csv', tasks: other },
      ]),
    ).toThrow(/^b\.csv: compound_01 B3LYP\/6-31G\* chcl3 is also in a\.csv with other shieldings/);
  });

  it('refuses bad input naming the file, line and column', () => {
    for (const [text, message] of [
      ['index,element\n1,C\n', /^s\.csv:1: expected the header molecule,functional,/],
      [`${HEADER}compound_01,B3LYP,6-31G*,chcl3,1,C\n`, /^s\.csv:2: expected 7 fields, got 6/],
      [
        `${HEADER}${row}compound_01,B3LYP,6-31G*,,2,H,28.1\n`,
        /^s\.csv:3, column solvent: expected a name/,
      ],
      [
        `${HEADER}compound_01,B3LYP,6-31G*,chcl3,0,C,1\n`,
        /^s\.csv:2, column index: expected a 1-based atom index, got "0"/,
      ],
      [
        `${HEADER}compound_01,B3LYP,6-31G*,chcl3,1,c,1\n`,
        /^s\.csv:2, column element: expected an element symbol, got "c"/,
      ],
      [
        `${HEADER}compound_01,B3LYP,6-31G*,chcl3,1,C,n/a\n`,
        /^s\.csv:2, column isotropic_ppm: expected a shielding in ppm, got "n\/a"/,
      ],
      [
        `${HEADER}${row}${row}`,
        /^s\.csv:3, column index: atom 1 of compound_01 B3LYP\/6-31G\* chcl3 is listed twice/,
      ],
    ] as const) {
      expect(() => readShieldingsCsv(text, 's.csv')).toThrow(message);
    }
  });
});
