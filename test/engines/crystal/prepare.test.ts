import { describe, expect, it } from 'vitest';
import { crystalEngine } from '../../../src/engines/crystal/index.js';
import { spec } from '../real-fixtures.js';

const D12 =
  'MgO\nCRYSTAL\n0 0 0\n225\n4.21\n2\n12 0 0 0\n8 0.5 0.5 0.5\nBASISSET\nSTO-3G\nENDSCF\n';
const PARENT = 'a'.repeat(64);

describe('crystal prepare', () => {
  it('runs a rendered .d12 as INPUT on the stdin of crystal and brings fort.9 back', () => {
    const job = crystalEngine.prepare(spec({ program: 'crystal', task: 'scf', input: D12 }));
    expect(job).toMatchObject({
      argv: ['crystal'],
      files: { INPUT: D12 },
      stdin: 'INPUT',
      outputs: ['fort.9'],
      captureStdout: 'full',
    });
    expect(job.parentInputs).toBeUndefined();
  });

  it('runs Pcrystal under mpirun with as many processes as the calc has cores, nothing on its stdin', () => {
    const job = crystalEngine.prepare(
      spec({
        program: 'crystal',
        task: 'optimize',
        input: D12,
        resources: { cores: 4, walltime_s: 600 },
      }),
    );
    expect(job).toMatchObject({
      argv: ['mpirun', '-np', '4', 'Pcrystal'],
      files: { INPUT: D12 },
      outputs: ['fort.9'],
    });
    // Pcrystal reads INPUT from its directory; mpirun forwarding a stdin file can crash it.
    expect(job.stdin).toBeUndefined();
  });

  it('runs a .d3 with properties on the parent scf’s fort.9', () => {
    const job = crystalEngine.prepare(
      spec({
        program: 'crystal',
        task: 'bands',
        input: 'NEWK\n8 16\n1 0\nEND\n',
        options: { parent: PARENT },
      }),
    );
    expect(job).toMatchObject({
      argv: ['properties'],
      stdin: 'INPUT',
      outputs: ['BAND.DAT', 'DOSS.DAT', 'fort.25'],
      parentInputs: [{ calcKey: PARENT, path: 'fort.9' }],
    });
  });

  it.each([
    [{ task: 'scf' }, 'input: crystal runs inputs rendered from a template'],
    [
      { task: 'phonons', input: D12 },
      'task: crystal cannot run task "phonons"; it runs: scf, optimize, frequencies, bands, dos',
    ],
    [
      { task: 'bands', input: 'NEWK\n' },
      'options.parent: crystal bands reads the wavefunction of an earlier scf',
    ],
    [{ task: 'scf', input: D12, method: 'PBE0' }, 'method: set by the template'],
    [
      { task: 'scf', input: D12, options: { parent: PARENT } },
      'options.parent: set by the template: with a rendered input crystal takes no options',
    ],
    [{ task: 'scf', input: '  \n' }, 'input: the rendered input is empty'],
  ])('refuses %j naming the field', (fields, message) => {
    expect(() => crystalEngine.prepare(spec({ program: 'crystal', ...fields }))).toThrow(message);
  });
});
