import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  BOHR_TO_ANGSTROM,
  DEFAULT_OUTPUT,
  type MbeInput,
} from '../../../src/pipelines/mbe/input.js';
import { planMbe } from '../../../src/pipelines/mbe/plan.js';
import { Problems } from '../../../src/pipelines/mbe/problems.js';
import {
  detectFormat,
  parseDocument,
  readMbeDocument,
  readMbeFile,
} from '../../../src/pipelines/mbe/read.js';

/** The water trimer of the qcmb cases (bohr). */
const SYMBOLS = ['O', 'H', 'H', 'O', 'H', 'H', 'O', 'H', 'H'];
const GEOMETRY_BOHR = [
  -2.76373224, -1.24377706, -0.15444566, -1.12357791, -2.0622797, -0.05243799, -3.80792362,
  -2.08705525, 1.06090407, 2.46924614, -1.75437739, -0.17092884, 3.10318395, 0.01036782,
  -0.06232161, 3.12278523, -2.44255711, 1.39563946, 0.29760709, 2.99811621, -0.00578218,
  -0.74416431, 3.09026186, 1.45745547, 1.24116082, 4.57432651, 0.00474566,
];
const TRIPLES = SYMBOLS.map((_, i) => GEOMETRY_BOHR.slice(3 * i, 3 * i + 3));
const FRAGMENTS = [
  [0, 1, 2],
  [3, 4, 5],
  [6, 7, 8],
];

const RETORT = {
  molecule: {
    units: 'bohr',
    atoms: SYMBOLS.map((s, i) => [s, ...(TRIPLES[i] ?? [])]),
    fragments: FRAGMENTS,
  },
  driver: 'energy',
  bsse_type: ['cp', 'nocp'],
  max_nbody: 3,
  model_chemistries: {
    '(auto)': { program: 'psi4', method: 'hf', basis: 'sto-3g', keywords: { scf_type: 'pk' } },
  },
  execution: { executor: 'local', workers: 4, timeout_s: 600, retries: 1 },
};

const FORK = {
  schema_name: 'qcmanybody_cli_input',
  schema_version: 1,
  molecule: {
    source: 'inline',
    inline: { symbols: SYMBOLS, geometry: TRIPLES, fragments: FRAGMENTS, units: 'bohr' },
  },
  calculation: {
    type: 'single',
    single: { driver: 'energy', method: 'hf', basis: 'sto-3g', program: 'psi4' },
  },
  bsse: { type: ['cp', 'nocp'] },
  manybody: { max_nbody: 3, return_total_data: false, supersystem_ie_only: false },
  program: { keywords: { scf_type: 'pk' } },
  execution: { parallel: true, n_workers: 4, timeout_per_task: 600, max_retries: 1 },
  output: { format: 'json', pretty: true },
};

function read(doc: unknown): { input?: MbeInput; format?: string; problems: string[] } {
  const problems = new Problems('input.yaml');
  const r = readMbeDocument(doc as Record<string, unknown>, problems);
  return {
    ...(r === undefined ? {} : { input: r.input, format: r.format }),
    problems: problems.all.map((p) => p.message),
  };
}

function mustRead(doc: unknown): MbeInput {
  const r = read(doc);
  expect(r.problems).toEqual([]);
  if (r.input === undefined) throw new Error('not read');
  return r.input;
}

const labels = (input: MbeInput): string[] =>
  planMbe(input, input.molecule.fragments.length).tasks.map((t) => t.label);

describe('reading the QCManyBody fork CLI layout', () => {
  it('reads fork YAML and JSON to the same input (and plan) as our layout', () => {
    const ours = mustRead(RETORT);
    const yaml = parseDocument(stringify(FORK), 'input.yaml');
    const json = parseDocument(JSON.stringify(FORK), 'input.json');
    expect(detectFormat(yaml)).toBe('fork');
    expect(read(json).format).toBe('fork');
    expect(mustRead(yaml)).toEqual(ours);
    expect(mustRead(json)).toEqual(ours);
    expect(labels(mustRead(yaml))).toEqual(labels(ours));
    expect(labels(ours).length).toBeGreaterThan(0);
  });

  it('defaults units to angstrom, driver to energy, bsse to cp; sequential execution is 1 worker', () => {
    const doc = {
      molecule: {
        inline: {
          symbols: SYMBOLS,
          geometry: TRIPLES.map((t) => t.map((x) => x * BOHR_TO_ANGSTROM)),
          fragments: FRAGMENTS,
        },
      },
      calculation: { single: { method: 'HF', basis: 'STO-3G', program: 'psi4' } },
    };
    const input = mustRead(doc);
    input.molecule.geometry_bohr.forEach((x, i) => {
      expect(x).toBeCloseTo(GEOMETRY_BOHR[i] ?? 0, 10);
    });
    expect(input.driver).toBe('energy');
    expect(input.bsse_type).toEqual(['cp']);
    expect(input.max_nbody).toBe(3);
    expect(input.execution.workers).toBe(1);
    expect(input.model_chemistries['(auto)']?.method).toBe('hf');
  });

  it('reads a multilevel calculation: mc labels method/basis, levels in user form', () => {
    const doc = {
      ...FORK,
      calculation: {
        type: 'multi',
        multi: {
          driver: 'gradient',
          levels: {
            '1': { method: 'ccsd(t)', basis: 'cc-pvtz', program: 'nwchem' },
            '2': { method: 'mp2', basis: 'cc-pvdz', program: 'psi4' },
            supersystem: { method: 'hf', basis: 'sto-3g', program: 'psi4' },
          },
        },
      },
      manybody: { max_nbody: 2 },
    };
    const input = mustRead(doc);
    expect(input.levels).toEqual({
      '1': 'ccsd(t)/cc-pvtz',
      '2': 'mp2/cc-pvdz',
      supersystem: 'hf/sto-3g',
    });
    expect(input.driver).toBe('gradient');
    expect(input.return_total_data).toBe(true);
    expect(input.model_chemistries['ccsd(t)/cc-pvtz']).toEqual({
      program: 'nwchem',
      method: 'ccsd(t)',
      basis: 'cc-pvtz',
      keywords: { scf_type: 'pk' },
    });
    expect(labels(input)).toContain('["mp2/cc-pvdz", [1, 2], [1, 2]]');
  });

  it('names unknown and bad fields by their path in the fork layout', () => {
    const doc = {
      ...FORK,
      calculation: { type: 'single', single: { ...FORK.calculation.single, basis: 3 } },
      bsse: { type: ['cp', 'bogus'] },
      manybody: { ...FORK.manybody, nbody: 2 },
      execution: { ...FORK.execution, max_retries: -1 },
    };
    const r = read(doc);
    expect(r.input).toBeUndefined();
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('manybody.nbody: unknown field'),
        expect.stringContaining('calculation.single.basis'),
        expect.stringContaining('bsse.type[1]'),
        expect.stringContaining('execution.max_retries'),
      ]),
    );
    const geo = read({
      ...FORK,
      molecule: {
        inline: { ...FORK.molecule.inline, geometry: [...TRIPLES.slice(0, 8), [0, 0, 'x']] },
      },
    });
    expect(geo.problems).toEqual([expect.stringContaining('molecule.inline.geometry[8][2]')]);
  });

  it('reads the output section field by field, as our layout does, with the fork’s defaults', () => {
    const output = { format: 'text', file: 'out/w3.txt', pretty: false, include_timings: false };
    const fork = mustRead({ ...FORK, output });
    expect(fork.output).toEqual(output);
    expect(mustRead({ ...RETORT, output })).toEqual(fork);
    const { output: _output, ...without } = FORK;
    expect(mustRead(without).output).toEqual(DEFAULT_OUTPUT);
    expect(DEFAULT_OUTPUT).toEqual({
      format: 'json',
      file: null,
      pretty: true,
      include_timings: true,
    });
    expect(mustRead({ ...FORK, output: { format: 'yaml' } }).output).toEqual({
      ...DEFAULT_OUTPUT,
      format: 'yaml',
    });
  });

  it('names every mistake of the output section by its field', () => {
    const r = read({
      ...FORK,
      output: { format: 'xml', file: 3, pretty: 'yes', include_timings: 1 },
    });
    expect(r.input).toBeUndefined();
    expect(r.problems).toEqual([
      expect.stringContaining('output.format: expected one of json, yaml, text, found "xml"'),
      expect.stringContaining('output.file: expected the path of a file, found 3'),
      expect.stringContaining('output.pretty: expected true or false'),
      expect.stringContaining('output.include_timings: expected true or false'),
    ]);
    const unknown = read({ ...FORK, output: { verbosity: 2 } });
    expect(unknown.problems).toEqual([expect.stringContaining('output.verbosity: unknown field')]);
  });

  it('reads an xyz file source relative to the input file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'retort-fork-'));
    const xyz = SYMBOLS.map(
      (s, i) =>
        `${s} ${(TRIPLES[i] ?? []).map((x) => (x * BOHR_TO_ANGSTROM).toFixed(10)).join(' ')}`,
    );
    writeFileSync(join(dir, 'w3.xyz'), `${SYMBOLS.length}\nwater trimer\n${xyz.join('\n')}\n`);
    const doc = { ...FORK, molecule: { source: 'xyz', file: 'w3.xyz', fragments: FRAGMENTS } };
    writeFileSync(join(dir, 'in.yaml'), stringify(doc));
    const r = readMbeFile(join(dir, 'in.yaml'));
    expect(r.format).toBe('fork');
    expect(r.input.molecule.fragments).toEqual(FRAGMENTS);
    r.input.molecule.geometry_bohr.forEach((x, i) => {
      expect(x).toBeCloseTo(GEOMETRY_BOHR[i] ?? 0, 8);
    });
    const missing = read({ ...doc, molecule: { source: 'xyz', file: join(dir, 'nope.xyz') } });
    expect(missing.problems).toEqual([expect.stringContaining('molecule.file')]);
  });
});
