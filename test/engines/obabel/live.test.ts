import { describe, expect, it } from 'vitest';
import { parseXyz } from '../../../src/chem/xyz.js';
import { obabelEngine } from '../../../src/engines/obabel/index.js';
import { hasProgram, runJobDirectly } from '../../helpers/run-job-directly.js';
import { realFixture, spec } from '../real-fixtures.js';

describe('Open Babel, live', () => {
  it.skipIf(!hasProgram('obabel'))('builds 9 atoms for CCO', () => {
    const s = spec({
      program: 'obabel',
      task: 'gen3d',
      molecule: { smiles: 'CCO', charge: 0, multiplicity: 1 },
    });
    const outcome = obabelEngine.parse(runJobDirectly(obabelEngine.prepare(s)), s);
    expect(outcome.ok && outcome.result.atom_count).toBe(9);
  });

  it.skipIf(!hasProgram('obabel'))('refuses a methyl radical declared as a singlet', () => {
    const s = spec({
      program: 'obabel',
      task: 'gen3d',
      molecule: { smiles: '[CH3]', charge: 0, multiplicity: 1 },
    });
    const outcome = obabelEngine.parse(runJobDirectly(obabelEngine.prepare(s)), s);
    expect(outcome.ok ? undefined : outcome.failure.class).toBe('spin_charge');
  });

  it.skipIf(!hasProgram('obabel'))('reports unreadable SMILES as input_error', () => {
    const s = spec({
      program: 'obabel',
      task: 'gen3d',
      molecule: { smiles: 'C1CC(', charge: 0, multiplicity: 1 },
    });
    const outcome = obabelEngine.parse(runJobDirectly(obabelEngine.prepare(s)), s);
    expect(outcome.ok ? undefined : outcome.failure.class).toBe('input_error');
  });

  it.skipIf(!hasProgram('obabel'))(
    'finds more than one conformer of octane with both algorithms',
    () => {
      const atoms = parseXyz(realFixture('openbabel', 'octane.xyz'))[0]?.atoms ?? [];
      for (const algorithm of ['genetic', 'confab']) {
        const s = spec({
          program: 'obabel',
          task: 'conformers',
          molecule: { atoms, charge: 0, multiplicity: 1 },
          options: { algorithm },
        });
        const outcome = obabelEngine.parse(runJobDirectly(obabelEngine.prepare(s)), s);
        expect(outcome.ok && outcome.result.count).toBeGreaterThan(1);
      }
    },
  );

  it.skipIf(!hasProgram('obabel'))('reads its version from obabel -V', () => {
    const probe = obabelEngine.versionProbe;
    if (probe === undefined) throw new Error('obabel has a version probe');
    const out = runJobDirectly({
      argv: probe.argv,
      files: {},
      env: {},
      outputs: [],
      captureStdout: 'tail',
      resources: { cores: 1, walltime_s: 30 },
    });
    expect(probe.parse(out.stdout, out.stderr)).toMatch(/^\d+\.\d+\.\d+$/);
  });

  const hexanol = (seed: number) =>
    spec({
      program: 'obabel',
      task: 'gen3d',
      molecule: { smiles: 'CCCCCCO', charge: 0, multiplicity: 1 },
      options: { seed },
    });
  const built = (s: ReturnType<typeof hexanol>): string => {
    const out = runJobDirectly(obabelEngine.prepare(s));
    expect(obabelEngine.parse(out, s).ok, out.stderr).toBe(true);
    return out.files['output.xyz'] ?? '';
  };

  it.skipIf(!hasProgram('obabel'))(
    'builds the same 1-hexanol start byte for byte from the same seed, and another from another seed',
    () => {
      const first = built(hexanol(1));
      expect(built(hexanol(1))).toBe(first);
      expect(built(hexanol(2))).not.toBe(first);
    },
    300_000,
  );

  it.skipIf(!hasProgram('obabel'))(
    'finds the same genetic conformers of octane byte for byte from the same seed',
    () => {
      const atoms = parseXyz(realFixture('openbabel', 'octane.xyz'))[0]?.atoms ?? [];
      const search = (seed: number): string => {
        const s = spec({
          program: 'obabel',
          task: 'conformers',
          molecule: { atoms, charge: 0, multiplicity: 1 },
          options: { algorithm: 'genetic', nconf: 10, seed },
        });
        const out = runJobDirectly(obabelEngine.prepare(s));
        expect(obabelEngine.parse(out, s).ok, out.stderr).toBe(true);
        return out.files['conformers.xyz'] ?? '';
      };
      const first = search(7);
      expect(parseXyz(first).length).toBeGreaterThan(1);
      expect(search(7)).toBe(first);
    },
    300_000,
  );
});
