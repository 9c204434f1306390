import { describe, expect, it } from 'vitest';
import { analyzeMbe } from '../../../src/pipelines/mbe/analyze.js';
import { Problems } from '../../../src/pipelines/mbe/problems.js';
import { readCaseDocument } from '../../../src/pipelines/mbe/read-case.js';
import { caseFiles, QCMB_DIR, QCMB_SKIP_REASON, readCase } from './qcmb-cases.js';

type Json = number | Json[] | { [k: string]: Json };

/** Every number of `actual` within atol + rtol·|expected| of `expected`, same shapes. */
function expectClose(
  actual: unknown,
  expected: unknown,
  atol: number,
  rtol: number,
  what: string,
): void {
  if (typeof expected === 'number') {
    expect(typeof actual, what).toBe('number');
    const a = actual as number;
    const tol = atol + rtol * Math.abs(expected);
    if (!(Math.abs(a - expected) <= tol)) {
      expect.fail(
        `${what}: ${a} differs from ${expected} by ${Math.abs(a - expected)} (tolerance ${tol})`,
      );
    }
    return;
  }
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), what).toBe(true);
    const a = actual as unknown[];
    expect(a.length, `${what} length`).toBe(expected.length);
    expected.forEach((e, i) => {
      expectClose(a[i], e, atol, rtol, `${what}[${i}]`);
    });
    return;
  }
  const e = expected as Record<string, Json>;
  const a = actual as Record<string, unknown>;
  for (const key of Object.keys(e)) {
    expect(a, `${what} has ${key}`).toHaveProperty([key]);
    expectClose(a[key], e[key], atol, rtol, `${what}.${key}`);
  }
}

describe.skipIf(QCMB_DIR === undefined)(
  `analyze reproduces QCManyBody (${QCMB_DIR ?? QCMB_SKIP_REASON})`,
  () => {
    for (const file of caseFiles()) {
      it(`reproduces every expected quantity of ${file} to the case tolerance`, () => {
        const doc = readCase(file);
        const problems = new Problems(file);
        const read = readCaseDocument(doc, problems);
        expect(problems.all.map((p) => p.message)).toEqual([]);
        if (read === undefined) throw new Error('unreadable case');
        const result = analyzeMbe(read.input, read.components);
        const expected = (doc.expected as { qcmanybody: Record<string, unknown> }).qcmanybody;
        const tol = doc.tolerance as { atol: number; rtol?: number };
        const atol = tol.atol;
        const rtol = tol.rtol ?? 0;
        expectClose(result.ret_energy, expected.ret_energy, atol, rtol, 'ret_energy');
        if (expected.ret_gradient !== undefined) {
          expectClose(result.ret_gradient, expected.ret_gradient, atol, rtol, 'ret_gradient');
        }
        if (expected.ret_hessian !== undefined) {
          expectClose(result.ret_hessian, expected.ret_hessian, atol, rtol, 'ret_hessian');
        }
        const props = expected.properties as Record<string, Json>;
        // Same property names as QCManyBody for energies (arrays may be omitted from the case).
        const energyKeys = (o: object): string[] =>
          Object.keys(o)
            .filter((k) => /^(cp|nocp|vmfc)_corrected_.*energy/.test(k))
            .sort();
        expect(energyKeys(result.properties)).toEqual(energyKeys(props));
        expectClose(result.properties, props, atol, rtol, 'properties');
        expectClose(
          result.energy_body_dict,
          expected.energy_body_dict,
          atol,
          rtol,
          'energy_body_dict',
        );
        expect(Object.keys(result.energy_body_dict).sort()).toEqual(
          Object.keys(expected.energy_body_dict as object).sort(),
        );
        for (const dict of ['gradient_body_dict', 'hessian_body_dict'] as const) {
          if (expected[dict] !== undefined)
            expectClose(result[dict], expected[dict], atol, rtol, dict);
        }
        expect(result.nbody_number).toBe(expected.nbody_number);
        expect(result.properties.calcinfo_nmbe).toBe(expected.nbody_number);
        const driver = doc.driver as string;
        const ret =
          driver === 'energy'
            ? result.ret_energy
            : driver === 'gradient'
              ? result.ret_gradient
              : result.ret_hessian;
        expect(result.return_result).toEqual(ret);
      });
    }

    it('agrees with QCManyBody to 1e-11 or better where the case says it should match to ~1e-12', () => {
      const doc = readCase('h2o3_hf_sto3g_energy_mbe3.json');
      const read = readCaseDocument(doc, new Problems('case'));
      if (read === undefined) throw new Error('unreadable case');
      const result = analyzeMbe(read.input, read.components);
      const expected = (doc.expected as { qcmanybody: Record<string, unknown> }).qcmanybody;
      expectClose(result.properties, expected.properties, 1e-11, 0, 'properties');
    });

    it('gives the nuclear repulsion energy of the whole molecule as psi4 does', () => {
      const doc = readCase('h2o3_hf_sto3g_energy_mbe3.json');
      const read = readCaseDocument(doc, new Problems('case'));
      if (read === undefined) throw new Error('unreadable case');
      const psi4 = (doc.expected as { psi4_qcvars: Record<string, number> }).psi4_qcvars;
      const nre = analyzeMbe(read.input, read.components).properties.nuclear_repulsion_energy;
      expectClose(nre, psi4['NUCLEAR REPULSION ENERGY'], 1e-10, 0, 'nuclear_repulsion_energy');
    });

    it('names the missing tasks when components are incomplete', () => {
      const doc = readCase('h2o3_hf_sto3g_energy_mbe3.json');
      const read = readCaseDocument(doc, new Problems('case'));
      if (read === undefined) throw new Error('unreadable case');
      const { '["e_scf", [1, 2, 3], [1, 2, 3]]': _full, ...rest } = read.components;
      expect(() => analyzeMbe(read.input, rest)).toThrow(
        /^components: 1 of the 19 tasks have no results \(\["e_scf", \[1, 2, 3\], \[1, 2, 3\]\]\)$/,
      );
    });

    it('pads gradients of cluster_properties to the full system, ghost rows in basis order', () => {
      const doc = readCase('h2o3_hf_sto3g_gradient_mbe3.json');
      const read = readCaseDocument(doc, new Problems('case'));
      if (read === undefined) throw new Error('unreadable case');
      const result = analyzeMbe(read.input, read.components);
      const label = '["g_scf", [3], [2, 3]]';
      const natural = read.components[label]?.gradient ?? [];
      const padded = result.cluster_properties[label]?.return_gradient as number[][];
      expect(padded).toHaveLength(9);
      expect(padded.slice(0, 3)).toEqual([
        [0, 0, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]);
      expect(padded.slice(3)).toEqual(natural);
    });
  },
);
