import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cleanupTempDirs,
  commandLines,
  fileLines,
  runCli,
  tempCampaign,
  withStore,
} from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/** One element of `retort run --json`. */
interface RunJson {
  readonly line: string;
  readonly key: string | null;
  readonly cached: boolean;
  readonly status: string;
  readonly result: { readonly exit_code?: number; readonly files?: Record<string, string> } | null;
  readonly failure: { readonly class: string; readonly message: string } | null;
}

function runJson(
  dir: string,
  file: string,
  extra: readonly string[] = [],
): { status: number | null; results: RunJson[] } {
  const r = runCli(['run', file, '--json', ...extra], { cwd: dir });
  expect(r.stdout.trimStart().startsWith('['), r.stderr).toBe(true);
  return { status: r.status, results: JSON.parse(r.stdout) as RunJson[] };
}

function count(dir: string, sql: string): number {
  return withStore(dir, (db) => db.prepare(sql).pluck().get() as number);
}

const ECHO = (word: string): { argv: string[]; outputs: string[]; walltime_s: number } => ({
  argv: ['sh', '-c', 'echo $0 > out.txt', word],
  outputs: ['out.txt'],
  walltime_s: 30,
});

describe('retort run', () => {
  it('runs a list of command calcs and prints a table', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines([ECHO('A'), ECHO('B'), { ...ECHO('C'), label: 'the-c' }]),
    );
    const r = runCli(['run', 'calcs.jsonl'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const header = r.stdout.split('\n')[0] ?? '';
    expect(header).toMatch(/line\s+label\s+calc\s+status\s+result/);
    expect(r.stdout).toMatch(/^1\s+command run\s+ok\b/m);
    expect(r.stdout).toMatch(/^3\s+the-c\s+command run\s+ok\b/m);
    expect(r.stdout).toMatch(/3 ran ok, 0 from the store, 0 failed, 0 not run/);
    expect(count(dir, `SELECT count(*) FROM calcs WHERE status = 'succeeded'`)).toBe(3);
  });

  it('prints a JSON array with status and the output files, and answers a second run from the store', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), commandLines([ECHO('A'), ECHO('B'), ECHO('C')]));
    const first = runJson(dir, 'calcs.jsonl');
    expect(first.status).toBe(0);
    expect(first.results.map((x) => x.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(first.results.map((x) => x.cached)).toEqual([false, false, false]);
    expect(first.results.map((x) => x.result?.files?.['out.txt'])).toEqual(['A\n', 'B\n', 'C\n']);
    expect(first.results.map((x) => x.line)).toEqual([
      'calcs.jsonl:1',
      'calcs.jsonl:2',
      'calcs.jsonl:3',
    ]);
    const attempts = withStore(dir, (db) =>
      db.prepare('SELECT * FROM attempts ORDER BY calc_key').all(),
    );
    expect(attempts).toHaveLength(3);

    const second = runJson(dir, 'calcs.jsonl');
    expect(second.status).toBe(0);
    expect(second.results.map((x) => x.cached)).toEqual([true, true, true]);
    expect(second.results.map((x) => x.key)).toEqual(first.results.map((x) => x.key));
    expect(second.results.map((x) => x.result)).toEqual(first.results.map((x) => x.result));
    expect(
      withStore(dir, (db) => db.prepare('SELECT * FROM attempts ORDER BY calc_key').all()),
    ).toEqual(attempts);
  });

  const badLines: readonly [string, string, RegExp][] = [
    [
      'an unknown field',
      JSON.stringify({ program: 'command', argv: ['true'], colour: 'red' }),
      /colour/,
    ],
    ['bad JSON', '{"program": "command", "argv": ["true"]', /JSON/],
    [
      'a negative walltime_s',
      JSON.stringify({ program: 'command', argv: ['true'], walltime_s: -1 }),
      /walltime_s/,
    ],
  ];
  for (const [what, bad, field] of badLines) {
    it(`refuses a list with ${what} in one line naming file:LINE, and records nothing`, () => {
      const dir = tempCampaign();
      const good = commandLines([ECHO('A')]).trim();
      writeFileSync(join(dir, 'calcs.jsonl'), `${good}\n\n${bad}\n${good.replace('"A"', '"B"')}\n`);
      const r = runCli(['run', 'calcs.jsonl'], { cwd: dir });
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^retort: calcs\.jsonl:3\b/);
      expect(lines[0]).toMatch(field);
      expect(r.stdout).toBe('');
      expect(count(dir, 'SELECT count(*) FROM calcs')).toBe(0);
      expect(count(dir, 'SELECT count(*) FROM attempts')).toBe(0);
      expect(count(dir, 'SELECT count(*) FROM runs')).toBe(0);
    });
  }

  it('checks the whole list before anything runs: a radical stated as a singlet on line 2 stops line 1 from running', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      `${commandLines([ECHO('A')]).trim()}\n${JSON.stringify({ program: 'mopac', method: 'PM7', smiles: '[CH3]', multiplicity: 1 })}\n`,
    );
    const r = runCli(['run', 'calcs.jsonl'], { cwd: dir });
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^retort: calcs\.jsonl:2: multiplicity: 9 electrons/);
    expect(count(dir, 'SELECT count(*) FROM calcs')).toBe(0);
    expect(count(dir, 'SELECT count(*) FROM runs')).toBe(0);
    expect(readdirSync(join(dir, 'work'))).toEqual([]);
  });

  for (const [what, flags] of [
    ['--workers x', ['--workers', 'x']],
    ['--failure-threshold -1', ['--failure-threshold', '-1']],
    ['--executor ssh:nowhere', ['--executor', 'ssh:nowhere']],
  ] as const) {
    it(`refuses ${what} with exit status 2 before taking the lock, and the next run works`, () => {
      const dir = tempCampaign();
      writeFileSync(join(dir, 'calcs.jsonl'), commandLines([ECHO('A')]));
      const bad = runCli(['run', 'calcs.jsonl', ...flags], { cwd: dir });
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
      expect(bad.stderr).toContain(flags[0]);
      expect(existsSync(join(dir, 'retort.lock'))).toBe(false);
      expect(count(dir, 'SELECT count(*) FROM runs')).toBe(0);
      const good = runCli(['run', 'calcs.jsonl'], { cwd: dir });
      expect(good.status, good.stderr).toBe(0);
      expect(good.stderr).not.toContain('stale lock');
    });
  }

  it('records a command that exits 3 as failed (exit_nonzero) and exits with status 1', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines([ECHO('A'), { argv: ['sh', '-c', 'echo broken >&2; exit 3'], walltime_s: 30 }]),
    );
    const { status, results } = runJson(dir, 'calcs.jsonl');
    expect(status).toBe(1);
    expect(results[0]?.status).toBe('succeeded');
    expect(results[1]?.status).toBe('failed');
    expect(results[1]?.failure?.class).toBe('exit_nonzero');
    expect(results[1]?.failure?.message).toContain('3');
    const row = withStore(
      dir,
      (db) =>
        db
          .prepare(`SELECT status, failure_class FROM calcs WHERE key = ?`)
          .get(results[1]?.key) as {
          status: string;
          failure_class: string;
        },
    );
    expect(row).toEqual({ status: 'failed', failure_class: 'exit_nonzero' });
  });

  it('never runs more calcs at once than --workers', () => {
    const dir = tempCampaign();
    const log = join(dir, 'timeline.txt');
    const script = `echo "start $0 $(date +%s%N)" >> '${log}'; sleep 0.5; echo "end $0 $(date +%s%N)" >> '${log}'`;
    const ids = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines(ids.map((id) => ({ argv: ['sh', '-c', script, id], walltime_s: 60 }))),
    );
    const r = runCli(['run', 'calcs.jsonl', '--workers', '2', '--headless'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    const events = fileLines(log).map((l) => {
      const [kind, id, ns] = l.split(' ');
      return { kind: kind ?? '', id: id ?? '', t: BigInt(ns ?? '0') };
    });
    expect(events).toHaveLength(12);
    expect(new Set(events.filter((e) => e.kind === 'start').map((e) => e.id))).toEqual(
      new Set(ids),
    );
    // Sweep the timeline (an end before a start at the same instant).
    events.sort((a, b) => (a.t === b.t ? (a.kind === 'end' ? -1 : 1) : a.t < b.t ? -1 : 1));
    let running = 0;
    let most = 0;
    for (const e of events) {
      running += e.kind === 'start' ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(running).toBe(0);
    expect(most).toBeLessThanOrEqual(2);
    expect(most).toBe(2);
  }, 120_000);

  it('fails a calc that runs past its walltime_s as a timeout', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines([{ argv: ['sh', '-c', 'sleep 30; true'], walltime_s: 1 }]),
    );
    const { status, results } = runJson(dir, 'calcs.jsonl');
    expect(status).toBe(1);
    expect(results[0]?.status).toBe('failed');
    expect(results[0]?.failure?.class).toBe('timeout');
    expect(count(dir, `SELECT count(*) FROM calcs WHERE failure_class = 'timeout'`)).toBe(1);
  }, 120_000);
  it('pauses after --failure-threshold failures, ends paused with exit status 1, the rest left queued', () => {
    const dir = tempCampaign();
    const fail = (id: string) => ({ argv: ['sh', '-c', 'exit 3', id], walltime_s: 30 });
    writeFileSync(join(dir, 'calcs.jsonl'), commandLines([fail('a'), fail('b'), fail('c')]));
    const r = runCli(['run', 'calcs.jsonl', '--workers', '1', '--failure-threshold', '1'], {
      cwd: dir,
    });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/paused/);
    expect(withStore(dir, (db) => db.prepare('SELECT state FROM runs').pluck().all())).toEqual([
      'paused',
    ]);
    expect(count(dir, `SELECT count(*) FROM calcs WHERE status = 'queued'`)).toBe(2);
  }, 60_000);

  it('with --json keeps stdout JSON and says on stderr why the run paused', () => {
    const dir = tempCampaign();
    const fail = (id: string) => ({ argv: ['sh', '-c', 'exit 3', id], walltime_s: 30 });
    writeFileSync(join(dir, 'calcs.jsonl'), commandLines([fail('a'), fail('b')]));
    const r = runCli(
      ['run', 'calcs.jsonl', '--json', '--workers', '1', '--failure-threshold', '1'],
      { cwd: dir },
    );
    expect(r.status, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as RunJson[]).map((x) => x.status)).toEqual(['failed', 'not_run']);
    expect(r.stderr).toMatch(/^retort: run paused: .*failure threshold/m);
  }, 60_000);
});

describe('retort run: structured log and priorities', () => {
  interface Event {
    readonly event: string;
    readonly level: string;
    readonly run_id: string;
    readonly key?: string;
    readonly label?: string | null;
    readonly program?: string;
    readonly task?: string;
    readonly executor?: string;
    readonly priority?: number;
    readonly submitted_at?: string;
    readonly duration_s?: number;
    readonly predicted_s?: number;
  }

  function events(dir: string): Event[] {
    const logs = join(dir, 'logs');
    const files = readdirSync(logs).filter((f) => f.endsWith('.jsonl'));
    expect(files).toHaveLength(1);
    return fileLines(join(logs, files[0] ?? '')).map((l) => JSON.parse(l) as Event);
  }

  it('writes every event of the run to logs/<run>.jsonl with --verbose, in priority order', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'calcs.jsonl'),
      commandLines([
        { ...ECHO('low'), label: 'low', priority: -1 },
        { ...ECHO('plain'), label: 'plain' },
        { ...ECHO('high'), label: 'high', priority: 3 },
      ]),
    );
    const r = runCli(['run', 'calcs.jsonl', '--workers', '1', '--headless', '--verbose'], {
      cwd: dir,
    });
    expect(r.status, r.stderr).toBe(0);
    const all = events(dir);
    const runId = all[0]?.run_id ?? '';
    expect(all.every((e) => e.run_id === runId)).toBe(true);
    expect(all[0]?.event).toBe('run_started');
    expect(all.at(-1)).toMatchObject({ event: 'run_ended', level: 'info', state: 'complete' });
    const queued = all.filter((e) => e.event === 'calc_queued');
    expect(queued.map((e) => [e.label, e.priority, e.level])).toEqual([
      ['low', -1, 'debug'],
      ['plain', 0, 'debug'],
      ['high', 3, 'debug'],
    ]);
    const started = all.filter((e) => e.event === 'calc_started');
    expect(started.map((e) => e.label)).toEqual(['high', 'plain', 'low']);
    for (const e of all.filter((x) => x.event === 'calc_finished')) {
      expect(e).toMatchObject({
        level: 'info',
        program: 'command',
        task: 'run',
        executor: 'local',
      });
      expect(e.key).toMatch(/^[0-9a-f]{64}$/);
      expect(typeof e.duration_s).toBe('number');
      expect(typeof e.predicted_s).toBe('number');
      expect(Date.parse(e.submitted_at ?? '')).not.toBeNaN();
    }
    // The human log shows the starts too at this level.
    expect(r.stderr).toMatch(/started high/);
  });

  it('gives the whole file a priority with --priority and logs only warnings with --quiet', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'calcs.jsonl'), commandLines([{ ...ECHO('a'), label: 'a' }]));
    const r = runCli(['run', 'calcs.jsonl', '--headless', '--quiet'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(events(dir)).toEqual([]);
    expect(r.stderr).not.toMatch(/\[1\/1\] a OK/);

    const other = tempCampaign();
    writeFileSync(join(other, 'calcs.jsonl'), commandLines([{ ...ECHO('a'), label: 'a' }]));
    const loud = runCli(['run', 'calcs.jsonl', '--headless', '--verbose', '--priority', '7'], {
      cwd: other,
    });
    expect(loud.status, loud.stderr).toBe(0);
    expect(events(other).find((e) => e.event === 'calc_queued')?.priority).toBe(7);

    const v = runCli(['run', 'calcs.jsonl', '--verbose', '--quiet'], { cwd: dir });
    expect(v.status).toBe(2);
    expect(v.stderr).toBe('retort: --verbose: give --verbose or --quiet, not both\n');
    const p = runCli(['run', 'calcs.jsonl', '--priority', 'high'], { cwd: dir });
    expect(p.status).toBe(2);
    expect(p.stderr).toMatch(/^retort: --priority: expected a whole number/);
  });
});
