import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBatch } from '../../src/pipelines/pm7/batch-lifecycle.js';
import { openCampaign } from '../../src/runtime/campaign.js';
import { cleanupTempDirs, hasProgram, runCli, tempCampaign, withStore } from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const WATER = [
  ['O', 0, 0, 0.117],
  ['H', 0, 0.757, -0.469],
  ['H', 0, -0.757, -0.469],
];
const METHANOL = [
  ['C', -0.046, 0.663, 0],
  ['O', -0.046, -0.758, 0],
  ['H', -1.086, 0.975, 0],
  ['H', 0.437, 1.08, 0.886],
  ['H', 0.437, 1.08, -0.886],
  ['H', 0.868, -1.053, 0],
];

interface EstimateJson {
  readonly rows: { label: string; program: string; predicted_s: number; source: string }[];
  readonly total_s: number;
  readonly workers: number;
  readonly wall_s: number;
}

describe.skipIf(!hasProgram('xtb'))('retort estimate (real xtb timings)', () => {
  it("predicts a calc list from the store's timings of the same method, else the heuristic", () => {
    const dir = tempCampaign();
    const xtb = (label: string, atoms: unknown) =>
      JSON.stringify({ program: 'xtb', method: 'GFN2', atoms, label });
    writeFileSync(join(dir, 'ran.jsonl'), `${xtb('water', WATER)}\n${xtb('methanol', METHANOL)}\n`);
    const ran = runCli(['run', 'ran.jsonl', '--headless'], { cwd: dir });
    expect(ran.status, ran.stderr).toBe(0);

    writeFileSync(
      join(dir, 'next.jsonl'),
      `${xtb('water again', WATER)}\n${JSON.stringify({ program: 'psi4', method: 'hf', basis: 'sto-3g', atoms: WATER, label: 'psi4 water' })}\n`,
    );
    const r = runCli(['estimate', 'next.jsonl', '--workers', '2', '--json'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout) as EstimateJson;
    expect(e.rows.map((row) => [row.label, row.program, row.source])).toEqual([
      ['water again', 'xtb', 'method'],
      ['psi4 water', 'psi4', 'heuristic'],
    ]);
    expect(e.rows.every((row) => row.predicted_s > 0)).toBe(true);
    expect(e.total_s).toBeCloseTo((e.rows[0]?.predicted_s ?? 0) + (e.rows[1]?.predicted_s ?? 0), 9);
    expect(e.wall_s).toBeCloseTo(Math.max(...e.rows.map((row) => row.predicted_s)), 9);

    const text = runCli(['estimate', 'next.jsonl', '--workers', '2'], { cwd: dir });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^calc\s+program\s+calcs\s+predicted\s+from/);
    expect(text.stdout).toMatch(/2 calcs: .* of work, about .* on 2 workers \(longest first\)/);

    const report = runCli(['report', 'timings', '--json'], { cwd: dir });
    expect(report.status, report.stderr).toBe(0);
    const rows = JSON.parse(report.stdout) as { program: string; calcs: number }[];
    expect(rows).toEqual([expect.objectContaining({ program: 'xtb', calcs: 2 })]);
    const table = runCli(['report', 'timings'], { cwd: dir });
    expect(table.stdout).toMatch(/^program\s+calcs\s+predicted\s+actual\s+actual\/predicted/);
    expect(table.stdout).toMatch(/^xtb\s+2\s/m);
    const plot = join(dir, 'exports', 'timings.svg');
    expect(table.stdout).toContain(`plot: ${plot}`);
    const svg = readFileSync(plot, 'utf8');
    expect(svg).toContain('<svg');
    // One point per calc, named in its aria-label (program, task, short key).
    expect(svg.match(/aria-label="[^"]*xtb \w+ [0-9a-f]{12}/g)).toHaveLength(2);
  });

  it('names the file that is not there', () => {
    const dir = tempCampaign();
    const r = runCli(['estimate', 'missing.jsonl'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('retort: missing.jsonl: no such file\n');
  });
});

interface EstimateRowJson {
  readonly label: string;
  readonly program: string;
  readonly task: string;
  readonly calcs: number;
  readonly predicted_s: number;
  readonly source: string;
}
interface FullEstimateJson {
  readonly rows: EstimateRowJson[];
  readonly calcs: number;
  readonly total_s: number;
  readonly workers: number;
  readonly order: string;
  readonly wall_s: number;
}

function estimateJson(dir: string, args: string[]): FullEstimateJson {
  const r = runCli(['estimate', ...args, '--json'], { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as FullEstimateJson;
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

describe.skipIf(!['obabel', 'xtb', 'mopac'].every(hasProgram))(
  'retort estimate --batch (a real PM7 batch before it)',
  () => {
    it("predicts each molecule's optimisations from the earlier molecules of its shape, in batch order", async () => {
      const dir = tempCampaign();
      // Batch 1 runs methane, methanol (an OH rotor) and pentane (2 rotatable bonds); batch 2
      // holds a molecule of each of their shapes and hexane (3 rotatable bonds, none ran).
      writeFileSync(
        join(dir, 'mols.csv'),
        ',smiles\n1,C\n2,CO\n3,CCCCC\n4,CC\n5,CCO\n6,CCOCC\n7,CCCCCC\n',
      );
      expect(runCli(['import', 'mols.csv'], { cwd: dir }).status).toBe(0);
      const ran = runCli(
        [
          'batch',
          'run',
          '--molecules',
          'MOL00001,MOL00002,MOL00003',
          '--workers',
          '2',
          '--crest-timeout',
          '5',
          '--mopac-timeout',
          '5',
        ],
        { cwd: dir },
      );
      expect(ran.status, ran.stderr).toBe(0);
      // A second batch, selected and not run (as a stopped one would be).
      const campaign = openCampaign(dir, {});
      try {
        const start = await startBatch(campaign, {
          size: 4,
          only: ['MOL00004', 'MOL00005', 'MOL00006', 'MOL00007'],
          strategy: 'rerun_first_then_easy',
          seed: 0,
          policy: 'partial_ok',
          max_retries: 3,
          workers: 2,
          crest_timeout_min: 5,
          mopac_timeout_min: 10,
          max_conformers: 5,
        });
        expect(start.kind === 'batch' && start.batch.batch_id).toBe('batch_0002');
      } finally {
        campaign.close();
      }
      // What each molecule of batch 1 ran, by the labels its pipeline gave its calcs.
      const ranBy = withStore(dir, (db) => {
        const count = (program: string, glob: string): number =>
          (
            db
              .prepare(
                `SELECT COUNT(DISTINCT c.key) AS n FROM attempts a JOIN calcs c ON c.key = a.calc_key
                 WHERE a.status = 'succeeded' AND c.program = ? AND c.task = 'optimize' AND c.label GLOB ?`,
              )
              .get(program, glob) as { n: number }
          ).n;
        const of = (id: string) => ({
          xtb: count('xtb', `${id} conformer [0-9]* xtb opt`),
          mopac: count('mopac', `${id} conformer [0-9]*`),
          xh: count('mopac', `${id} X–H rotamer [0-9]*`),
        });
        return { methane: of('MOL00001'), methanol: of('MOL00002'), pentane: of('MOL00003') };
      });
      // The shapes differ in what they ran: one campaign-wide mean cannot give each its own.
      expect(ranBy.methane).toEqual({ xtb: 1, mopac: 1, xh: 0 });
      expect(ranBy.methanol.xh).toBe(2);
      expect(ranBy.methanol.xtb).toBeGreaterThan(1);
      expect(ranBy.pentane.xtb).toBeGreaterThan(ranBy.methanol.xtb);

      const e = estimateJson(dir, ['--batch', 'batch_0002']);
      const ids = ['MOL00004', 'MOL00005', 'MOL00006', 'MOL00007'];
      // Dynamics only for 4 heavy atoms or more: diethyl ether and hexane, not ethane or ethanol.
      const dynamics = ['xtb md (xtb md)', 'md snapshots gfnff opt (xtb optimize)'];
      expect(e.rows.map((r) => `${r.label} (${r.program} ${r.task})`)).toEqual(
        ids.flatMap((id, i) =>
          [
            '3D (obabel gen3d)',
            'obabel conformers (obabel conformers)',
            ...(i >= 2 ? dynamics : []),
            'conformers xtb opt (xtb optimize)',
            'conformers PM7 (mopac optimize)',
            // Ethanol's OH, as methanol's: the PM7 minimum's X–H rotamers.
            ...(i === 1 ? ['X–H rotamers PM7 (mopac optimize)'] : []),
          ].map((calc) => `${id} ${calc}`),
        ),
      );
      // Every program, task and method ran in the first batch.
      expect(e.rows.every((r) => r.source === 'method' && r.predicted_s > 0)).toBe(true);
      const counts = (program: string): number[] =>
        e.rows
          .filter(
            (r) => r.program === program && !/(xtb md|gfnff opt|X–H rotamers PM7)$/.test(r.label),
          )
          .map((r) => r.calcs);
      // Ethane as methane, ethanol as methanol, diethyl ether as pentane (MOPAC: at most 3 by
      // its rotatable bonds); hexane by the pipeline: 20 Open Babel conformers and 15 from the dynamics, 3 to MOPAC.
      expect(counts('xtb')).toEqual([ranBy.methane.xtb, ranBy.methanol.xtb, ranBy.pentane.xtb, 35]);
      expect(counts('mopac')).toEqual([
        ranBy.methane.mopac,
        ranBy.methanol.mopac,
        Math.min(3, ranBy.pentane.mopac),
        3,
      ]);
      expect(e.rows.find((r) => r.label === 'MOL00005 X–H rotamers PM7')?.calcs).toBe(
        ranBy.methanol.xh,
      );
      expect(e.calcs).toBe(sum(e.rows.map((r) => r.calcs)));
      expect(e.total_s).toBeCloseTo(sum(e.rows.map((r) => r.predicted_s)), 9);
      expect(e.workers).toBe(2);
      expect(e.order).toBe('in order');
      // Four molecules on two workers, each one calc after another, in batch order.
      const perMolecule = ids.map((id) =>
        sum(e.rows.filter((r) => r.label.startsWith(`${id} `)).map((r) => r.predicted_s)),
      );
      let [one = 0, two = 0] = perMolecule;
      for (const next of perMolecule.slice(2)) {
        if (one <= two) one += next;
        else two += next;
      }
      expect(e.wall_s).toBeCloseTo(Math.max(one, two), 9);
      expect(estimateJson(dir, ['--batch', 'batch_0002', '--workers', '1']).wall_s).toBeCloseTo(
        e.total_s,
        9,
      );

      const text = runCli(['estimate', '--batch', 'batch_0002'], { cwd: dir });
      expect(text.stdout).toMatch(/^calc\s+program\s+calcs\s+predicted\s+from/);
      expect(text.stdout).toMatch(/\d+ calcs: .* on 2 workers \(molecules in batch order\)/);
      const done = runCli(['estimate', '--batch', 'batch_0001'], { cwd: dir });
      expect(done.stdout).toMatch(/^nothing to run\n\n0 calcs: /);
      const wrong = runCli(['estimate', '--batch', 'batch_0009'], { cwd: dir });
      expect(wrong.status).toBe(2);
      expect(wrong.stderr).toBe(
        'retort: --batch batch_0009: no such batch; the batches are batch_0001, batch_0002\n',
      );
    });

    it("leaves out a molecule's 3D geometry and conformer search that the store holds", async () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'mols.csv'), ',smiles\n1,C\n');
      expect(runCli(['import', 'mols.csv'], { cwd: dir }).status).toBe(0);
      const options = ['--crest-timeout', '5', '--mopac-timeout', '5'];
      const ran = runCli(['batch', 'run', '--size', '1', ...options], { cwd: dir });
      expect(ran.status, ran.stderr).toBe(0);
      // Methane again, in a batch of its own: its Open Babel calcs are keyed with the batch's
      // seed, as the pipeline keys them, so they come from the store; its MOPAC calc is left.
      expect(runCli(['batch', 'requeue', 'MOL00001'], { cwd: dir }).status).toBe(0);
      const campaign = openCampaign(dir, {});
      try {
        const start = await startBatch(campaign, {
          size: 1,
          strategy: 'rerun_first_then_easy',
          seed: 0,
          policy: 'partial_ok',
          max_retries: 3,
          workers: 1,
          crest_timeout_min: 5,
          mopac_timeout_min: 5,
          max_conformers: 5,
        });
        expect(start.kind === 'batch' && start.batch.batch_id).toBe('batch_0002');
      } finally {
        campaign.close();
      }
      const e = estimateJson(dir, ['--batch', 'batch_0002']);
      expect(e.rows.map((r) => `${r.label} ${r.program} ${r.task}`)).toEqual([
        'MOL00001 conformers PM7 mopac optimize',
      ]);
    });
  },
);

describe.skipIf(!['obabel', 'xtb', 'psi4'].every(hasProgram))(
  'retort estimate --workflow (a real workflow run before it)',
  () => {
    it('predicts every instance × step not in the store, each step after the steps it needs', () => {
      const dir = tempCampaign();
      writeFileSync(
        join(dir, 'wf.yaml'),
        [
          'name: chain',
          'matrix:',
          '  from: mols.csv',
          'steps:',
          '  opt: { program: xtb, task: optimize, method: GFN2, smiles: "${{ matrix.smiles }}" }',
          '  sp:',
          '    needs: [opt]',
          '    program: psi4',
          '    method: hf',
          '    basis: ${{ params.basis }}',
          '    molecule: ${{ steps.opt.result }}',
          'params:',
          '  basis: { type: string, default: sto-3g }',
          '',
        ].join('\n'),
      );
      writeFileSync(join(dir, 'mols.csv'), 'name,smiles\nwater,O\nammonia,N\n');

      const before = estimateJson(dir, ['--workflow', 'wf.yaml', '--workers', '2']);
      expect(before.rows.map((r) => [r.label, `${r.program} ${r.task}`, r.source])).toEqual(
        ['water', 'ammonia'].flatMap((m) => [
          [`chain/${m}/opt (3D from SMILES)`, 'obabel gen3d', 'heuristic'],
          [`chain/${m}/opt`, 'xtb optimize', 'heuristic'],
          [`chain/${m}/sp`, 'psi4 energy', 'heuristic'],
        ]),
      );
      // Each instance is a chain: 3D geometry, then xtb, then psi4; the chains side by side.
      const chain = sum(before.rows.slice(0, 3).map((r) => r.predicted_s));
      expect(before.wall_s).toBeCloseTo(
        Math.max(chain, sum(before.rows.slice(3).map((r) => r.predicted_s))),
        9,
      );
      expect(estimateJson(dir, ['--workflow', 'wf.yaml', '--workers', '6']).wall_s).toBeCloseTo(
        before.wall_s,
        9,
      );

      const ran = runCli(['workflow', 'run', 'wf.yaml', '--headless'], { cwd: dir });
      expect(ran.status, ran.stderr).toBe(0);
      expect(estimateJson(dir, ['--workflow', 'wf.yaml']).rows).toEqual([]);

      // A third molecule: only its calcs are to run, predicted from the first run's timings.
      writeFileSync(join(dir, 'mols.csv'), 'name,smiles\nwater,O\nammonia,N\nmethane,C\n');
      const after = estimateJson(dir, ['--workflow', 'wf.yaml', '--set', 'basis=sto-3g']);
      expect(after.rows.map((r) => [r.label, r.source])).toEqual([
        ['chain/methane/opt (3D from SMILES)', 'method'],
        ['chain/methane/opt', 'method'],
        ['chain/methane/sp', 'method'],
      ]);
      // Another basis: the psi4 step has no timings of its own basis, those of psi4 energy.
      const other = estimateJson(dir, ['--workflow', 'wf.yaml', '--set', 'basis=6-31g']);
      expect(other.rows.map((r) => [r.label, r.source])).toEqual([
        ['chain/water/sp', 'task'],
        ['chain/ammonia/sp', 'task'],
        ['chain/methane/opt (3D from SMILES)', 'method'],
        ['chain/methane/opt', 'method'],
        ['chain/methane/sp', 'task'],
      ]);

      const mixed = runCli(['estimate', 'x.jsonl', '--workflow', 'wf.yaml'], { cwd: dir });
      expect(mixed.status).toBe(2);
      expect(mixed.stderr).toBe(
        'retort: retort estimate: give one of FILE, --batch ID or --workflow FILE\n',
      );
    });
  },
);
