import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  cleanupTempDirs,
  fileLines,
  hasProgram,
  runCli,
  tempCampaign,
  tempDir,
  withStore,
} from '../helpers/cli.js';
import {
  largestBandDifference,
  printedBandEnergies,
  pwByHand,
  SI_PRIMITIVE_CIF,
} from '../helpers/pw-by-hand.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const ETHANOL_XYZ = join(REPO_ROOT, 'test', 'fixtures', 'real', 'openbabel', 'ethanol.xyz');
const noMopac = !hasProgram('mopac');
const noXtb = !hasProgram('xtb');
const noObabel = !hasProgram('obabel');
const noPw = !hasProgram('pw.x');
const noNwchem = !hasProgram('nwchem');

/** What `retort calc --json` prints. */
interface CalcJson {
  readonly key: string | null;
  readonly cached: boolean;
  readonly program: string;
  readonly task: string;
  readonly status: string;
  readonly result: {
    readonly heat_of_formation_kcal_mol?: number;
    readonly total_energy_hartree?: number;
    readonly geometry?: readonly { element: string; x: number; y: number; z: number }[];
    readonly total_energy_ry?: number;
    readonly shieldings_ppm?: readonly { element: string; isotropic_ppm: number }[];
    readonly band_energies_ev?: readonly (readonly number[])[];
  } | null;
  readonly failure: { readonly class: string; readonly message: string } | null;
  readonly message: string | null;
  readonly workdir: string | null;
}

function calcJson(dir: string, args: readonly string[]): CalcJson {
  const r = runCli(['calc', ...args, '--json'], { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as CalcJson;
}

/** MOPAC run by hand on the same start geometry: the reference heat of formation. */
function mopacDirectly(xyzFile: string): number {
  const dir = tempDir('retort-mopac-ref-');
  const atoms = readFileSync(xyzFile, 'utf8').trim().split('\n').slice(2);
  const body = atoms.map((l) => {
    const [el, x, y, z] = l.trim().split(/\s+/);
    return `${el ?? ''} ${x ?? ''} 1 ${y ?? ''} 1 ${z ?? ''} 1`;
  });
  writeFileSync(join(dir, 'ethanol.mop'), ['PM7', 'ethanol by hand', '', ...body, ''].join('\n'));
  execFileSync('/usr/bin/mopac', ['ethanol.mop'], { cwd: dir, stdio: 'ignore', timeout: 120_000 });
  const out = readFileSync(join(dir, 'ethanol.out'), 'utf8');
  const m = /FINAL HEAT OF FORMATION =\s+(-?\d+\.\d+)/.exec(out);
  if (m?.[1] === undefined)
    throw new Error('no FINAL HEAT OF FORMATION in the hand-made MOPAC run');
  return Number(m[1]);
}

/** The input files (name → text) of the attempts of the calcs of one program. */
function storedInputs(
  dir: string,
  program: string,
): { key: string; inputs: Record<string, string> }[] {
  return withStore(dir, (db) =>
    (
      db
        .prepare(
          `SELECT a.calc_key AS key, a.inputs_json AS inputs FROM attempts a
           JOIN calcs c ON c.key = a.calc_key WHERE c.program = ? ORDER BY a.submitted_at`,
        )
        .all(program) as { key: string; inputs: string }[]
    ).map((r) => ({ key: r.key, inputs: JSON.parse(r.inputs) as Record<string, string> })),
  );
}

describe('retort calc with MOPAC (live)', () => {
  it.skipIf(noMopac)(
    'optimises ethanol from an XYZ file to the heat of formation MOPAC gives when run by hand',
    () => {
      const dir = tempCampaign();
      const out = calcJson(dir, [
        '--program',
        'mopac',
        '--method',
        'PM7',
        '--task',
        'optimize',
        '--xyz',
        ETHANOL_XYZ,
      ]);
      expect(out.key).toMatch(/^[0-9a-f]{64}$/);
      expect(out.cached).toBe(false);
      expect(out.program).toBe('mopac');
      expect(out.status).toBe('succeeded');
      const hof = out.result?.heat_of_formation_kcal_mol;
      expect(typeof hof).toBe('number');
      expect(out.result?.geometry).toHaveLength(9);
      expect(Math.abs((hof ?? NaN) - mopacDirectly(ETHANOL_XYZ))).toBeLessThan(0.3);
    },
    180_000,
  );

  it.skipIf(noMopac)(
    'answers the identical calc from the store without starting MOPAC again',
    () => {
      const dir = tempCampaign();
      const counter = join(dir, 'mopac-starts.txt');
      const wrapper = join(dir, 'mopac-wrapper.sh');
      writeFileSync(wrapper, `#!/bin/sh\necho started >> '${counter}'\nexec /usr/bin/mopac "$@"\n`);
      chmodSync(wrapper, 0o755);
      const settings = join(dir, 'retort.yaml');
      const text = readFileSync(settings, 'utf8');
      expect(text).toMatch(/^programs: \{\}/m);
      writeFileSync(
        settings,
        text.replace(/^programs: \{\}.*$/m, `programs:\n  mopac: ${wrapper}`),
      );

      const args = [
        '--program',
        'mopac',
        '--method',
        'PM7',
        '--task',
        'optimize',
        '--xyz',
        ETHANOL_XYZ,
      ];
      const first = calcJson(dir, args);
      expect(first.cached).toBe(false);
      expect(first.status).toBe('succeeded');
      expect(fileLines(counter)).toHaveLength(1);

      const second = calcJson(dir, args);
      expect(second.cached).toBe(true);
      expect(second.status).toBe('succeeded');
      expect(second.key).toBe(first.key);
      expect(second.result).toEqual(first.result);
      expect(fileLines(counter)).toHaveLength(1);
      // The exact command line stored is the wrapper actually run, not the bare program name.
      const argv = withStore(dir, (db) =>
        db.prepare(`SELECT argv_json FROM attempts WHERE calc_key = ?`).pluck().all(first.key),
      ) as string[];
      expect(argv).toHaveLength(1);
      expect((JSON.parse(argv[0] ?? '[]') as string[])[0]).toBe(wrapper);
    },
    180_000,
  );

  it.skipIf(noMopac || noObabel)(
    'runs a radical given --multiplicity 2 as a doublet, in the stored input and the calc directory',
    () => {
      expectMopacInputLine(['--smiles', '[CH3]', '--multiplicity', '2'], /\bDOUBLET\b/);
    },
    180_000,
  );

  it.skipIf(noMopac || noObabel)(
    'runs [O][O] without --multiplicity as the triplet its SMILES states, UHF, at -9.17 kcal/mol',
    () => {
      const dir = tempCampaign();
      const out = calcJson(dir, [
        '--program',
        'mopac',
        '--method',
        'PM7',
        '--task',
        'optimize',
        '--smiles',
        '[O][O]',
      ]);
      expect(out.status).toBe('succeeded');
      expect(Math.abs((out.result?.heat_of_formation_kcal_mol ?? NaN) + 9.17)).toBeLessThan(0.05);
      const input = storedInputs(dir, 'mopac')[0]?.inputs['input.mop'] ?? '';
      expect(input.split('\n')[0]).toMatch(/\bUHF TRIPLET\b/);
    },
    180_000,
  );

  it.skipIf(noMopac || noObabel)(
    'takes the charge of an anion from its SMILES (CHARGE=-1)',
    () => {
      expectMopacInputLine(['--smiles', 'CC(=O)[O-]'], /\bCHARGE=-1\b/);
    },
    180_000,
  );

  it('refuses a stated multiplicity of the wrong parity for the SMILES before anything runs, exit status 2', () => {
    const dir = tempCampaign();
    const r = runCli(
      ['calc', '--program', 'mopac', '--method', 'PM7', '--smiles', '[CH3]', '--multiplicity', '1'],
      { cwd: dir },
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^retort: --multiplicity: 9 electrons \(charge 0\) cannot have multiplicity 1.*check the multiplicity against the SMILES/,
    );
    // Not even the Open Babel geometry ran.
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM calcs').pluck().get())).toBe(0);
    expect(readdirSync(join(dir, 'work'))).toEqual([]);
  });

  it('refuses more unpaired electrons than the structure holds (septet O2) before anything runs', () => {
    const dir = tempCampaign();
    const r = runCli(['calc', '--program', 'mopac', '--smiles', '[O][O]', '--multiplicity', '7'], {
      cwd: dir,
    });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^retort: --multiplicity: multiplicity 7 needs 6 unpaired electrons, but the valence shells of these atoms hold at most 4.*check the multiplicity/,
    );
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM calcs').pluck().get())).toBe(0);
  });

  it('refuses a charge that leaves an impossible spin, before anything runs', () => {
    const dir = tempCampaign();
    const r = runCli(['calc', '--program', 'xtb', '--smiles', 'CCO', '--charge', '1'], {
      cwd: dir,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^retort: --multiplicity: 25 electrons \(charge 1\)/);
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM calcs').pluck().get())).toBe(0);
  });
});

describe('retort calc with xtb (live)', () => {
  it.skipIf(noXtb || noObabel)(
    'optimises ethanol from SMILES with GFN2 to its total energy and geometry',
    () => {
      const dir = tempCampaign();
      const out = calcJson(dir, [
        '--program',
        'xtb',
        '--method',
        'GFN2',
        '--task',
        'optimize',
        '--smiles',
        'CCO',
      ]);
      expect(out.status).toBe('succeeded');
      expect(out.cached).toBe(false);
      expect(out.program).toBe('xtb');
      expect(out.result?.total_energy_hartree).toBeCloseTo(-11.39, 1);
      expect(Math.abs((out.result?.total_energy_hartree ?? NaN) + 11.39)).toBeLessThan(0.01);
      expect(out.result?.geometry).toHaveLength(9);
    },
    180_000,
  );
});

describe('retort calc usage errors', () => {
  it('refuses --charge x with one line naming --charge, exit status 2', () => {
    const dir = tempCampaign();
    const r = runCli(
      ['calc', '--program', 'mopac', '--method', 'PM7', '--smiles', 'C', '--charge', 'x'],
      {
        cwd: dir,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('--charge');
    expect(r.stdout).toBe('');
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM calcs').pluck().get())).toBe(0);
  });

  it('refuses an unknown program with one line naming it', () => {
    const dir = tempCampaign();
    const r = runCli(['calc', '--program', 'gaussian99', '--smiles', 'C'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('gaussian99');
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM calcs').pluck().get())).toBe(0);
  });
});

const REAL = join(REPO_ROOT, 'test', 'fixtures', 'real');

/** The first number a pattern captures in a real fixture output. */
function fixtureNumber(file: string, pattern: RegExp): number {
  const m = pattern.exec(readFileSync(join(REAL, file), 'utf8'));
  if (m?.[1] === undefined) throw new Error(`${file} has no ${String(pattern)}`);
  return Number(m[1]);
}

describe('retort calc with engine options and a crystal (live; a test is skipped when pw.x or nwchem is not installed)', () => {
  it.skipIf(noPw)(
    'runs a pw.x scf of silicon from a CIF with --option cutoff and k-grid, to the fixture energy',
    () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'si.cif'), SI_PRIMITIVE_CIF);
      const out = calcJson(dir, [
        '--program',
        'qe',
        '--task',
        'scf',
        '--structure',
        'si.cif',
        '--option',
        'ecutwfc=12',
        '-o',
        'kpoints=[4,4,4]',
      ]);
      expect(out.status).toBe('succeeded');
      // The same crystal, cutoff and grid as fixtures/real/qe/si-scf (the cell turned in space).
      const reference = fixtureNumber('qe/si-scf.out', /!\s+total energy\s+=\s+(-?\d+\.\d+) Ry/);
      expect(Math.abs((out.result?.total_energy_ry ?? NaN) - reference)).toBeLessThan(1e-5);
      const input = storedInputs(dir, 'qe')[0]?.inputs['pw.in'] ?? '';
      expect(input).toMatch(/ecutwfc = 12\n/);
      expect(input).toContain('K_POINTS automatic\n4 4 4 0 0 0');
    },
    300_000,
  );

  it.skipIf(noPw)(
    "runs pw.x bands from an scf's charge density (--option parent=KEY) to the bands of pw.x run by hand on the same inputs",
    () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'si.cif'), SI_PRIMITIVE_CIF);
      const common = ['--program', 'qe', '--structure', 'si.cif', '-o', 'ecutwfc=12'];
      const scf = calcJson(dir, [...common, '--task', 'scf', '-o', 'kpoints=[4,4,4]']);
      expect(scf.status).toBe('succeeded');
      const bandsArgs = [...common, '--task', 'bands', '-o', `parent=${scf.key ?? ''}`];
      const bands = calcJson(dir, [...bandsArgs, '-o', 'kpath_density=5']);
      expect(bands.status, bands.message ?? '').toBe('succeeded');
      const energies = bands.result?.band_energies_ev ?? [];
      expect(energies.length).toBeGreaterThan(10);
      // The parent's out/ was copied, not linked: the bands' directory has its own.
      expect(bands.workdir).not.toBeNull();
      const copied = join(bands.workdir ?? '', 'out', 'retort.save', 'charge-density.dat');
      expect(lstatSync(copied).isFile()).toBe(true);

      // pw.x by hand: the two stored inputs, one after the other in one directory.
      const inputs = storedInputs(dir, 'qe');
      expect(inputs.map((i) => i.key)).toEqual([scf.key, bands.key]);
      const printed = pwByHand(inputs.map(({ inputs: files }) => files['pw.in'] ?? ''));
      const byHand = printedBandEnergies(printed[1] ?? '');
      expect(byHand).toHaveLength(energies.length);
      expect(largestBandDifference(byHand, energies)).toBeLessThanOrEqual(1e-4);
    },
    300_000,
  );

  it.skipIf(noPw)(
    'fails a bands calc whose parent is not in the campaign as input_error, without running pw.x',
    () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'si.cif'), SI_PRIMITIVE_CIF);
      const r = runCli(
        [
          'calc',
          '--program',
          'qe',
          '--task',
          'bands',
          '--structure',
          'si.cif',
          '-o',
          `parent=${'ab'.repeat(32)}`,
          '--json',
        ],
        { cwd: dir },
      );
      expect(r.status).toBe(1);
      const out = JSON.parse(r.stdout) as CalcJson;
      expect(out.status).toBe('failed');
      expect(out.failure?.class).toBe('input_error');
      expect(out.failure?.message).toContain(
        `parent calc ${'ab'.repeat(6)} is not in this campaign`,
      );
      expect(existsSync(join(dir, 'work', out.key?.slice(0, 2) ?? '', out.key ?? ''))).toBe(false);
    },
  );

  it.skipIf(noNwchem)(
    'runs NWChem GIAO shieldings of methane in chloroform with --option solvent=chcl3',
    () => {
      const dir = tempCampaign();
      const h = 0.629118;
      writeFileSync(
        join(dir, 'methane.xyz'),
        [
          '5',
          'methane',
          'C 0.0 0.0 0.0',
          `H ${h} ${h} ${h}`,
          `H ${-h} ${-h} ${h}`,
          `H ${-h} ${h} ${-h}`,
          `H ${h} ${-h} ${-h}`,
          '',
        ].join('\n'),
      );
      const out = calcJson(dir, [
        '--program',
        'nwchem',
        '--task',
        'nmr',
        '--method',
        'B3LYP',
        '--basis',
        '6-31G*',
        '--xyz',
        'methane.xyz',
        '--option',
        'solvent=chcl3',
      ]);
      expect(out.status).toBe('succeeded');
      const carbon = out.result?.shieldings_ppm?.find((s) => s.element === 'C');
      const reference = fixtureNumber('nwchem/methane_nmr_chcl3.out', /isotropic =\s+(-?\d+\.\d+)/);
      expect(reference).toBeCloseTo(195.37, 2);
      expect(Math.abs((carbon?.isotropic_ppm ?? NaN) - reference)).toBeLessThan(0.01);
      const input = storedInputs(dir, 'nwchem')[0]?.inputs ?? {};
      expect(Object.values(input).join('\n')).toMatch(/solvent chcl3/);
    },
    300_000,
  );
});

describe('retort calc and calc lists refuse malformed options and structures', () => {
  /** Exit 2, one line on stderr containing every `parts`, and nothing in the store. */
  function refused(dir: string, args: readonly string[], ...parts: string[]): void {
    const r = runCli(args, { cwd: dir });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    for (const part of parts) expect(r.stderr).toContain(part);
    expect(r.stdout).toBe('');
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM calcs').pluck().get())).toBe(0);
  }

  it('refuses an --option without =, naming --option', () => {
    const dir = tempCampaign();
    refused(
      dir,
      ['calc', '--program', 'nwchem', '--task', 'nmr', '--smiles', 'C', '--option', 'foo'],
      '--option',
      'expected KEY=VALUE, found "foo"',
    );
  });

  it('refuses --structure together with --smiles', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'si.cif'), SI_PRIMITIVE_CIF);
    refused(
      dir,
      ['calc', '--program', 'qe', '--task', 'scf', '--structure', 'si.cif', '--smiles', 'C'],
      '--smiles',
      'not --smiles and --structure',
    );
  });

  it('refuses a CIF it cannot read, naming the CIF and its line', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'bad.cif'),
      SI_PRIMITIVE_CIF.replace('_cell_angle_beta 60', '_cell_angle_beta sixty'),
    );
    refused(
      dir,
      ['calc', '--program', 'qe', '--task', 'scf', '--structure', 'bad.cif'],
      '--structure',
      'bad.cif:6: expected a number, got "sixty"',
    );
  });

  it('refuses a calc list whose second line has a malformed inline structure; line 1 does not run', () => {
    const dir = tempCampaign();
    const good = { program: 'command', argv: ['echo', 'hello'] };
    const bad = {
      program: 'qe',
      task: 'scf',
      structure: {
        cell: [
          [0, 2.715, 2.715],
          [2.715, 0, 2.715],
        ],
        sites: [{ element: 'Si', fractional: [0, 0, 0] }],
      },
    };
    writeFileSync(join(dir, 'calcs.jsonl'), `${JSON.stringify(good)}\n${JSON.stringify(bad)}\n`);
    refused(dir, ['run', 'calcs.jsonl', '--headless'], 'calcs.jsonl:2: structure.cell: expected');
  });
});

/**
 * Runs a PM7 calc and checks the keyword line of the input really used: the one stored with
 * the attempt, which is also the file left in the calc directory.
 */
function expectMopacInputLine(args: readonly string[], pattern: RegExp): void {
  const dir = tempCampaign();
  const out = calcJson(dir, ['--program', 'mopac', '--method', 'PM7', ...args]);
  expect(out.status).toBe('succeeded');
  const mopac = storedInputs(dir, 'mopac');
  expect(mopac).toHaveLength(1);
  const input = mopac[0]?.inputs['input.mop'] ?? '';
  expect(input.split('\n')[0]).toMatch(pattern);
  const key = mopac[0]?.key ?? '';
  expect(key).toBe(out.key);
  expect(readFileSync(join(dir, 'work', key.slice(0, 2), key, 'input.mop'), 'utf8')).toBe(input);
}
