import { describe, expect, it } from 'vitest';
import {
  XTB_MD_DEFAULTS,
  fortranD,
  mdDetailedInput,
  mdRestart,
} from '../../../src/engines/xtb/md-input.js';
import { ethanolAtoms } from '../real-fixtures.js';

describe('fortranD', () => {
  it('writes numbers as Fortran D22.14, as xtb writes and reads mdrestart', () => {
    expect(fortranD(14.308116089851)).toBe('  0.14308116089851D+02');
    expect(fortranD(-0.00046388760475083)).toBe(' -0.46388760475083D-03');
    expect(fortranD(0)).toBe('  0.00000000000000D+00');
    expect(fortranD(1)).toBe('  0.10000000000000D+01');
    // Rounding to 14 digits carries into the next power of ten.
    expect(fortranD(0.999999999999999)).toBe('  0.10000000000000D+01');
  });
});

describe('mdRestart', () => {
  const atoms = ethanolAtoms();

  it('gives positions in bohr and the same velocities for the same seed, others for another', () => {
    const a = mdRestart(atoms, 500, 1);
    expect(mdRestart(atoms, 500, 1)).toBe(a);
    expect(mdRestart(atoms, 500, 2)).not.toBe(a);
    const lines = a.trimEnd().split('\n');
    expect(lines).toHaveLength(atoms.length + 1);
    const first = (lines[1] ?? '').match(/.{22}/g)?.map((f) => Number(f.replace('D', 'E')));
    expect(first?.[0]).toBeCloseTo((atoms[0]?.x ?? 0) / 0.52917721067, 10);
  });

  it('draws velocities whose kinetic energy matches the temperature', () => {
    // 3N/2 kT on average; many atoms make the sample mean close.
    const many = Array.from({ length: 3000 }, (_, i) => ({ element: 'C', x: i, y: 0, z: 0 }));
    const lines = mdRestart(many, 500, 7).trimEnd().split('\n').slice(1);
    let kinetic = 0;
    for (const line of lines) {
      const v = (line.match(/.{22}/g) ?? []).slice(3).map((f) => Number(f.replace('D', 'E')));
      kinetic += 0.5 * 12 * 1822.888486 * v.reduce((s, x) => s + x * x, 0);
    }
    const temperature = (2 * kinetic) / (3 * many.length * 3.166811563e-6);
    expect(temperature).toBeGreaterThan(480);
    expect(temperature).toBeLessThan(520);
  });
});

describe('mdDetailedInput', () => {
  it('spaces the snapshots over the run and starts from mdrestart', () => {
    const text = mdDetailedInput({ ...XTB_MD_DEFAULTS, time_ps: 40, snapshots: 40 });
    expect(text).toContain('time=40\n');
    expect(text).toContain('dump=1000\n');
    expect(text).toContain('temp=500\n');
    expect(text).toContain('restart=true\n');
  });
});
