import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/chem/csv.js';
import { BATCH_CSV_COLUMNS } from '../../src/pipelines/pm7/exports/batch-csv.js';
import {
  cleanupTempDirs,
  hasProgram,
  runCli,
  startCli,
  tempCampaign,
  waitFor,
  withStore,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const live = hasProgram('mopac') && hasProgram('xtb') && hasProgram('obabel');

/** A small dataset in the ThermoCBS layout: unnamed index column, non-sequential indices. */
const DATASET = `,smiles,multiplicity,charge,nheavy,H298_cbs
1,C=O,1,0,2,-25.96
2,[CH3],2,0,1,35.06
5,CC(=O)[O-],1,-1,4,
7,CCCC,1,0,4,-30.02
9,xyz(,1,0,0,
`;

function importDataset(dir: string, text = DATASET): void {
  writeFileSync(join(dir, 'data.csv'), text);
  const r = runCli(['import', 'data.csv'], { cwd: dir });
  expect(r.status, r.stderr).toBe(0);
}

const FAST = ['--crest-timeout', '2', '--mopac-timeout', '2', '--workers', '2', '--headless'];

function csvRows(dir: string): { header: readonly string[]; rows: Record<string, string>[] } {
  const { header, rows } = parseCsv(
    readFileSync(join(dir, 'exports', 'crest_pm7_batch_status.csv'), 'utf8'),
  );
  return {
    header,
    rows: rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r.cells[i] ?? '']))),
  };
}

function storedMopacInputs(dir: string): { label: string; input: string }[] {
  return withStore(dir, (db) =>
    db
      .prepare<[], { label: string; inputs_json: string }>(
        `SELECT c.label, a.inputs_json FROM attempts a JOIN calcs c ON c.key = a.calc_key WHERE c.program = 'mopac'`,
      )
      .all()
      .map((r) => ({
        label: r.label,
        input: (JSON.parse(r.inputs_json) as Record<string, string>)['input.mop'] ?? '',
      })),
  );
}

describe('retort batch (live)', () => {
  it.skipIf(!live)(
    'runs a batch: CSV with the 36 columns, details per molecule, radicals as doublets, ions with their charge, invalid SMILES skipped',
    () => {
      const dir = tempCampaign();
      importDataset(dir);
      const r = runCli(['batch', 'run', '--size', '10', ...FAST], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('batch_0001');
      expect(r.stderr).toMatch(/\[\d\/4\] MOL00002 OK HOF -?\d+\.\d+ kcal\/mol/);

      const { header, rows } = csvRows(dir);
      expect(header).toEqual([...BATCH_CSV_COLUMNS]);
      expect(rows.map((row) => [row.mol_id, row.status])).toEqual([
        ['MOL00001', 'OK'],
        ['MOL00002', 'OK'],
        ['MOL00005', 'OK'],
        ['MOL00007', 'OK'],
        ['MOL00009', 'Skip'],
      ]);
      const skip = withStore(dir, (db) =>
        db
          .prepare<[], { skip_reason: string }>(
            `SELECT skip_reason FROM items WHERE item_id = 'MOL00009'`,
          )
          .get(),
      );
      expect(skip?.skip_reason).toBe('INVALID_SMILES');

      const inputs = storedMopacInputs(dir);
      const radical = inputs.filter((i) => i.label.startsWith('MOL00002'));
      expect(radical.length).toBeGreaterThan(0);
      for (const i of radical) expect(i.input.split('\n')[0]).toMatch(/\bDOUBLET\b/);
      for (const i of inputs.filter((x) => x.label.startsWith('MOL00005'))) {
        expect(i.input.split('\n')[0]).toMatch(/\bCHARGE=-1\b/);
      }

      const detail = JSON.parse(readFileSync(join(dir, 'details', 'MOL00002.json'), 'utf8')) as {
        mol_id: string;
        multiplicity: number;
        quality_grade: string;
        conformers: { is_successful: boolean; energy_hof: number | null }[];
        decisions: unknown[];
      };
      expect(detail.mol_id).toBe('MOL00002');
      expect(detail.multiplicity).toBe(2);
      expect(detail.conformers.some((c) => c.is_successful)).toBe(true);
      expect(detail.decisions.length).toBeGreaterThan(0);

      const shown = runCli(['batch', 'summary', 'batch_0001'], { cwd: dir });
      expect(shown.status, shown.stderr).toBe(0);
      expect(shown.stdout).toMatch(/^batch_0001 — 4 molecules in .* \(Completed\)\n/);
      expect(r.stdout).toContain(shown.stdout);

      const again = runCli(['batch', 'run', ...FAST], { cwd: dir });
      expect(again.status).toBe(0);
      expect(again.stdout).toMatch(/nothing to run/);

      const status = runCli(['batch', 'status'], { cwd: dir });
      expect(status.stdout).toMatch(/batch_0001\s+Completed\s+4\s+0\s+0/);
      const reset = runCli(['batch', 'reset', 'batch_0001'], { cwd: dir });
      expect(reset.stdout).toContain('4 OK molecules back to Pending');
      const resume = runCli(['batch', 'resume', 'batch_0001'], { cwd: dir });
      expect(resume.status).toBe(2);
      expect(resume.stderr.trim()).toBe(
        'retort: batch_0001: is Reset; only a Running (interrupted) or Stopped batch can be resumed',
      );
      expect(runCli(['batch', 'reset', 'batch_0042'], { cwd: dir }).stderr).toContain(
        'no such batch',
      );
    },
    600_000,
  );

  it.skipIf(!live)(
    'gives a rigid molecule the heat of formation of a direct PM7 optimisation of its start geometry, within 0.5 kcal/mol',
    () => {
      const dir = tempCampaign();
      importDataset(dir, ',smiles,multiplicity,charge,nheavy,H298_cbs\n1,C=O,1,0,2,-25.96\n');
      expect(runCli(['batch', 'run', ...FAST], { cwd: dir }).status).toBe(0);
      const { geometry, hof } = withStore(dir, (db) => {
        const gen3d = db
          .prepare<[], { result_json: string }>(
            `SELECT result_json FROM calcs WHERE program = 'obabel' AND task = 'gen3d'`,
          )
          .get();
        const mol = db
          .prepare<[], { most_stable_hof_kcal_mol: number }>(
            `SELECT json_extract(result_json, '$.most_stable_hof_kcal_mol') AS most_stable_hof_kcal_mol FROM items`,
          )
          .get();
        return {
          geometry: (
            JSON.parse(gen3d?.result_json ?? '{}') as {
              geometry: { element: string; x: number; y: number; z: number }[];
            }
          ).geometry,
          hof: mol?.most_stable_hof_kcal_mol,
        };
      });
      const work = mkdtempSync(join(tmpdir(), 'retort-direct-'));
      const atoms = geometry.map((a) => `${a.element} ${a.x} 1 ${a.y} 1 ${a.z} 1`).join('\n');
      writeFileSync(join(work, 'direct.mop'), `PM7 PRECISE\nformaldehyde, direct\n\n${atoms}\n`);
      execFileSync('mopac', ['direct.mop'], { cwd: work, stdio: 'ignore' });
      const direct = Number(
        /FINAL HEAT OF FORMATION =\s+(-?\d+\.\d+)/.exec(
          readFileSync(join(work, 'direct.out'), 'utf8'),
        )?.[1],
      );
      expect(Number.isFinite(direct)).toBe(true);
      expect(Math.abs((hof ?? Number.NaN) - direct)).toBeLessThanOrEqual(0.5);
    },
    300_000,
  );

  it.skipIf(!live)(
    'adds GFN-FF dynamics to the search of a molecule with a torsion, and not with --no-dynamics',
    () => {
      const dir = tempCampaign();
      importDataset(
        dir,
        ',smiles,multiplicity,charge,nheavy,H298_cbs\n1,CCCC,1,0,4,-30.0\n2,CCCO,1,0,4,-61.0\n',
      );
      const dynamics = (): number =>
        withStore(dir, (db) =>
          db
            .prepare(`SELECT COUNT(*) FROM calcs WHERE program = 'xtb' AND task = 'md'`)
            .pluck()
            .get(),
        ) as number;
      let r = runCli(['batch', 'run', '--molecules', 'MOL00001', ...FAST], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(dynamics()).toBe(1);
      r = runCli(['batch', 'run', '--molecules', 'MOL00002', '--no-dynamics', ...FAST], {
        cwd: dir,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(dynamics()).toBe(1);
      expect(csvRows(dir).rows.map((row) => row.status)).toEqual(['OK', 'OK']);
    },
  );

  it('refuses every bad option with one line and exit 2 before it creates a batch', () => {
    const dir = tempCampaign();
    importDataset(dir);
    for (const [flag, value] of [
      ['--cores', 'x'],
      ['--failure-threshold', '-1'],
      ['--workers', '0'],
      ['--seed', '-3'],
      ['--obabel-seed', '70092'],
      ['--size', '0'],
      ['--max-retries', 'many'],
      ['--max-conformers', '0'],
      ['--strategy', 'hardest_first'],
      ['--policy', 'some'],
    ] as const) {
      const r = runCli(['batch', 'run', flag, value, '--headless'], { cwd: dir });
      expect(r.status, `${flag} ${value}: ${r.stderr}`).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(flag);
    }
    const r = runCli(['batch', 'status'], { cwd: dir });
    expect(r.stdout).not.toContain('batch_0001');
    expect(
      withStore(
        dir,
        (db) => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM batches').get()?.n,
      ),
    ).toBe(0);
  }, 300_000);

  it('refuses to show the summary of a batch that does not exist, in one line', () => {
    const dir = tempCampaign();
    importDataset(dir);
    const missing = runCli(['batch', 'summary', 'batch_0042'], { cwd: dir });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'retort: batch_0042: no such batch; `retort batch status` lists them',
    );
  });

  it('refuses timeouts that are not minutes > 0, naming the flag, and runs nothing', () => {
    const dir = tempCampaign();
    importDataset(dir);
    for (const [flag, value] of [
      ['--crest-timeout', '0'],
      ['--mopac-timeout', '-5'],
      ['--mopac-timeout', 'ten'],
    ] as const) {
      const r = runCli(['batch', 'run', flag, value, '--headless'], { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(flag);
      expect(r.stderr).toContain('minutes > 0');
    }
    expect(
      withStore(
        dir,
        (db) => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM batches').get()?.n,
      ),
    ).toBe(0);
  });

  it.skipIf(!live)(
    'applies all_or_nothing: when a molecule fails, the OK ones go back to Pending',
    () => {
      const dir = tempCampaign();
      // A MOPAC that fails (garbage output, exit 0) for any input holding nitrogen.
      const fake = join(dir, 'mopac-no-nitrogen.sh');
      writeFileSync(
        fake,
        '#!/bin/sh\nif grep -q "^N " "$1"; then echo garbage > "${1%.mop}.out"; exit 0; fi\nexec mopac "$@"\n',
      );
      chmodSync(fake, 0o755);
      writeFileSync(join(dir, 'retort.yaml'), `programs:\n  mopac: ${fake}\n`);
      importDataset(dir, ',smiles,multiplicity,charge,nheavy\n1,C=O,1,0,2\n2,CN,1,0,2\n');
      const r = runCli(
        ['batch', 'run', '--policy', 'all_or_nothing', '--max-retries', '2', ...FAST],
        { cwd: dir },
      );
      expect(r.status).toBe(1);
      expect(r.stdout).toMatch(/all_or_nothing/);
      expect(r.stdout).toMatch(/^batch_0001 — 2 molecules in /);
      const statuses = withStore(dir, (db) =>
        db
          .prepare<
            [],
            { mol_id: string; status: string; retry_count: number; batch_id: string | null }
          >('SELECT item_id AS mol_id, status, retry_count, batch_id FROM items ORDER BY seq')
          .all(),
      );
      expect(statuses).toEqual([
        { mol_id: 'MOL00001', status: 'Pending', retry_count: 0, batch_id: null },
        { mol_id: 'MOL00002', status: 'Rerun', retry_count: 1, batch_id: null },
      ]);
    },
    300_000,
  );
});

describe('the failure scenarios of one molecule (live)', () => {
  interface Detail {
    status: string;
    quality_grade: string;
    issues: { code: string; message: string }[];
    decisions: { decision: string }[];
    conformer_search: { status: string };
    conformers: {
      search_status: string;
      mopac_status: string;
      is_successful: boolean;
      hof_confidence: string | null;
    }[];
  }
  const detailOf = (dir: string, id: string): Detail =>
    JSON.parse(readFileSync(join(dir, 'details', `${id}.json`), 'utf8')) as Detail;

  /** Writes an executable script into the campaign and points retort.yaml's programs at it. */
  function fakeProgram(dir: string, name: string, script: string): void {
    const path = join(dir, `${name}-fake.sh`);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    writeFileSync(join(dir, 'retort.yaml'), `programs:\n  ${name}: ${path}\n`);
  }

  it.skipIf(!live)(
    'a conformer search that times out falls back to the start geometry: OK with grade B and the issue recorded',
    () => {
      const dir = tempCampaign();
      fakeProgram(dir, 'xtb', 'exec sleep 600');
      importDataset(dir, ',smiles,multiplicity,charge,nheavy\n1,CCO,1,0,3\n');
      const r = runCli(
        ['batch', 'run', '--crest-timeout', '0.05', '--mopac-timeout', '2', '--headless'],
        { cwd: dir },
      );
      expect(r.status, r.stderr).toBe(0);
      const d = detailOf(dir, 'MOL00001');
      expect(d.status).toBe('OK');
      expect(['TIMEOUT', 'FAILED']).toContain(d.conformer_search.status);
      // The start, then its OH turned to the two other staggered orientations in PM7.
      expect(d.conformers.map((c) => c.search_status)).toEqual([
        'FALLBACK',
        'XH_ROTAMER',
        'XH_ROTAMER',
      ]);
      expect(d.quality_grade).toMatch(/^[BC]$/);
      expect(d.issues.find((i) => i.code === 'NO_CONFORMERS')?.message).toMatch(/start geometry/);
      expect(d.decisions.map((x) => x.decision)).toContain('used_fixed_crest_timeout');
    },
    300_000,
  );

  it.skipIf(!live)(
    'some MOPAC runs failing leaves the molecule OK with a lower grade; all failing makes it Rerun, then Skip',
    () => {
      const dir = tempCampaign();
      // Every second MOPAC run writes garbage (exit 0, as MOPAC does when it fails).
      fakeProgram(
        dir,
        'mopac',
        `n=$(cat "${dir}/count" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > "${dir}/count"\nif [ $((n % 2)) -eq 0 ]; then echo garbage > "\${1%.mop}.out"; exit 0; fi\nexec mopac "$@"`,
      );
      importDataset(dir, ',smiles,multiplicity,charge,nheavy\n1,CCCCCO,1,0,6\n');
      const r = runCli(['batch', 'run', '--max-conformers', '3', ...FAST], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      const d = detailOf(dir, 'MOL00001');
      expect(d.status).toBe('OK');
      const failed = d.conformers.filter((c) => !c.is_successful);
      expect(d.conformers.length).toBeGreaterThanOrEqual(2);
      expect(failed.length).toBeGreaterThanOrEqual(1);
      expect(d.conformers.some((c) => c.is_successful)).toBe(true);
      expect(d.quality_grade).toMatch(/^[BC]$/);
      // Garbage output: MOPAC "ran" but gave no heat of formation.
      for (const c of failed) expect([c.mopac_status, c.hof_confidence]).toEqual(['CRASHED', null]);
      expect(d.issues.map((i) => i.code)).toContain('MOPAC_CRASHED');
      expect(d.decisions.map((x) => x.decision)).toContain('partial_success');

      // Now every MOPAC run fails: Rerun after the first batch, Skip when retries run out.
      fakeProgram(dir, 'mopac', 'echo garbage > "${1%.mop}.out"; exit 0');
      importDataset(dir, ',smiles,multiplicity,charge,nheavy\n2,C=O,1,0,2\n');
      const first = runCli(['batch', 'run', '--max-retries', '2', ...FAST], { cwd: dir });
      expect(first.status).toBe(1);
      expect(detailOf(dir, 'MOL00002')).toMatchObject({ status: 'Rerun', quality_grade: 'FAILED' });
      expect(detailOf(dir, 'MOL00002').decisions.map((x) => x.decision)).toContain(
        'all_conformers_failed',
      );
      const second = runCli(['batch', 'run', '--max-retries', '2', ...FAST], { cwd: dir });
      expect(second.status).toBe(1);
      expect(detailOf(dir, 'MOL00002').status).toBe('Skip');
      const reason = withStore(dir, (db) =>
        db
          .prepare<[], { skip_reason: string; retry_count: number }>(
            `SELECT skip_reason, retry_count FROM items WHERE item_id = 'MOL00002'`,
          )
          .get(),
      );
      expect(reason).toEqual({ skip_reason: 'RETRIES_EXHAUSTED', retry_count: 2 });
    },
    300_000,
  );
});

describe('a batch killed with SIGKILL (live)', () => {
  it.skipIf(!live)(
    'is resumed with batch resume and ends with a CSV and details consistent with the store, no calc run twice',
    async () => {
      const dir = tempCampaign();
      const smiles = [
        'C=O',
        'CC',
        'CO',
        'CCO',
        'CC=O',
        'CCC',
        'OC=O',
        'CC(C)=O',
        'c1ccccc1',
        'CCCO',
      ];
      importDataset(
        dir,
        `,smiles,multiplicity,charge,nheavy\n${smiles.map((s, i) => `${i + 1},${s},1,0,0`).join('\n')}\n`,
      );
      const run = startCli(['batch', 'run', '--size', '10', ...FAST], { cwd: dir });
      await waitFor(
        'three molecules done',
        () =>
          existsSync(join(dir, 'details')) &&
          readdirSync(join(dir, 'details')).filter((f) => f.endsWith('.json')).length >= 3
            ? true
            : undefined,
        300_000,
      );
      process.kill(run.pid, 'SIGKILL');
      await run.exit;

      const refused = runCli(['batch', 'run', ...FAST], { cwd: dir });
      expect(refused.status).toBe(2);
      expect(refused.stderr).toContain('batch resume batch_0001');

      const resumed = runCli(['batch', 'resume', 'batch_0001', '--workers', '2', '--headless'], {
        cwd: dir,
      });
      expect(resumed.status, resumed.stderr).toBe(0);

      const molecules = withStore(dir, (db) =>
        db
          .prepare<[], { mol_id: string; status: string }>(
            'SELECT item_id AS mol_id, status FROM items ORDER BY seq',
          )
          .all(),
      );
      expect(molecules.every((m) => m.status === 'OK')).toBe(true);
      const { rows } = csvRows(dir);
      expect(rows.map((r) => [r.mol_id, r.status])).toEqual(
        molecules.map((m) => [m.mol_id, m.status]),
      );
      for (const m of molecules)
        expect(existsSync(join(dir, 'details', `${m.mol_id}.json`))).toBe(true);
      const twice = withStore(dir, (db) =>
        db
          .prepare<[], { calc_key: string; n: number }>(
            `SELECT calc_key, COUNT(*) AS n FROM attempts WHERE status IN ('succeeded','failed') GROUP BY calc_key HAVING n > 1`,
          )
          .all(),
      );
      expect(twice).toEqual([]);
      expect(withStore(dir, (db) => db.pragma('integrity_check', { simple: true }))).toBe('ok');
      expect(
        withStore(
          dir,
          (db) => db.prepare<[], { status: string }>('SELECT status FROM batches').get()?.status,
        ),
      ).toBe('Completed');
    },
    600_000,
  );
});

describe('per-molecule files (live)', () => {
  const LONG = `m${'x'.repeat(299)}`;

  it.skipIf(!live)(
    'gives ids that differ only in unsafe characters their own files, runs a 300-character id, and fails only the molecule whose file cannot be written',
    () => {
      const dir = tempCampaign();
      importDataset(
        dir,
        `mol_id,smiles\na/b,C\na?b,CC\n${LONG},CO\nblocked,CCC\nno-ensemble,CCCC\n`,
      );
      // A directory where a molecule's detail file (and another's ensemble) must go.
      mkdirSync(join(dir, 'details', 'blocked.json', 'x'), { recursive: true });
      mkdirSync(join(dir, 'details', 'ensembles', 'no-ensemble.xyz', 'x'), { recursive: true });
      const r = runCli(['batch', 'run', '--size', '5', '--max-retries', '2', ...FAST], {
        cwd: dir,
      });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toContain('(Completed)');
      const { rows } = csvRows(dir);
      const byId = new Map(rows.map((row) => [row.mol_id, row]));
      for (const id of ['a/b', 'a?b', LONG]) expect(byId.get(id)?.status, id).toBe('OK');
      expect(byId.get('blocked')).toMatchObject({ status: 'Rerun', success: 'false' });
      expect(byId.get('blocked')?.error_message).toContain('cannot write details/blocked.json');
      expect(byId.get('no-ensemble')).toMatchObject({ status: 'Rerun', crest_status: 'FAILED' });
      expect(byId.get('no-ensemble')?.error_message).toContain(
        'cannot write details/ensembles/no-ensemble.xyz',
      );

      // Each molecule's details point at its own ensemble, which holds its own conformers.
      const ensembles = ['a/b', 'a?b', LONG].map((id) => byId.get(id)?.crest_ensemble_file ?? '');
      expect(new Set(ensembles).size).toBe(3);
      for (const [i, id] of ['a/b', 'a?b', LONG].entries()) {
        const file = ensembles[i] ?? '';
        expect(file.length).toBeLessThan(120);
        expect(readFileSync(join(dir, file), 'utf8').split('\n')[1]).toContain(` ${id} conformer`);
      }
      // (details/blocked.json is still the directory in the way.)
      const details = readdirSync(join(dir, 'details')).filter(
        (f) => f.endsWith('.json') && f !== 'blocked.json',
      );
      expect(details).toHaveLength(4);
      for (const f of details) {
        const d = JSON.parse(readFileSync(join(dir, 'details', f), 'utf8')) as { mol_id: string };
        expect(['a/b', 'a?b', LONG, 'no-ensemble']).toContain(d.mol_id);
      }

      // Once the files can be written, the next batch takes the failed molecules again.
      rmSync(join(dir, 'details', 'blocked.json'), { recursive: true });
      rmSync(join(dir, 'details', 'ensembles', 'no-ensemble.xyz'), { recursive: true });
      const again = runCli(['batch', 'run', ...FAST], { cwd: dir });
      expect(again.status, again.stderr).toBe(0);
      const after = new Map(csvRows(dir).rows.map((row) => [row.mol_id, row.status]));
      expect([after.get('blocked'), after.get('no-ensemble')]).toEqual(['OK', 'OK']);
    },
    300_000,
  );
});
