import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  REPO_ROOT,
  runCli,
  tempCampaign,
  tempDir,
  withStore,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

const SAMPLE = join(REPO_ROOT, 'examples', 'sample-dataset.csv');
const GRIMPERIUM = resolve(
  REPO_ROOT,
  '..',
  'shared/data/thermocbs-sample/grimperium_thermo_pm7_head.csv',
);

/** stderr as its non-empty lines. */
function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** One line, `retort: …`, no stack, exit status 2. */
function expectOneLineError(r: { status: number | null; stderr: string }, pattern: RegExp): void {
  expect(r.status).toBe(2);
  expect(lines(r.stderr)).toHaveLength(1);
  expect(r.stderr).toMatch(/^retort: /);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
}

describe('retort import', () => {
  it('imports the sample dataset and prints the summary', () => {
    const dir = tempCampaign();
    const r = runCli(['import', SAMPLE], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^imported 60 molecules from .*sample-dataset\.csv \(ids from the index column\)/,
    );
    expect(r.stdout).toMatch(/pending +60/);
    expect(r.stdout).toMatch(/invalid SMILES +0\n/);
    expect(r.stdout).toMatch(/reference column +H298_ref/);
    expect(r.stdout).toMatch(/time +\d/);
    const n = withStore(dir, (db) => db.prepare('SELECT COUNT(*) AS n FROM items').get()) as {
      n: number;
    };
    expect(n.n).toBe(60);
  });

  it('lists the ids of invalid SMILES it skipped, the first 10 of them', () => {
    const dir = tempCampaign();
    const rows = Array.from({ length: 12 }, (_, i) => `${i + 1},bad(${i}`);
    const file = join(dir, 'bad.csv');
    writeFileSync(file, `,smiles,H298_cbs\n${rows.join(',1\n')},1\n100,CCO,2\n`);
    const r = runCli(['import', 'bad.csv', '--reference', 'H298_cbs'], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/imported 13 molecules/);
    expect(r.stdout).toMatch(
      /invalid SMILES +12 \(Skip: MOL00001, MOL00002, .*, MOL00010, … \(2 more\)\)/,
    );
    expect(r.stdout).not.toMatch(/MOL00011/);
  });

  it('finds the campaign with --campaign from elsewhere', () => {
    const dir = tempCampaign();
    const elsewhere = tempDir();
    const r = runCli(['--campaign', dir, 'import', SAMPLE], { cwd: elsewhere });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/imported 60 molecules/);
  });

  it('refuses a second import of the same ids with one line naming them, exit 2', () => {
    const dir = tempCampaign();
    expect(runCli(['import', SAMPLE], { cwd: dir }).status).toBe(0);
    const r = runCli(['import', SAMPLE], { cwd: dir });
    expectOneLineError(
      r,
      /already in the campaign: 60 ids \("MOL00001", .* and 55 more\); nothing was imported/,
    );
  });

  it('names file:line and the column of a bad charge, exit 2', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'charge.csv'), ',smiles,charge\n1,C,0\n4,CC,one\n');
    expectOneLineError(
      runCli(['import', 'charge.csv'], { cwd: dir }),
      /^retort: charge\.csv:3: column "charge" holds "one"; expected an integer/,
    );
  });

  it('says what layout it expected when the file has no id column, exit 2', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'noid.csv'), 'name,smiles\nethanol,CCO\n');
    expectOneLineError(
      runCli(['import', 'noid.csv'], { cwd: dir }),
      /noid\.csv:1: cannot tell the molecules' ids: expected either an unnamed first column/,
    );
  });

  it('refuses a missing file, an unknown --reference and a missing campaign, exit 2', () => {
    const dir = tempCampaign();
    expectOneLineError(
      runCli(['import', 'nothere.csv'], { cwd: dir }),
      /nothere\.csv: cannot read the dataset: ENOENT/,
    );
    expectOneLineError(
      runCli(['import', SAMPLE, '--reference', 'H298_cbs'], { cwd: dir }),
      /--reference H298_cbs: no such column/,
    );
    const empty = tempDir();
    expectOneLineError(runCli(['import', SAMPLE], { cwd: empty }), /no campaign here/);
  });

  it('needs a FILE argument, exit 2', () => {
    const dir = tempCampaign();
    const r = runCli(['import'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/missing required argument 'file'/);
  });

  it.skipIf(!existsSync(GRIMPERIUM))('imports the ThermoCBS sample of ../shared', () => {
    const dir = tempCampaign();
    const r = runCli(['import', GRIMPERIUM], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/imported 1,041 molecules .*\(ids from the mol_id column\)/);
    expect(r.stdout).toMatch(/reference column +H298_cbs/);
  });
});
