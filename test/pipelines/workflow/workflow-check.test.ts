import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESOURCES } from '../../../src/core/calc-spec.js';
import { checkWorkflow } from '../../../src/pipelines/workflow/workflow-check.js';
import { tempDir } from '../../helpers/temp-dir.js';

const dirs: (() => void)[] = [];
afterEach(() => {
  for (const remove of dirs.splice(0)) remove();
});

/** Writes `files` into a new directory; returns the path of the first. */
function files(named: Record<string, string>): string {
  const { dir, remove } = tempDir('retort-wf-');
  dirs.push(remove);
  for (const [name, text] of Object.entries(named)) writeFileSync(join(dir, name), text);
  return join(dir, Object.keys(named)[0] ?? '');
}

function check(text: string, sets: string[] = [], extra: Record<string, string> = {}) {
  const file = files({ 'wf.yaml': text, ...extra });
  return checkWorkflow(file, sets, process.cwd(), DEFAULT_RESOURCES);
}

/** The message a check fails with, the file's directory cut off. */
async function failure(text: string, sets: string[] = [], extra: Record<string, string> = {}) {
  try {
    await check(text, sets, extra);
  } catch (error) {
    return (error as Error).message.replace(/^.*\/wf\.yaml/, 'wf.yaml');
  }
  throw new Error('expected the check to fail');
}

const ECHO = `    program: command
    argv: [sh, -c, "echo 1 > out.txt"]
    outputs: [out.txt]
`;

describe('checkWorkflow', () => {
  it('orders the steps by needs and expands a CSV matrix times a list into instances', async () => {
    const checked = await check(
      `name: w
matrix:
  from: mols.csv
  method: [hf, pbe]
steps:
  b:
    needs: [a]
${ECHO}  a:
${ECHO}`,
      [],
      { 'mols.csv': 'name,smiles\nwater,O\nmethane,C\n' },
    );
    expect(checked.dag.order).toEqual(['a', 'b']);
    expect(checked.instances.map((i) => i.key)).toEqual([
      'water,method=hf',
      'water,method=pbe',
      'methane,method=hf',
      'methane,method=pbe',
    ]);
    expect(checked.instances[1]?.matrix).toEqual({ name: 'water', smiles: 'O', method: 'pbe' });
  });

  it('names an unknown step in needs with the closest name', async () => {
    expect(await failure(`name: w\nsteps:\n  opt:\n${ECHO}  b:\n    needs: [optt]\n${ECHO}`)).toBe(
      'wf.yaml:8: steps.b.needs[0]: no step "optt" (did you mean "opt"?); the steps are opt, b',
    );
  });

  it('names every step of a cycle', async () => {
    const text = `name: w
steps:
  a:
    needs: [c]
${ECHO}  b:
    needs: [a]
${ECHO}  c:
    needs: [b]
${ECHO}`;
    expect(await failure(text)).toMatch(/needs form a cycle: a needs c, c needs b, b needs a$/);
  });

  it('refuses an expression reading a step that is not an ancestor', async () => {
    const text = `name: w
steps:
  a:
${ECHO}  b:
    program: command
    argv: [echo, "\${{ steps.a.result.exit_code }}"]
`;
    expect(await failure(text)).toBe(
      'wf.yaml:9: steps.b.argv[1]: steps.a.result.exit_code: step b does not need a: add it to needs (directly or through a step it needs)',
    );
  });

  it('accepts an ancestor reached through another step', async () => {
    const text = `name: w
steps:
  a:
${ECHO}  b:
    needs: [a]
${ECHO}  c:
    needs: [b]
    program: command
    argv: [echo, "\${{ steps.a.result.exit_code }}"]
`;
    expect((await check(text)).dynamic).toEqual(new Set(['c']));
  });

  it('refuses a result field the step’s program never returns for its task', async () => {
    const text = `name: w
steps:
  opt:
    program: xtb
    task: optimize
    atoms: [[He, 0, 0, 0]]
  sp:
    needs: [opt]
    program: psi4
    molecule: \${{ steps.opt.result.geometri }}
`;
    expect(await failure(text)).toMatch(
      /^wf\.yaml:10: steps\.sp\.molecule: steps\.opt\.result\.geometri: xtb optimize returns no geometri \(did you mean "geometry"\?\); it returns total_energy_hartree, /,
    );
  });

  it('refuses a name an expression reads outside params, matrix and steps', async () => {
    const text = `name: w
params:
  n: {type: int, default: 2}
steps:
  a:
    program: command
    argv: [echo, "\${{ param.n }}"]
`;
    expect(await failure(text)).toBe(
      'wf.yaml:7: steps.a.argv[1]: param.n: expressions read params, matrix, steps (did you mean "params"?)',
    );
    expect(await failure(text.replace('param.n', 'params.m'))).toBe(
      'wf.yaml:7: steps.a.argv[1]: params.m: no such param (did you mean "n"?); params: n',
    );
  });

  it('refuses a param out of its range, from the file and from --set', async () => {
    const text = `name: w
params:
  ecut: {type: float, default: 25, min: 10, max: 100}
steps:
  a:
${ECHO}`;
    await expect(check(text)).resolves.toBeDefined();
    expect(await failure(text.replace('default: 25', 'default: 5'))).toBe(
      'wf.yaml:3: params.ecut.default: expected a number between 10 and 100, found 5',
    );
    expect(await failure(text, ['ecut=200'])).toBe(
      '--set ecut: expected a number between 10 and 100, found 200',
    );
    expect(await failure(text, ['ecutt=20'])).toBe(
      '--set ecutt: no such param (did you mean "ecut"?); the workflow has: ecut',
    );
  });

  it('refuses an unknown program and an unknown task', async () => {
    expect(await failure(`name: w\nsteps:\n  a:\n    program: psi5\n    smiles: O\n`)).toMatch(
      /^wf\.yaml:4: steps\.a\.program: unknown program "psi5"; known: mopac, xtb/,
    );
    expect(
      await failure(`name: w\nsteps:\n  a:\n    program: xtb\n    task: optimise\n    smiles: O\n`),
    ).toBe(
      'wf.yaml:5: steps.a.task: xtb has no task "optimise" (did you mean "optimize"?); its tasks: energy, optimize, md',
    );
  });

  it('refuses a matrix CSV that is missing or has no rows', async () => {
    const text = `name: w\nmatrix:\n  from: mols.csv\nsteps:\n  a:\n${ECHO}`;
    expect(await failure(text)).toMatch(/^wf\.yaml:3: matrix\.from: cannot read \/.*mols\.csv$/);
    expect(await failure(text, [], { 'mols.csv': 'name,smiles\n' })).toBe(
      'wf.yaml:3: matrix.from: mols.csv has no rows',
    );
    expect(await failure(text, [], { 'mols.csv': 'name,smiles\nw,O\nw,C\n' })).toBe(
      'mols.csv:3: name "w" is also on line 2',
    );
  });

  it('checks the calcs known before running for every instance, naming the instance', async () => {
    const text = `name: w
matrix:
  charge: [0, 1]
steps:
  a:
    program: xtb
    atoms: [[O, 0, 0, 0], [H, 0.96, 0, 0], [H, -0.24, 0.93, 0]]
    charge: \${{ matrix.charge }}
`;
    expect(await failure(text)).toMatch(
      /^wf\.yaml:6: steps\.a \[instance charge=1\]: molecule\.multiplicity: 9 electrons \(charge 1\) cannot have multiplicity 1/,
    );
  });

  it('refuses an expression that does not parse, naming its line', async () => {
    const text = `name: w\nsteps:\n  a:\n    program: command\n    argv: [echo, "\${{ 1 + }}"]\n`;
    expect(await failure(text)).toMatch(/^wf\.yaml:5: steps\.a\.argv\[1\]: .*column/);
  });

  it('names every mistake of the steps’ expressions and programs at once, one line each', async () => {
    const text = `name: w
steps:
  a:
    program: xtb
    task: optimize
    atoms: [[He, 0, 0, 0]]
  b:
    needs: [a]
    program: psi5
    molecule: \${{ steps.a.result.geometri }}
  c:
    program: command
    argv: [echo, '\${{ params.x }}']
`;
    expect((await failure(text)).split('\n')).toEqual([
      expect.stringMatching(
        /^wf\.yaml:10: steps\.b\.molecule: steps\.a\.result\.geometri: xtb optimize returns no geometri/,
      ),
      expect.stringMatching(
        /\/wf\.yaml:9: steps\.b\.program: unknown program "psi5"; known: mopac, xtb/,
      ),
      expect.stringMatching(
        /\/wf\.yaml:13: steps\.c\.argv\[1\]: params\.x: no such param; params: none$/,
      ),
    ]);
  });
});
