import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  hasProgram,
  REPO_ROOT,
  runCli,
  startCli,
  tempCampaign,
  tempDir,
  waitFor,
  withStore,
} from '../helpers/cli.js';
import type { BenchStatus } from '../../src/pipelines/nmr/bench-status.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

function benchStatus(dir: string): BenchStatus | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'nmr-bench', 'status.json'), 'utf8')) as BenchStatus;
  } catch {
    return undefined;
  }
}

/**
 * Attempts that ran, per calc key. A `returned` attempt provably never started its program (the
 * kill came between recording the attempt and starting the process, a window that widens on a
 * loaded machine): it repeats no work and is not counted.
 */
function attemptsPerCalc(dir: string): number[] {
  return withStore(dir, (db) =>
    (
      db
        .prepare(
          "SELECT calc_key, COUNT(*) AS n FROM attempts WHERE status != 'returned' GROUP BY calc_key",
        )
        .all() as {
        n: number;
      }[]
    ).map((r) => r.n),
  );
}

describe('retort nmr bench', () => {
  it('pauses when more than 5 distinct molecules failed, and says so in status', () => {
    const dir = tempCampaign();
    const settings = join(dir, 'retort.yaml');
    const fake = join(REPO_ROOT, 'test', 'fake-programs', 'nwchem-fails.sh');
    writeFileSync(
      settings,
      readFileSync(settings, 'utf8').replace(/^programs: \{\}.*$/m, `programs:\n  nwchem: ${fake}`),
    );
    const r = runCli(
      ['nmr', 'bench', 'run', '--molecules', '1,2,3,4,5,6,7,8', '--workers', '1', '--headless'],
      { cwd: dir },
    );
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/nmr bench paused: 6\/8 tasks done \(0 ok, 6 failed\), 2 left/);
    const status = benchStatus(dir);
    expect(status).toMatchObject({ state: 'paused', total: 8, done: 6, failed: 6 });
    expect(status?.message).toMatch(/6 items failed \(failure threshold 6\)/);
    expect(status?.recent_failures[0]?.message).toMatch(/fake failure/);
    const text = runCli(['nmr', 'bench', 'status'], { cwd: dir });
    expect(text.stdout).toMatch(/progress {2}6\/8 tasks \(75\.0 %\): 0 ok, 6 failed/);
    expect(text.stdout.match(/^failed /gm)).toHaveLength(3);
  });

  it('refuses an unknown functional, solvent or molecule before anything runs', () => {
    const dir = tempCampaign();
    for (const [args, message] of [
      [['--functionals', 'B3LYP,XYZ'], /--functionals: unknown functional "XYZ"; known: .*WP04/],
      [['--solvents', 'ether'], /--solvents: unknown solvent "ether"; known: .*chloroform/],
      [['--molecules', '51'], /--molecules: unknown molecule "51"/],
    ] as const) {
      const r = runCli(['nmr', 'bench', 'run', ...args], { cwd: dir });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'nmr-bench', 'status.json'))).toBe(false);
  });

  it('analyze --shieldings names a file it cannot read; export with nothing done says so', () => {
    const dir = tempCampaign();
    const missing = runCli(['nmr', 'bench', 'analyze', '--shieldings', 'nowhere.csv'], {
      cwd: dir,
    });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/--shieldings: cannot read .*nowhere\.csv/);
    const empty = runCli(['nmr', 'bench', 'export'], { cwd: dir });
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/no benchmark task has shieldings yet/);
  });

  it('stop with no bench running says so, and status says no bench ran', () => {
    const dir = tempCampaign();
    expect(runCli(['nmr', 'bench', 'stop'], { cwd: dir }).stdout).toMatch(
      /no benchmark is running/,
    );
    expect(runCli(['nmr', 'bench', 'status'], { cwd: dir }).stdout).toMatch(/no benchmark has run/);
  });

  it.skipIf(!hasProgram('nwchem'))(
    'killed with SIGKILL mid-run and started again, computes no finished calc twice; a second stop is idempotent',
    async () => {
      const dir = tempCampaign();
      const args = [
        'nmr',
        'bench',
        'run',
        '--molecules',
        '1,3,4',
        '--nmr-basis',
        'STO-3G',
        '--solvents',
        'vacuum',
        '--workers',
        '1',
        '--headless',
      ];
      const first = startCli(args, { cwd: dir });
      // Killed while the second task runs: the first is finished, the second is in flight.
      await waitFor(
        'one task done and the next running',
        () => {
          const s = benchStatus(dir);
          return s !== undefined && s.done >= 1 && s.current.length === 1 ? s : undefined;
        },
        300_000,
        200,
      );
      first.child.kill('SIGKILL');
      await first.exit;
      const killedAt = benchStatus(dir);
      expect(killedAt?.state).toBe('running');
      expect(runCli(['nmr', 'bench', 'status'], { cwd: dir }).stdout).toMatch(/no longer alive/);

      const second = startCli(args, { cwd: dir });
      await waitFor(
        'the second run to take the lock',
        () => (benchStatus(dir)?.pid === second.pid ? true : undefined),
        60_000,
        100,
      );
      const stop1 = runCli(['nmr', 'bench', 'stop'], { cwd: dir });
      const stop2 = runCli(['nmr', 'bench', 'stop'], { cwd: dir });
      expect(stop1.stdout).toMatch(/stop requested/);
      // Idempotent: the stop is already requested, or (STO-3G tasks are short) the run has
      // already obeyed it and ended.
      expect(stop2.status).toBe(0);
      expect(stop2.stdout).toMatch(/already requested|no benchmark is running/);
      await second.exit;
      // Stopped before the last task, the run says stopped (its requested calcs all ended).
      const stopped = benchStatus(dir);
      expect(stopped?.state).toBe(stopped?.done === 3 ? 'complete' : 'stopped');

      const third = runCli(args, { cwd: dir });
      expect(third.status, third.stderr).toBe(0);
      expect(third.stdout).toMatch(
        /nmr bench complete: 3\/3 tasks done \(3 ok, 0 failed\), 0 left/,
      );
      expect(attemptsPerCalc(dir)).toEqual([1, 1, 1]);
      const analyze = runCli(['nmr', 'bench', 'analyze'], { cwd: dir });
      expect(analyze.status, analyze.stderr).toBe(0);
      expect(analyze.stdout).toMatch(/B3LYP\/STO-3G vacuum 1H: slope -?\d/);
      expect(existsSync(join(dir, 'nmr-bench', 'analysis', 'report.md'))).toBe(true);
      expect(
        existsSync(join(dir, 'nmr-bench', 'analysis', 'regression-B3LYP-STO-3G-vacuum-1H.svg')),
      ).toBe(true);

      // Exported and analyzed elsewhere, without the campaign: the same fits.
      const exported = runCli(['nmr', 'bench', 'export'], { cwd: dir });
      expect(exported.stdout).toMatch(/^3 tasks, \d+ atoms written to .*shieldings\.csv$/m);
      const elsewhere = tempDir();
      const fromFile = runCli(
        ['nmr', 'bench', 'analyze', '--shieldings', join(dir, 'nmr-bench', 'shieldings.csv')],
        { cwd: elsewhere },
      );
      expect(fromFile.status, fromFile.stderr).toBe(0);
      const fits = (out: string): string[] => out.split('\n').filter((l) => l.includes(': slope'));
      expect(fits(fromFile.stdout)).toEqual(fits(analyze.stdout));
      expect(fits(fromFile.stdout)).toHaveLength(2);
      expect(existsSync(join(elsewhere, 'nmr-analysis', 'factors.json'))).toBe(true);
    },
    900_000,
  );
});
