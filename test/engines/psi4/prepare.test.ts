import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { InputError } from '../../../src/core/errors.js';
import { coordinate } from '../../../src/engines/coordinate.js';
import { preparePsi4 } from '../../../src/engines/psi4/prepare.js';
import { spec } from '../real-fixtures.js';
import { hydroxyl, monomerAInDimerBasis, waterStart } from './molecules.js';

function psi4Spec(fields: Partial<CalcSpec>): CalcSpec {
  return spec({
    program: 'psi4',
    task: 'energy',
    method: 'hf',
    basis: '6-31G*',
    molecule: { atoms: monomerAInDimerBasis, charge: 0, multiplicity: 1 },
    ...fields,
  });
}

function input(s: CalcSpec): string {
  return preparePsi4(s).files['input.dat'] ?? '';
}

function refusal(s: CalcSpec): InputError {
  try {
    preparePsi4(s);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('preparePsi4', () => {
  it('runs psi4 on input.dat with the spec cores and brings back output.dat and result.json', () => {
    const job = preparePsi4(psi4Spec({ resources: { cores: 4, walltime_s: 60 } }));
    expect(job.argv).toEqual(['psi4', 'input.dat', 'output.dat', '-n', '4']);
    expect(job.outputs).toEqual(['output.dat', 'result.json']);
    expect(Object.keys(job.files)).toEqual(['input.dat']);
  });

  it('writes ghost atoms as Gh(El) in a fixed c1 frame with charge and multiplicity', () => {
    const lines = input(psi4Spec({})).split('\n');
    const start = lines.indexOf('molecule retort {');
    expect(lines.slice(start, start + 13)).toEqual([
      'molecule retort {',
      'units angstrom',
      'no_reorient',
      'no_com',
      'symmetry c1',
      '0 1',
      'O -1.551007 -0.11452 0.0',
      'H -1.934259 0.762503 0.0',
      'H -0.599677 0.040712 0.0',
      'Gh(O) 1.350625 0.111469 0.0',
      'Gh(H) 1.680398 -0.373741 -0.758561',
      'Gh(H) 1.680398 -0.373741 0.758561',
      '}',
    ]);
  });

  it('sets the basis and an RHF reference for a singlet, UHF for a doublet', () => {
    expect(input(psi4Spec({}))).toContain('set {\n  basis 6-31g*\n  reference rhf\n}');
    const doublet = input(psi4Spec({ molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 } }));
    expect(doublet).toContain('\n0 2\n');
    expect(doublet).toContain('  reference uhf\n');
  });

  it('writes a cation charge and a given ROHF reference', () => {
    const text = input(
      psi4Spec({
        molecule: { atoms: hydroxyl, charge: 1, multiplicity: 1 },
        options: { psi4_keywords: { reference: 'rhf' } },
      }),
    );
    expect(text).toContain('\n1 1\n');
    const rohf = input(
      psi4Spec({
        molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 },
        options: { psi4_keywords: { REFERENCE: 'ROHF' } },
      }),
    );
    expect(rohf).toContain('  reference rohf\n');
  });

  it('keeps every digit of the coordinates', () => {
    const atoms: Atom[] = [
      { element: 'He', x: 0.12345678901234568, y: -1.2345678901234567, z: 1e-7 },
    ];
    const text = input(psi4Spec({ molecule: { atoms, charge: 0, multiplicity: 1 } }));
    expect(text).toContain('\nHe 0.12345678901234568 -1.2345678901234567 0.0000001\n');
    for (const value of [0.1 + 0.2, -123.456789012345, 5e-324, 1.5e-10, -0]) {
      expect(Number(coordinate(value))).toBe(value === 0 ? 0 : value);
      expect(coordinate(value)).toMatch(/^-?\d+\.\d+$/);
    }
  });

  it('writes memory and psi4_keywords into the input', () => {
    const text = input(
      psi4Spec({
        options: {
          psi4_keywords: {
            scf_type: 'pk',
            e_convergence: 1e-10,
            guess: 'sad',
            puream: false,
            docc: [3, 0, 1, 1],
          },
        },
        resources: { cores: 1, memory_mb: 2000, walltime_s: 60 },
      }),
    );
    expect(text.startsWith('memory 2000 mb\n')).toBe(true);
    expect(text).toContain(
      '  scf_type pk\n  e_convergence 1e-10\n  guess sad\n  puream false\n  docc [3, 0, 1, 1]\n}',
    );
  });

  it('calls the driver of the task and writes energy, gradient or hessian to result.json', () => {
    expect(input(psi4Spec({ method: 'MP2' }))).toContain(
      'retort_result["energy"] = float(energy(\'mp2\'))',
    );
    const gradient = input(psi4Spec({ task: 'gradient', method: 'b3lyp' }));
    expect(gradient).toContain("retort_gradient = gradient('b3lyp')");
    expect(gradient).toContain('retort_result["gradient"]');
    const hessian = input(psi4Spec({ task: 'hessian' }));
    expect(hessian).toContain("retort_hessian, retort_wfn = hessian('hf', return_wfn=True)");
    expect(hessian).toContain('retort_result["hessian"]');
  });

  it('writes the gradient psi4 computes before a Hessian to result.json as well', () => {
    expect(input(psi4Spec({ task: 'hessian' }))).toContain(
      'retort_result["gradient"] = [float(v) for v in retort_wfn.gradient().np.ravel()]',
    );
  });

  it('asks for an open-shell SCF Hessian by finite differences of gradients', () => {
    const text = input(
      psi4Spec({ task: 'hessian', molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 } }),
    );
    expect(text).toContain(
      "retort_hessian, retort_wfn = hessian('hf', dertype=1, return_wfn=True)",
    );
  });

  it('refuses a missing basis or method, naming the field', () => {
    expect(refusal(psi4Spec({ basis: undefined })).where).toBe('basis');
    expect(refusal(psi4Spec({ method: undefined })).where).toBe('method');
    expect(refusal(psi4Spec({ method: "hf'); import os; ('" })).where).toBe('method');
  });

  it('refuses RHF for a radical and a radical declared as a singlet', () => {
    const radical = { atoms: hydroxyl, charge: 0, multiplicity: 2 };
    expect(
      refusal(psi4Spec({ molecule: radical, options: { psi4_keywords: { reference: 'rhf' } } }))
        .where,
    ).toBe('options.psi4_keywords.reference');
    expect(
      refusal(psi4Spec({ molecule: { atoms: hydroxyl, charge: 0, multiplicity: 1 } })).where,
    ).toBe('molecule.multiplicity');
  });

  it('refuses keyword values that would escape the set block, the basis keyword and keywords', () => {
    for (const value of ['pk\n}', 'a}b', '{', "'x'", 'x # y']) {
      expect(refusal(psi4Spec({ options: { psi4_keywords: { guess: value } } })).where).toBe(
        'options.psi4_keywords.guess',
      );
    }
    expect(refusal(psi4Spec({ options: { psi4_keywords: { basis: 'sto-3g' } } })).where).toBe(
      'options.psi4_keywords.basis',
    );
    expect(refusal(psi4Spec({ options: { psi4_keywords: { 'a b': 1 } } })).where).toBe(
      'options.psi4_keywords.a b',
    );
    expect(refusal(psi4Spec({ options: { psi4_keywords: 'scf_type pk' } })).where).toBe(
      'options.psi4_keywords',
    );
    expect(refusal(psi4Spec({ keywords: ['scf_type pk'] })).where).toBe('keywords');
    expect(refusal(psi4Spec({ options: { threads: 2 } })).where).toBe('options.threads');
  });

  it('refuses a molecule made only of ghost atoms and an unknown task', () => {
    const ghosts = hydroxyl.map((a) => ({ ...a, ghost: true }));
    expect(
      refusal(psi4Spec({ molecule: { atoms: ghosts, charge: 0, multiplicity: 1 } })).where,
    ).toBe('molecule.atoms');
    expect(refusal(psi4Spec({ task: 'nmr' })).where).toBe('task');
  });

  it('writes external charges with the QMMM API in Å, the molecule block’s units', () => {
    const text = input(
      psi4Spec({
        options: {
          external_charges: [
            [-0.834, 1.5, 0, -2],
            [0.417, 1e-7, 2.25, 3],
          ],
        },
      }),
    );
    expect(text).toContain(
      [
        'retort_charges = QMMM()',
        'retort_charges.extern.addCharge(-0.834, 1.5, 0.0, -2.0)',
        'retort_charges.extern.addCharge(0.417, 0.0000001, 2.25, 3.0)',
        "psi4.set_global_option_python('EXTERN', retort_charges.extern)",
      ].join('\n'),
    );
    // After the molecule (Å) and set blocks, before the driver call.
    expect(text.indexOf('units angstrom')).toBeLessThan(text.indexOf('QMMM()'));
    expect(text.indexOf('QMMM()')).toBeLessThan(text.indexOf("energy('hf')"));
    expect(text).toContain("startswith(('1.3', '1.4', '1.5'))");
    expect(input(psi4Spec({ options: { external_charges: [] } }))).not.toContain('QMMM');
    expect(input(psi4Spec({}))).not.toContain('QMMM');
  });

  it('asks for a Hessian with external charges by finite differences of gradients', () => {
    const charged = input(
      psi4Spec({ task: 'hessian', options: { external_charges: [[-0.8, 0, 0, 3]] } }),
    );
    expect(charged).toContain("hessian('hf', dertype=1, return_wfn=True)");
    expect(input(psi4Spec({ task: 'hessian' }))).toContain("hessian('hf', return_wfn=True)");
  });

  it('refuses external charges that are not lists of 4 finite numbers, naming the entry', () => {
    const cases: [JsonValue, string][] = [
      [{ q: 1 }, 'options.external_charges'],
      [[[1, 2, 3]], 'options.external_charges[0]'],
      [
        [
          [1, 0, 0, 0],
          [1, 0, 0, '3'],
        ],
        'options.external_charges[1]',
      ],
      [[[1, 0, 0, 0, 0]], 'options.external_charges[0]'],
      [[-0.8, 0, 0, 3], 'options.external_charges[0]'],
    ];
    for (const [bad, where] of cases) {
      expect(refusal(psi4Spec({ options: { external_charges: bad } })).where).toBe(where);
    }
    const infinite = { options: { external_charges: [[1, 0, 0, Number.POSITIVE_INFINITY]] } };
    expect(refusal(psi4Spec(infinite)).where).toBe('options.external_charges[0]');
  });

  it('optimises with optimize() and writes the final energy, step count and Å geometry', () => {
    const text = input(
      psi4Spec({ task: 'optimize', molecule: { atoms: waterStart, charge: 0, multiplicity: 1 } }),
    );
    expect(text).toContain(
      "retort_energy, retort_wfn, retort_history = optimize('hf', return_wfn=True, return_history=True)",
    );
    expect(text).toContain('retort_result["optimization_steps"] = len(retort_history["energy"])');
    expect(text).toContain(
      'retort_result["geometry_angstrom"] = [float(v) * psi4.constants.bohr2angstroms for v in core.get_active_molecule().geometry().np.ravel()]',
    );
  });

  it('computes frequencies with rotations projected out and thermochemistry at 298.15 K, 1 atm', () => {
    const text = input(
      psi4Spec({
        task: 'frequencies',
        molecule: { atoms: waterStart, charge: 0, multiplicity: 1 },
      }),
    );
    expect(text).toContain('  t 298.15\n  p 101325\n}');
    expect(text).toContain(
      "frequencies('hf', return_wfn=True, project_trans=True, project_rot=True)",
    );
    expect(text).toContain('retort_result["zpve"] = float(core.variable("ZPVE"))');
    expect(text).toContain(
      'retort_result["gibbs_correction"] = float(core.variable("GIBBS FREE ENERGY CORRECTION"))',
    );
    const radical = input(
      psi4Spec({ task: 'frequencies', molecule: { atoms: hydroxyl, charge: 0, multiplicity: 2 } }),
    );
    expect(radical).toContain("frequencies('hf', dertype=1, return_wfn=True");
  });

  it('refuses another temperature or pressure for frequencies, naming the keyword', () => {
    const water = { atoms: waterStart, charge: 0, multiplicity: 1 };
    const at = (keywords: Record<string, JsonValue>): CalcSpec =>
      psi4Spec({ task: 'frequencies', molecule: water, options: { psi4_keywords: keywords } });
    expect(refusal(at({ T: 400 })).where).toBe('options.psi4_keywords.t');
    expect(refusal(at({ p: 1e5 })).where).toBe('options.psi4_keywords.p');
  });

  it('refuses ghost atoms and external charges for optimize and frequencies, naming the field', () => {
    for (const task of ['optimize', 'frequencies']) {
      expect(refusal(psi4Spec({ task })).where).toBe('molecule.atoms[3].ghost');
      const charged = psi4Spec({
        task,
        molecule: { atoms: waterStart, charge: 0, multiplicity: 1 },
        options: { external_charges: [[-0.8, 0, 0, 3]] },
      });
      expect(refusal(charged).where).toBe('options.external_charges');
    }
  });
});

describe('preparePsi4 with a rendered input', () => {
  const rendered = "molecule {\n0 1\nHe 0 0 0\n}\nset basis sto-3g\noptimize('hf')\n";
  const renderedSpec = (task: string): CalcSpec =>
    psi4Spec({ task, input: rendered, method: undefined, basis: undefined });

  it('runs the rendered text between the driver wrappers and the lines that write result.json', () => {
    const job = preparePsi4(renderedSpec('optimize'));
    const text = job.files['input.dat'] ?? '';
    const at = text.indexOf(rendered);
    expect(at).toBeGreaterThan(text.indexOf("optimize = opt = retort_wrap('optimize', optimize)"));
    expect(text.slice(at + rendered.length)).toContain("retort_calls.get('optimize')");
    expect(text).toContain('optimization_steps');
    expect(job.argv).toEqual(['psi4', 'input.dat', 'output.dat', '-n', '1']);
    expect(preparePsi4(renderedSpec('frequencies')).files['input.dat']).toContain(
      "retort_calls.get('frequency')",
    );
  });

  it('refuses tasks a template cannot run and method or basis besides the input', () => {
    expect(refusal(renderedSpec('gradient')).where).toBe('task');
    expect(refusal(psi4Spec({ input: rendered, basis: undefined })).where).toBe('method');
  });
});
