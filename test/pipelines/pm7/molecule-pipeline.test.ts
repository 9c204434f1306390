import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../src/chem/csv.js';
import type { Atom } from '../../../src/chem/molecule.js';
import { parseXyz } from '../../../src/chem/xyz.js';
import type { CalcSpec, JsonValue } from '../../../src/core/calc-spec.js';
import { calcWorkdir, campaignPaths } from '../../../src/core/campaign-layout.js';
import type { FailureClass } from '../../../src/core/failure.js';
import { atomsJson } from '../../../src/engines/spec-checks.js';
import type { MoleculeDetail } from '../../../src/pipelines/pm7/molecule-detail.js';
import { runMoleculePipeline } from '../../../src/pipelines/pm7/molecule-pipeline.js';
import type { RequestCalc } from '../../../src/runtime/calc-request.js';
import { realFixture } from '../../engines/real-fixtures.js';
import {
  cleanupTempDirs,
  hasProgram,
  REPO_ROOT,
  runCli,
  tempCampaign,
  tempDir,
  withStore,
} from '../../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** A calc's scripted failure, as the request gives it back. */
const failed = (failureClass: FailureClass, message: string, keyChar = 'b') =>
  Promise.resolve({
    status: 'failed' as const,
    key: keyChar.repeat(64),
    cached: false,
    failure: { class: failureClass, message },
  });

const real = (name: string): Atom[] => [
  ...(parseXyz(realFixture('bond-graph', `${name}.xyz`))[0]?.atoms ?? []),
];

const RAD1 = {
  mol_id: 'RAD1',
  smiles: '[O]Cc1ccccc1C=O',
  charge: 0,
  multiplicity: 2,
  nrotbonds: 2,
  batch_id: null,
};
const SETTINGS = {
  crest_timeout_min: 1,
  mopac_timeout_min: 1,
  max_conformers: 5,
  crest: false,
  cores: 1,
  mopac_keywords: ['PRECISE'],
  obabel_seed: 1,
  dynamics: true,
};

describe('the PM7 pipeline of one molecule, scripted', () => {
  it('fails the molecule as topology_changed when the 3D start is not bonded as the SMILES', async () => {
    const specs: CalcSpec[] = [];
    // Open Babel's answer replaced by a geometry whose aldehyde H sits on the alkoxy O.
    const request: RequestCalc = (spec) => {
      specs.push(spec);
      return Promise.resolve({
        status: 'succeeded',
        key: 'a'.repeat(64),
        cached: false,
        programVersion: '3.1.1',
        result: { geometry: atomsJson(real('rad1_xtb_h_migrated')) },
      });
    };
    const outcome = await runMoleculePipeline(
      RAD1,
      SETTINGS,
      request,
      campaignPaths(tempDir('retort-pm7-')),
      () => undefined,
    );
    expect(outcome.interrupted).toBe(false);
    if (outcome.interrupted) return;
    expect(outcome.ok).toBe(false);
    expect(specs.map((s) => `${s.program} ${s.task}`)).toEqual(['obabel gen3d']);
    expect(outcome.detail.error_message).toBe(
      'topology_changed: the Open Babel 3D start is bonded otherwise than the SMILES: O1 carries 1 H, the SMILES 0; C9 carries 0 H, the SMILES 1',
    );
    expect(outcome.detail.topology_rejections).toEqual([
      {
        code: 'TOPOLOGY_CHANGED',
        check: 'start_vs_smiles',
        conformer: null,
        changes: ['O1 carries 1 H, the SMILES 0', 'C9 carries 0 H, the SMILES 1'],
      },
    ]);
  });

  it('records a MOPAC result whose bonds changed as a topology rejection, and the molecule is not OK', async () => {
    const start = real('rad1_gen3d');
    const request: RequestCalc = (spec) => {
      if (spec.program === 'obabel' && spec.task === 'gen3d') {
        return Promise.resolve({
          status: 'succeeded',
          key: 'a'.repeat(64),
          cached: false,
          programVersion: '3.1.1',
          result: { geometry: atomsJson(start) },
        });
      }
      if (spec.program === 'mopac') {
        return failed(
          'topology_changed',
          "MOPAC's optimised geometry is another species: H17 moved from C9 to O1",
          'c',
        );
      }
      // The conformer search: Open Babel fails, xtb gives the start back.
      if (spec.program === 'obabel') {
        return failed('crash', 'no conformers');
      }
      return Promise.resolve({
        status: 'succeeded',
        key: 'd'.repeat(64),
        cached: false,
        programVersion: '6.5.1',
        result: { geometry: atomsJson(start), total_energy_hartree: -28.7 },
      });
    };
    const outcome = await runMoleculePipeline(
      RAD1,
      SETTINGS,
      request,
      campaignPaths(tempDir('retort-pm7-')),
      () => undefined,
    );
    if (outcome.interrupted) throw new Error('interrupted');
    expect(outcome.ok).toBe(false);
    expect(outcome.detail.error_message).toMatch(/^topology_changed: MOPAC's optimised geometry/);
    expect(outcome.detail.topology_rejections).toEqual([
      {
        code: 'TOPOLOGY_CHANGED',
        check: 'mopac_vs_input',
        conformer: 1,
        changes: ["MOPAC's optimised geometry is another species: H17 moved from C9 to O1"],
      },
    ]);
    expect(outcome.detail.issues).toContainEqual({
      code: 'TOPOLOGY_CHANGED',
      message:
        "conformer 1: PM7 TOPOLOGY_CHANGED: MOPAC's optimised geometry is another species: H17 moved from C9 to O1",
    });
  });

  it('optimises the X–H rotamers of the most stable PM7 result and keeps the lowest', async () => {
    const start = real('glycine_gen3d');
    const optimised = real('glycine_xtb');
    const mopac: CalcSpec[] = [];
    const request: RequestCalc = (spec) => {
      const ok = (result: Record<string, JsonValue>) =>
        Promise.resolve({
          status: 'succeeded' as const,
          key: String(mopac.length).padStart(64, '0'),
          cached: false,
          programVersion: 'scripted',
          result,
        });
      if (spec.program === 'obabel' && spec.task === 'gen3d') {
        return ok({ geometry: atomsJson(start) });
      }
      if (spec.program === 'obabel') {
        return failed('crash', 'no conformers');
      }
      if (spec.program === 'xtb') {
        return ok({ geometry: atomsJson(optimised), total_energy_hartree: -20.1 });
      }
      mopac.push(spec);
      const label = spec.label ?? '';
      if (label.endsWith('X–H rotamer 2')) {
        return failed('scf_not_converged', 'scripted', 'e');
      }
      const hof = label.endsWith('conformer 1') ? -95 : label.endsWith('rotamer 3') ? -97.5 : -94;
      return ok({
        geometry: atomsJson(spec.molecule?.atoms ?? []),
        heat_of_formation_kcal_mol: hof,
      });
    };
    const outcome = await runMoleculePipeline(
      {
        mol_id: 'GLY',
        smiles: 'NCC(=O)O',
        charge: 0,
        multiplicity: 1,
        nrotbonds: 2,
        batch_id: null,
      },
      { ...SETTINGS, dynamics: false },
      request,
      campaignPaths(tempDir('retort-pm7-')),
      () => undefined,
    );
    if (outcome.interrupted) throw new Error('interrupted');
    // COOH syn/anti × NH2's three orientations, less the geometry itself.
    expect(mopac.map((s) => s.label)).toEqual([
      'GLY conformer 1',
      ...[1, 2, 3, 4, 5].map((n) => `GLY X–H rotamer ${n}`),
    ]);
    // Only the hydroxyl and amino hydrogens moved, and each rotamer is another orientation.
    const base = mopac[0]?.molecule?.atoms ?? [];
    const moved = (atoms: readonly Atom[]) =>
      atoms.flatMap((a, i) => (JSON.stringify(a) === JSON.stringify(base[i]) ? [] : [i]));
    const signatures = new Set<string>();
    for (const spec of mopac.slice(1)) {
      const atoms = spec.molecule?.atoms ?? [];
      const changed = moved(atoms);
      expect(changed.length).toBeGreaterThan(0);
      for (const i of changed) expect(atoms[i]?.element).toBe('H');
      signatures.add(JSON.stringify(atoms));
    }
    expect(signatures.size).toBe(5);
    const d = outcome.detail;
    expect(outcome.ok).toBe(true);
    expect(d.most_stable_hof).toBe(-97.5);
    expect(d.num_conformers_selected).toBe(1);
    expect(d.conformers.map((c) => [c.index, c.search_status, c.mopac_status])).toEqual([
      [1, 'OK', 'SUCCESS'],
      [2, 'XH_ROTAMER', 'SUCCESS'],
      [3, 'XH_ROTAMER', 'SCF_FAILED'],
      [4, 'XH_ROTAMER', 'SUCCESS'],
      [5, 'XH_ROTAMER', 'SUCCESS'],
      [6, 'XH_ROTAMER', 'SUCCESS'],
    ]);
    // A rotamer that failed is recorded with its conformer, not held against the molecule.
    expect(d.issues.filter((i) => i.code.startsWith('MOPAC_'))).toEqual([]);
    expect(d.error_message).toBeNull();
    expect(d.decisions.map((x) => x.decision)).toContain(
      'optimise 5 X–H rotamers of the most stable conformer in PM7',
    );
  });

  it("asks Open Babel for the start and the conformers with the batch's seed", async () => {
    const start = real('rad1_gen3d');
    const seeds: unknown[] = [];
    const request: RequestCalc = (spec) => {
      if (spec.program === 'obabel')
        seeds.push(`${spec.task} ${JSON.stringify(spec.options?.seed)}`);
      if (spec.program === 'obabel' && spec.task === 'gen3d') {
        return Promise.resolve({
          status: 'succeeded',
          key: 'a'.repeat(64),
          cached: false,
          programVersion: '3.1.1',
          result: { geometry: atomsJson(start) },
        });
      }
      return failed('crash', 'scripted');
    };
    await runMoleculePipeline(
      RAD1,
      { ...SETTINGS, obabel_seed: 17 },
      request,
      campaignPaths(tempDir('retort-pm7-')),
      () => undefined,
    );
    expect(seeds).toEqual(['gen3d 17', 'conformers 17']);
  });
});

const live = hasProgram('obabel') && hasProgram('xtb') && hasProgram('mopac');

describe.skipIf(!live)(
  'the PM7 pipeline on radicals whose H migrates under GFN2-xTB (live)',
  () => {
    it('keeps [O]Cc1ccccc1C=O and [O]Cc1ccccc1O intact: HOF ≥ −10 and ≥ −27 kcal/mol, never −34 or −42', () => {
      const dir = tempCampaign();
      writeFileSync(
        join(dir, 'rad.csv'),
        'mol_id,smiles,charge,multiplicity\nRAD1,[O]Cc1ccccc1C=O,0,2\nRAD2,[O]Cc1ccccc1O,0,2\n',
      );
      expect(runCli(['import', 'rad.csv'], { cwd: dir }).status).toBe(0);
      const r = runCli(
        ['batch', 'run', '--size', '2', '--workers', '1', '--cores', '1', '--headless'],
        { cwd: dir },
      );
      expect(r.status, r.stderr).toBe(0);
      const detail = (id: string): MoleculeDetail =>
        JSON.parse(readFileSync(join(dir, 'details', `${id}.json`), 'utf8')) as MoleculeDetail;
      const rad1 = detail('RAD1');
      const rad2 = detail('RAD2');
      expect(rad1.status).toBe('OK');
      expect(rad2.status).toBe('OK');
      expect(rad1.most_stable_hof).toBeGreaterThanOrEqual(-10);
      expect(rad2.most_stable_hof).toBeGreaterThanOrEqual(-27);
      // Every HOF kept is the intact radical's, not the rearranged species'.
      for (const c of [...rad1.conformers, ...rad2.conformers]) {
        if (c.energy_hof !== null) expect(c.energy_hof).toBeGreaterThan(-30);
      }
      for (const rejection of [
        ...(rad1.topology_rejections ?? []),
        ...(rad2.topology_rejections ?? []),
      ]) {
        expect(rejection.code).toBe('TOPOLOGY_CHANGED');
        expect(rejection.changes.length).toBeGreaterThan(0);
      }
    }, 600_000);
  },
);

describe.skipIf(!live)('the PM7 pipeline is reproducible across campaigns (live)', () => {
  // The CSV columns that hold when and how long, not what was computed.
  const TIMES = new Set([
    'timestamp',
    'crest_time',
    'total_execution_time',
    'actual_crest_timeout_used',
    'actual_mopac_timeout_used',
  ]);
  const MOLECULES = ['MOL00039', 'MOL00057', 'MOL00083']; // ethyl radical, acetic acid, 1-butanol

  const campaign = (): string => {
    const dir = tempCampaign();
    copyFileSync(join(REPO_ROOT, 'examples', 'sample-dataset.csv'), join(dir, 'sample.csv'));
    expect(runCli(['import', 'sample.csv'], { cwd: dir }).status).toBe(0);
    const r = runCli(
      [
        'batch',
        'run',
        '--molecules',
        MOLECULES.join(','),
        '--workers',
        '1',
        '--cores',
        '1',
        '--headless',
      ],
      { cwd: dir },
    );
    expect(r.status, r.stderr).toBe(0);
    return dir;
  };
  const results = (dir: string): string[][] => {
    const table = parseCsv(
      readFileSync(join(dir, 'exports', 'crest_pm7_batch_status.csv'), 'utf8'),
    );
    const keep = table.header.flatMap((name, i) => (TIMES.has(name) ? [] : [i]));
    return [
      keep.map((i) => table.header[i] ?? ''),
      ...table.rows
        .filter((r) => MOLECULES.includes(r.cells[0] ?? ''))
        .map((r) => keep.map((i) => r.cells[i] ?? '')),
    ];
  };
  // Every Open Babel calc: its key, seed and the file it wrote.
  const obabelCalcs = (dir: string): string[] =>
    withStore(dir, (db) =>
      db
        .prepare(`SELECT key, task, spec_json FROM calcs WHERE program = 'obabel' ORDER BY key`)
        .all()
        .map((row) => {
          const { key, task, spec_json } = row as { key: string; task: string; spec_json: string };
          const seed = (JSON.parse(spec_json) as CalcSpec).options?.seed;
          const file = task === 'gen3d' ? 'output.xyz' : 'conformers.xyz';
          const text = readFileSync(join(calcWorkdir(campaignPaths(dir), key), file), 'utf8');
          return `${key} ${task} seed ${JSON.stringify(seed)}\n${text}`;
        }),
    );

  it('gives bit-identical CSV result columns, starts, conformer sets and ensembles in two fresh campaigns', () => {
    const a = campaign();
    const b = campaign();
    const rows = results(a);
    expect(rows).toHaveLength(MOLECULES.length + 1);
    expect(rows.slice(1).map((r) => r[rows[0]?.indexOf('status') ?? -1])).toEqual([
      'OK',
      'OK',
      'OK',
    ]);
    expect(results(b)).toEqual(rows);
    const calcs = obabelCalcs(a);
    expect(calcs).toHaveLength(2 * MOLECULES.length);
    for (const calc of calcs) expect(calc).toMatch(/^\S+ (gen3d|conformers) seed 1\n/);
    expect(obabelCalcs(b)).toEqual(calcs);
    for (const id of MOLECULES) {
      const ensemble = join('details', 'ensembles', `${id}.xyz`);
      expect(readFileSync(join(b, ensemble), 'utf8')).toBe(readFileSync(join(a, ensemble), 'utf8'));
    }
  }, 1_800_000);
});
