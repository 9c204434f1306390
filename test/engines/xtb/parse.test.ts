import { describe, expect, it } from 'vitest';
import type { Atom } from '../../../src/chem/molecule.js';
import type { Outcome } from '../../../src/core/job-spec.js';
import { parseXtb } from '../../../src/engines/xtb/parse.js';
import { ethanolAtoms, exited, realFixture, spec } from '../real-fixtures.js';

const ethanol = ethanolAtoms();
const energySpec = spec({
  program: 'xtb',
  task: 'energy',
  molecule: { atoms: ethanol, charge: 0, multiplicity: 1 },
});
const optSpec = { ...energySpec, task: 'optimize' };

function run(name: string, exitCode = 0, files: Record<string, string> = {}): Outcome {
  return parseXtb(
    exited(exitCode, {
      stdout: realFixture('xtb', `${name}.stdout`),
      stderr:
        name === 'ethanol_gfn2_sp'
          ? 'normal termination of xtb\n'
          : realFixture('xtb', `${name}.stderr`),
      files,
    }),
    name === 'ethanol_gfn2_sp' ? energySpec : optSpec,
  );
}

function failure(outcome: Outcome): { class: string; message: string } {
  if (outcome.ok) throw new Error('expected a failure');
  return outcome.failure;
}

describe('parseXtb on real xtb 6.5.1 outputs', () => {
  it('reads the final energy, gradient norm, gap and optimised geometry of a converged optimisation', () => {
    const outcome = run('ethanol_gfn2_opt', 0, { 'xtbopt.xyz': realFixture('xtb', 'xtbopt.xyz') });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.programVersion).toBe('6.5.1');
    expect(outcome.result.total_energy_hartree).toBe(-11.394338549067);
    expect(outcome.result.gradient_norm_hartree_bohr).toBe(0.000524144463);
    expect(outcome.result.homo_lumo_gap_ev).toBe(12.893937991364);
    expect(outcome.result.method).toBe('GFN2');
    const geometry = outcome.result.geometry as unknown as Atom[];
    expect(geometry).toHaveLength(9);
    expect(geometry[0]?.x).toBe(1.01234214260478);
  });

  it('reads a single point and returns the input geometry', () => {
    const outcome = run('ethanol_gfn2_sp');
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.result.total_energy_hartree).toBe(-11.393368375006);
    expect(outcome.result.geometry).toEqual(ethanol.map((a) => ({ ...a })));
  });

  it('classifies an optimisation out of cycles as opt_not_converged although xtb exited 0', () => {
    const outcome = run('notconverged_cycles2', 0, {
      'xtbopt.xyz': realFixture('xtb', 'xtbopt.xyz'),
    });
    expect(failure(outcome).class).toBe('opt_not_converged');
    expect(failure(outcome).message).toContain('2 ITERATIONS');
  });

  it('classifies a missing input file as input_error quoting the xtb error', () => {
    const f = failure(run('missing_input', 1));
    expect(f.class).toBe('input_error');
    expect(f.message).toContain('No input file given');
  });

  it('classifies an unconverged SCF as scf_not_converged', () => {
    expect(failure(run('scf_iterations1', 1)).class).toBe('scf_not_converged');
  });

  it('classifies an option xtb ignored as input_error', () => {
    const f = failure(run('unknown_option'));
    expect(f.class).toBe('input_error');
    expect(f.message).toContain('--bogus');
  });

  it('refuses an optimisation result without xtbopt.xyz', () => {
    expect(failure(run('ethanol_gfn2_opt')).class).toBe('parse_error');
  });

  it('reports a timeout with the walltime before reading the output', () => {
    const outputs = { ...exited(0), exitCode: null, signal: 'SIGKILL', timedOut: true };
    const f = failure(parseXtb(outputs, { ...optSpec, resources: { cores: 1, walltime_s: 30 } }));
    expect(f.class).toBe('timeout');
    expect(f.message).toContain('30 s');
  });
});

describe('parseXtb, task md (real xtb 6.5.1 GFN-FF dynamics of ethanol)', () => {
  const mdSpec = { ...energySpec, task: 'md', method: 'GFN-FF' };
  const outputs = (files: Record<string, string>): Outcome =>
    parseXtb(
      exited(0, {
        stdout: realFixture('xtb', 'ethanol_gfnff_md.stdout'),
        stderr: realFixture('xtb', 'ethanol_gfnff_md.stderr'),
        files,
      }),
      mdSpec,
    );

  it('reads every snapshot with its energy, although xtb printed a GFN-FF topology warning', () => {
    const outcome = outputs({ 'xtb.trj': realFixture('xtb', 'ethanol_gfnff_md.trj') });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const snapshots = outcome.result.snapshots as unknown as {
      geometry: Atom[];
      energy_hartree: number;
    }[];
    expect(snapshots).toHaveLength(4);
    expect(snapshots[0]?.energy_hartree).toBe(-1.219379811811);
    expect(snapshots.map((s) => s.geometry.map((a) => a.element).join(''))).toEqual(
      Array(4).fill('CCOHHHHHH'),
    );
    expect(outcome.result.method).toBe('GFN-FF');
  });

  it('fails with parse_error without a trajectory or with one of other atoms', () => {
    expect(failure(outputs({})).class).toBe('parse_error');
    const other = realFixture('xtb', 'ethanol_gfnff_md.trj').replace(/^O /m, 'N ');
    expect(failure(outputs({ 'xtb.trj': other })).message).toMatch(/xtb\.trj/);
  });
});
