import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getEngine } from '../../../src/engines/registry.js';
import { shieldingSpec, WP04_XC } from '../../../src/pipelines/nmr/levels.js';
import { cleanupTempDirs, hasProgram, runCli, tempCampaign } from '../../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const METHANE = [
  { element: 'C', x: 0, y: 0, z: 0 },
  { element: 'H', x: 0.629118, y: 0.629118, z: 0.629118 },
  { element: 'H', x: -0.629118, y: -0.629118, z: 0.629118 },
  { element: 'H', x: -0.629118, y: 0.629118, z: -0.629118 },
  { element: 'H', x: 0.629118, y: -0.629118, z: -0.629118 },
];

describe('shieldingSpec', () => {
  it('writes WP04 as its NWChem xc combination and a named functional as the method', () => {
    const molecule = { atoms: METHANE, charge: 0, multiplicity: 1 };
    const wp04 = shieldingSpec(
      molecule,
      { functional: 'WP04', nmr_basis: '6-31G*', solvent: 'chcl3' },
      { cores: 1, walltime_s: 60 },
      'm',
    );
    expect(wp04).toMatchObject({ method: 'dft', options: { xc: WP04_XC, solvent: 'chcl3' } });
    const input = getEngine('nwchem').prepare(wp04).files['input.nw'] ?? '';
    expect(input).toContain(
      'xc HFexch 0.1189 slater 0.9999 becke88 nonlocal 0.9614 vwn_1_rpa 0.9998 lyp 0.0001',
    );
    const b3lyp = shieldingSpec(
      molecule,
      { functional: 'B3LYP', nmr_basis: '6-31G*', solvent: 'vacuum' },
      { cores: 1, walltime_s: 60 },
      'm',
    );
    expect(b3lyp.method).toBe('B3LYP');
    expect(b3lyp.options).toBeUndefined();
  });

  it.skipIf(!hasProgram('nwchem'))(
    "the rule that turns Gaussian's IOp parameters into xc words gives NWChem's own b3lyp shieldings, and WP04 runs",
    () => {
      const dir = tempCampaign();
      const xyz = join(dir, 'methane.xyz');
      writeFileSync(
        xyz,
        `5\nmethane\n${METHANE.map((a) => `${a.element} ${a.x} ${a.y} ${a.z}`).join('\n')}\n`,
      );
      const shieldings = (args: string[]) => {
        const r = runCli(
          [
            'calc',
            '--program',
            'nwchem',
            '--task',
            'nmr',
            '--basis',
            '6-31G*',
            '--xyz',
            xyz,
            '--json',
            ...args,
          ],
          { cwd: dir },
        );
        expect(r.status, r.stderr).toBe(0);
        const out = JSON.parse(r.stdout) as {
          result: { shieldings_ppm: { isotropic_ppm: number }[] };
        };
        return out.result.shieldings_ppm.map((s) => s.isotropic_ppm);
      };
      const named = shieldings(['--method', 'B3LYP']);
      // B3LYP's IOp(3/76=1000002000, 3/77=0720008000, 3/78=0810010000) by the same rule as WP04's.
      const fromIops = shieldings([
        '--method',
        'dft',
        '--option',
        'xc=HFexch 0.20 slater 0.80 becke88 nonlocal 0.72 vwn_1_rpa 0.19 lyp 0.81',
      ]);
      expect(fromIops).toEqual(named);
      const wp04 = shieldings(['--method', 'dft', '--option', `xc=${WP04_XC}`]);
      // WP04 shields methane's H and C differently from B3LYP, within the usual range.
      expect(wp04[1]).not.toBeCloseTo(named[1] ?? 0, 1);
      expect(wp04[1]).toBeGreaterThan(30);
      expect(wp04[1]).toBeLessThan(33);
    },
    300_000,
  );
});
