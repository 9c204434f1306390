import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { BOHR_TO_ANGSTROM, type MbeInput } from '../../../src/pipelines/mbe/input.js';
import { MbeInputErrors, Problems } from '../../../src/pipelines/mbe/problems.js';
import { parseDocument, readMbeDocument } from '../../../src/pipelines/mbe/read.js';
import { writeMbeInput, type ConvertTarget } from '../../../src/pipelines/mbe/write.js';

/** The water trimer of the qcmb cases (bohr). */
const SYMBOLS = ['O', 'H', 'H', 'O', 'H', 'H', 'O', 'H', 'H'];
const GEOMETRY_BOHR = [
  -2.76373224, -1.24377706, -0.15444566, -1.12357791, -2.0622797, -0.05243799, -3.80792362,
  -2.08705525, 1.06090407, 2.46924614, -1.75437739, -0.17092884, 3.10318395, 0.01036782,
  -0.06232161, 3.12278523, -2.44255711, 1.39563946, 0.29760709, 2.99811621, -0.00578218,
  -0.74416431, 3.09026186, 1.45745547, 1.24116082, 4.57432651, 0.00474566,
];

const OURS = {
  molecule: {
    units: 'bohr',
    atoms: SYMBOLS.map((s, i) => [
      s,
      GEOMETRY_BOHR[3 * i],
      GEOMETRY_BOHR[3 * i + 1],
      GEOMETRY_BOHR[3 * i + 2],
    ]),
    fragments: [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ],
  },
  driver: 'gradient',
  bsse_type: ['cp', 'vmfc'],
  levels: { 1: 'ccsd', 3: 'mp2' },
  model_chemistries: {
    ccsd: { program: 'psi4', method: 'CCSD', basis: 'cc-pVDZ', keywords: { e_convergence: 1e-10 } },
    mp2: { program: 'psi4', method: 'mp2', basis: 'cc-pvdz' },
  },
  execution: { executor: 'local', workers: 2, timeout_s: 600, retries: 1 },
};

function qcschema(version: 1 | 2): Record<string, unknown> {
  const atomic = (method: string, basis: string, keywords: object): object => ({
    program: 'psi4',
    driver: 'energy',
    model: { method, basis },
    keywords,
    ...(version === 1 ? { schema_name: 'qcschema_atomicspecification', schema_version: 1 } : {}),
  });
  return {
    schema_name: version === 2 ? 'qcschema_many_body_input' : 'qcschema_manybodyinput',
    schema_version: version,
    molecule: {
      symbols: SYMBOLS,
      geometry: GEOMETRY_BOHR,
      fragments: OURS.molecule.fragments,
      fragment_charges: [0, 0, 0],
      fragment_multiplicities: [1, 1, 1],
      molecular_charge: 0,
      molecular_multiplicity: 1,
    },
    specification: {
      driver: 'gradient',
      keywords: {
        bsse_type: ['cp', 'vmfc'],
        levels: { '1': 'ccsd', '3': 'mp2' },
        supersystem_ie_only: false,
      },
      specification: {
        ccsd: atomic('ccsd', 'cc-pvdz', { e_convergence: 1e-10 }),
        mp2: atomic('mp2', 'cc-pvdz', {}),
      },
      protocols: version === 2 ? { cluster_results: 'none' } : { component_results: 'none' },
      extras: { retort: { execution: OURS.execution } },
    },
  };
}

function read(doc: unknown, source = 'input.yaml'): { input?: MbeInput; problems: string[] } {
  const problems = new Problems(source);
  const r = readMbeDocument(doc as Record<string, unknown>, problems);
  return {
    ...(r === undefined ? {} : { input: r.input }),
    problems: problems.all.map((p) => p.message),
  };
}

function mustRead(doc: unknown): MbeInput {
  const r = read(doc);
  expect(r.problems).toEqual([]);
  if (r.input === undefined) throw new Error('not read');
  return r.input;
}

describe('reading MBE inputs', () => {
  it('reads our YAML layout into the normalised input, levels in core form', () => {
    const input = mustRead(parseDocument(stringify(OURS), 'input.yaml'));
    expect(input.levels).toEqual({ '1': 'ccsd', '2': 'mp2', '3': 'mp2' });
    expect(input.max_nbody).toBe(3);
    expect(input.return_total_data).toBe(true);
    expect(input.bsse_type).toEqual(['cp', 'vmfc']);
    expect(input.model_chemistries.ccsd).toEqual({
      program: 'psi4',
      method: 'ccsd',
      basis: 'cc-pvdz',
      keywords: { e_convergence: 1e-10 },
    });
    expect(input.molecule.fragment_charges).toEqual([0, 0, 0]);
    expect(input.molecule.fragment_multiplicities).toEqual([1, 1, 1]);
    expect(input.execution).toEqual({ executor: 'local', workers: 2, timeout_s: 600, retries: 1 });
  });

  it('reads QCManyBody ManyBodyInput v2 and v1 to the same normalised input as our YAML', () => {
    const ours = mustRead(OURS);
    expect(mustRead(qcschema(2))).toEqual(ours);
    expect(mustRead(qcschema(1))).toEqual(ours);
  });

  it('accepts a single AtomicSpecification as the "(auto)" model chemistry', () => {
    const doc = qcschema(2);
    const spec = doc.specification as Record<string, unknown>;
    spec.specification = {
      program: 'psi4',
      model: { method: 'hf', basis: 'sto-3g' },
      keywords: {},
    };
    spec.keywords = { bsse_type: 'nocp', max_nbody: 2 };
    const input = mustRead(doc);
    expect(input.levels).toEqual({ '1': '(auto)', '2': '(auto)' });
    expect(input.bsse_type).toEqual(['nocp']);
  });

  it('reads an XYZ block in ångström with -- between fragments and charge/multiplicity lines', () => {
    const xyz = SYMBOLS.map(
      (s, i) =>
        `${s} ${[0, 1, 2].map((c) => ((GEOMETRY_BOHR[3 * i + c] ?? 0) * BOHR_TO_ANGSTROM).toFixed(10)).join(' ')}`,
    );
    const block = [
      '0 1',
      ...xyz.slice(0, 3),
      '--',
      '0 1',
      ...xyz.slice(3, 6),
      '--',
      '0 1',
      ...xyz.slice(6),
    ].join('\n');
    const input = mustRead({ ...OURS, molecule: { units: 'angstrom', xyz: block } });
    expect(input.molecule.fragments).toEqual(OURS.molecule.fragments);
    input.molecule.geometry_bohr.forEach((x, i) => {
      expect(x).toBeCloseTo(GEOMETRY_BOHR[i] ?? 0, 9);
    });
  });

  it('maps the bsse aliases ssfc, mbe and none, drops repeats, keeps the order', () => {
    expect(mustRead({ ...OURS, bsse_type: ['SSFC', 'mbe', 'none', 'cp'] }).bsse_type).toEqual([
      'cp',
      'nocp',
    ]);
  });
});

describe('input mistakes, each named by its field', () => {
  it('refuses one fragment as QCManyBody does', () => {
    const r = read({
      ...OURS,
      molecule: { ...OURS.molecule, fragments: [[0, 1, 2, 3, 4, 5, 6, 7, 8]] },
    });
    expect(r.problems).toEqual([
      expect.stringMatching(/^input\.yaml: molecule\.fragments: only one fragment/),
    ]);
  });

  it('refuses a molecule without fragments', () => {
    const { fragments: _f, ...molecule } = OURS.molecule;
    const r = read({ ...OURS, molecule });
    expect(r.problems).toEqual([expect.stringMatching(/molecule\.fragments: missing/)]);
  });

  it('refuses non-contiguous fragments', () => {
    const r = read({
      ...OURS,
      molecule: {
        ...OURS.molecule,
        fragments: [
          [0, 1, 3],
          [2, 4, 5],
          [6, 7, 8],
        ],
      },
    });
    expect(r.problems).toEqual([
      expect.stringMatching(/molecule\.fragments: non-contiguous fragments/),
    ]);
  });

  it('refuses duplicate model chemistries in levels', () => {
    const r = read({ ...OURS, levels: { 1: 'ccsd', 2: 'mp2', 3: 'mp2' } });
    expect(r.problems).toEqual([
      expect.stringMatching(/levels: duplicate model chemistries: "mp2"/),
    ]);
  });

  it('accepts embedding charges for psi4 and NWChem and refuses them for a program that cannot take them', () => {
    const charges = { 1: [-0.8, 0.4, 0.4], 2: [-0.8, 0.4, 0.4], 3: [-0.8, 0.4, 0.4] };
    const withProgram = (program: string) =>
      read({
        ...OURS,
        embedding_charges: charges,
        model_chemistries: {
          ccsd: { ...OURS.model_chemistries.ccsd, program },
          mp2: OURS.model_chemistries.mp2,
        },
      });
    expect(withProgram('nwchem').problems).toEqual([]);
    expect(withProgram('xtb').problems).toEqual([
      expect.stringMatching(
        /model_chemistries\.ccsd\.program: embedding charges reach only psi4 and NWChem/,
      ),
    ]);
  });

  it('names a bad bsse name by its position in the list', () => {
    const r = read({ ...OURS, bsse_type: ['cp', 'counterpoise'] });
    expect(r.problems).toEqual([
      expect.stringMatching(/^input\.yaml: bsse_type\[1\]: unknown BSSE treatment "counterpoise"/),
    ]);
  });

  it('names QCSchema fields by their QCSchema path', () => {
    const doc = qcschema(2);
    ((doc.specification as Record<string, unknown>).keywords as Record<string, unknown>).bsse_type =
      ['xp'];
    const r = read(doc, 'mbi.json');
    expect(r.problems).toEqual([
      expect.stringMatching(/^mbi\.json: specification\.keywords\.bsse_type\[0\]/),
    ]);
  });

  it('collects every mistake of a document, one message each', () => {
    const r = read({
      ...OURS,
      driver: 'optimize',
      bsse_type: ['cp', 'bad'],
      levels: { 1: 'ccsd', 2: 'nope' },
      model_chemistries: { ...OURS.model_chemistries, mp2: { program: 'psi4', method: 'mp2' } },
      execution: { workers: 0, color: 'red' },
      extra: 1,
    });
    const fields = r.problems.map((m) => /^[^:]+: ([^:]+):/.exec(m)?.[1]);
    expect(fields).toEqual(
      expect.arrayContaining([
        'extra',
        'driver',
        'bsse_type[1]',
        'model_chemistries.mp2.basis',
        'execution.workers',
        'execution.color',
      ]),
    );
    expect(r.problems.every((m) => !m.includes('\n'))).toBe(true);
  });

  it('refuses supersystem_ie_only below the full cluster and with vmfc', () => {
    const r = read({
      ...OURS,
      levels: undefined,
      model_chemistries: { mp2: OURS.model_chemistries.mp2 },
      max_nbody: 2,
      supersystem_ie_only: true,
    });
    expect(r.problems).toEqual([
      expect.stringMatching(
        /supersystem_ie_only: cannot skip intermediate n-body jobs when max_nbody=2/,
      ),
      expect.stringMatching(/vmfc/),
    ]);
  });

  it('refuses a max_nbody that disagrees with levels', () => {
    const r = read({ ...OURS, max_nbody: 2 });
    expect(r.problems).toEqual([expect.stringMatching(/max_nbody: 2 disagrees with levels/)]);
  });

  it('refuses a multiplicity that the electron count cannot have', () => {
    const r = read({ ...OURS, molecule: { ...OURS.molecule, fragment_multiplicities: [1, 2, 1] } });
    expect(r.problems).toEqual([
      expect.stringMatching(/molecule\.fragment_multiplicities\[1\]: fragment 2: 10 electrons/),
    ]);
  });

  it('says how many more problems there are when thrown', () => {
    const problems = new Problems('x.yaml');
    problems.add('a', 'first');
    problems.add('b', 'second');
    expect(() => {
      problems.throwIfAny();
    }).toThrow(MbeInputErrors);
    expect(() => {
      problems.throwIfAny();
    }).toThrow(/^x\.yaml: a: first \(and 1 more problem: run `retort mbe validate`/);
  });
});

describe('convert', () => {
  for (const target of ['yaml', 'json', 'qcschema'] as ConvertTarget[]) {
    it(`round-trips through ${target} to the same normalised input`, () => {
      const input = mustRead({
        ...OURS,
        embedding_charges: { 1: [-0.8, 0.4, 0.4], 2: [-0.8, 0.4, 0.4], 3: [-0.8, 0.4, 0.4] },
      });
      const text = writeMbeInput(input, target);
      const again = mustRead(parseDocument(text, target === 'yaml' ? 'out.yaml' : 'out.json'));
      expect(again).toEqual(input);
    });
  }

  it('round-trips a supersystem multilevel input', () => {
    const input = mustRead({
      ...OURS,
      levels: { 1: 'ccsd', 2: 'mp2', supersystem: 'hf' },
      model_chemistries: {
        ...OURS.model_chemistries,
        hf: { program: 'psi4', method: 'hf', basis: 'sto-3g' },
      },
    });
    expect(input.levels).toEqual({ '1': 'ccsd', '2': 'mp2', supersystem: 'hf' });
    for (const target of ['yaml', 'qcschema'] as ConvertTarget[]) {
      expect(
        mustRead(
          parseDocument(writeMbeInput(input, target), `x.${target === 'yaml' ? 'yaml' : 'json'}`),
        ),
      ).toEqual(input);
    }
  });
});
