import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, hasProgram, runCli, tempCampaign } from '../helpers/cli.js';

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
    expect(text.stdout).toMatch(/^calc\s+program\s+predicted\s+from/);
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
