/**
 * bench/tui-refresh — what the terminal UI costs, on a large store and to a live run.
 *
 * 1. Refresh: a campaign whose store holds 100,000 calcs (as runs leave them: every one with an
 *    attempt, a few thousand failed or queued). The UI's monitor (runtime/monitor) is timed for
 *    what one refresh does: a snapshot (counts, executors, completions, batches, status.json)
 *    plus the visible page of the Calcs view, (a) when nothing changed, (b) right after another
 *    connection committed a change (every query runs), (c) with a text filter typed. Baseline,
 *    in the same script: one `retort status --json` process, what a user polls today with
 *    `watch`. Target (issue 15): a refresh ≤ 50 ms at 100k calcs.
 * 2. Throughput: calcs of `/bin/true i` with 2 workers through `retort run`, alone and with
 *    `retort tui` open on the campaign in tmux (on the Calcs view, `--refresh 200`: five times
 *    its default), `--reps` times in alternating order (store growth slows later runs); medians, the loss, and the CPU the UI used. As
 *    many calcs as make a run alone last `--run-seconds` (grown from 600 until one did), so that
 *    start-up is noise. `--tui-nice N` passes `--nice N` to the UI (default: its own).
 *    Target: a loss ≤ 5 %. `--only refresh|throughput` runs one part.
 *
 * Usage: npm run build && node dist/bench/tui-refresh.js [--calcs 100000] [--run-seconds 30]
 *        [--reps 3] [--tui-nice N] [--only refresh|throughput] [--dir DIR]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { InfrastructureError } from '../src/core/errors.js';
import { initCampaign } from '../src/runtime/campaign.js';
import { CampaignMonitor } from '../src/runtime/monitor/campaign-monitor.js';
import { CalcStore } from '../src/store/calc-store.js';
import { openDatabase } from '../src/store/database.js';
import { RunStore } from '../src/store/run-store.js';
import { repo, retortBin } from './bench-env.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const base = resolve(flag('--dir', join(repo, 'bench', '.work')), 'tui-refresh');
const calcs = Number(flag('--calcs', '100000'));
const runSeconds = Number(flag('--run-seconds', '30'));
const reps = Number(flag('--reps', '3'));
const tuiNice = args.includes('--tui-nice') ? flag('--tui-nice', '10') : undefined;

const ms = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/**
 * A campaign with `n` calcs recorded through the calc store, in one transaction; one built by
 * an earlier run of the bench with as many calcs is used again.
 */
function bigCampaign(dir: string, n: number): void {
  const file = join(dir, 'retort.db');
  if (existsSync(file)) {
    const old = new Database(file, { readonly: true });
    const has = old.prepare('SELECT COUNT(*) FROM calcs').pluck().get();
    old.close();
    if (has === n) return;
  }
  rmSync(dir, { recursive: true, force: true });
  initCampaign(dir);
  const db = openDatabase(file);
  new RunStore(db).create({
    id: 'bench',
    pid: process.pid,
    hostname: 'bench',
    command: ['retort', 'run', 'bench.jsonl'],
    executor: 'local',
    workers: 2,
  });
  const store = new CalcStore(db);
  const t0 = Date.now() - n * 1000;
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const key = i.toString(16).padStart(64, '0');
      const at = new Date(t0 + i * 1000).toISOString();
      store.want(
        {
          key,
          program: i % 3 === 0 ? 'mopac' : 'xtb',
          task: 'energy',
          adapterVersion: '1',
          spec: { program: 'xtb', task: 'energy', method: 'GFN2' },
          label: `mol_${String(i).padStart(6, '0')}`,
        },
        () => false,
      );
      if (i % 50 === 7) continue; // queued
      const attempt = store.submit(key, {
        runId: 'bench',
        executor: 'local',
        workdir: `/nonexistent/${key}`,
        argv: ['xtb'],
        env: {},
        inputs: { 'in.xyz': 'x' },
        resources: { cores: 1, walltime_s: 60 },
        submittedAt: at,
      });
      store.started(key, attempt, { pid: 1 }, at);
      const end = { endedAt: at, startedAt: at, exitCode: 0, signal: null, programVersion: '6.7' };
      if (i % 40 === 3) store.failed(key, attempt, { class: 'crash', message: 'x' }, end);
      else store.succeeded(key, attempt, { energy: -1 }, end);
    }
  })();
  db.close();
}

function refreshBench(dir: string): void {
  const t = process.hrtime.bigint();
  bigCampaign(dir, calcs);
  console.log(`store of ${calcs} calcs built in ${(ms(t) / 1000).toFixed(1)} s`);
  const monitor = CampaignMonitor.open(dir);
  const page = { statuses: [], text: '', sort: 'updated', offset: 0, limit: 25 } as const;
  const refresh = (text = ''): number => {
    const start = process.hrtime.bigint();
    monitor.snapshot();
    monitor.calcPage({ ...page, text });
    return ms(start);
  };
  const cold = refresh();
  const unchanged = median(Array.from({ length: 30 }, () => refresh()));
  const writer = new Database(join(dir, 'retort.db'));
  const touch = writer.prepare('UPDATE calcs SET updated_at = ? WHERE key = ?');
  const changed = median(
    Array.from({ length: 15 }, (_, i) => {
      touch.run(new Date().toISOString(), i.toString(16).padStart(64, '0'));
      return refresh();
    }),
  );
  const filtered = median(
    Array.from({ length: 10 }, (_, i) => {
      touch.run(new Date().toISOString(), i.toString(16).padStart(64, '0'));
      return refresh('mol_0421');
    }),
  );
  writer.close();
  monitor.close();
  const status = median(
    Array.from({ length: 5 }, () => {
      const start = process.hrtime.bigint();
      execFileSync(process.execPath, [retortBin, '--campaign', dir, 'status', '--json'], {
        stdio: 'ignore',
      });
      return ms(start);
    }),
  );
  console.log(`\nrefresh of the UI at ${calcs} calcs (median ms; target ≤ 50):`);
  console.log(`  first (cold)                   ${cold.toFixed(1)}`);
  console.log(`  nothing changed                ${unchanged.toFixed(2)}`);
  console.log(`  after a change (all queries)   ${changed.toFixed(1)}`);
  console.log(`  after a change, text filter    ${filtered.toFixed(1)}`);
  console.log(`  baseline: retort status --json ${status.toFixed(0)} (a process per poll)`);
  console.log(
    `  ratio refresh after a change / retort status --json: ${(changed / status).toFixed(3)}`,
  );
}

/** What one run measured: its wall time, and the CPU time the UI used meanwhile (s). */
interface RunMeasure {
  readonly wallS: number;
  readonly tuiCpuS: number;
}

/** CPU time (user + system) of a process so far, s; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function runOnce(dir: string, n: number, withTui: boolean): RunMeasure {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync(process.execPath, [retortBin, 'init', dir], { stdio: 'ignore' });
  const lines = Array.from({ length: n }, (_, i) =>
    JSON.stringify({ program: 'command', argv: ['/bin/true', String(i)] }),
  );
  writeFileSync(join(dir, 'calcs.jsonl'), `${lines.join('\n')}\n`);
  const session = `bench-tui-${process.pid}`;
  let tuiPid = 0;
  if (withTui) {
    execFileSync('tmux', [
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '30',
      process.execPath,
      retortBin,
      '--campaign',
      dir,
      'tui',
      '--refresh',
      '200',
      ...(tuiNice === undefined ? [] : ['--nice', tuiNice]),
    ]);
    tuiPid = Number(
      execFileSync('tmux', ['display', '-p', '-t', session, '#{pane_pid}'], { encoding: 'utf8' }),
    );
    // The calcs view pages the store on every change: the heaviest view to leave open. The
    // clock starts when it shows: the UI's own start-up is not what a run pays while it watches.
    execFileSync('tmux', ['send-keys', '-t', session, '2']);
    const until = Date.now() + 30_000;
    while (
      !/Calcs \d/.test(
        execFileSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' }),
      )
    ) {
      if (Date.now() > until)
        throw new InfrastructureError('retort tui did not show its Calcs view in 30 s');
      spawnSync('sleep', ['0.1']);
    }
  }
  const cpu0 = withTui ? cpuSeconds(tuiPid) : 0;
  const start = process.hrtime.bigint();
  spawnSync(
    process.execPath,
    [retortBin, '--campaign', dir, 'run', 'calcs.jsonl', '--workers', '2', '--headless'],
    { cwd: dir, stdio: 'ignore' },
  );
  const wallS = ms(start) / 1000;
  const tuiCpuS = withTui ? cpuSeconds(tuiPid) - cpu0 : 0;
  if (withTui) spawnSync('tmux', ['kill-session', '-t', session]);
  return { wallS, tuiCpuS };
}

function throughputBench(dir: string): void {
  if (spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status !== 0) {
    console.log(
      '\nthroughput: tmux is not installed (scripts/install-deps.sh installs it); skipped',
    );
    return;
  }
  // Enough calcs for a run of runSeconds alone, so that start-up (a second or so) is noise:
  // grown from 600 until a run alone lasted that long.
  let n = 600;
  for (let wall = runOnce(dir, n, false).wallS; wall < runSeconds;) {
    n = Math.ceil((n * runSeconds * 1.1) / wall);
    wall = runOnce(dir, n, false).wallS;
  }
  const alone: number[] = [];
  const watched: number[] = [];
  const tuiCpu: number[] = [];
  // Each run adds its calcs to the store, and a run on a bigger store is slower (37.5 → 46.8 s
  // alone over three reps here): the order alternates (alone first, then the UI first) so that
  // this drift does not count against either.
  for (let i = 0; i < reps; i++) {
    const w = i % 2 === 1 ? runOnce(dir, n, true) : undefined;
    alone.push(runOnce(dir, n, false).wallS);
    const watchedRun = w ?? runOnce(dir, n, true);
    watched.push(watchedRun.wallS);
    tuiCpu.push(watchedRun.tuiCpuS / watchedRun.wallS);
    console.log(
      `  rep ${i + 1}: alone ${alone.at(-1)?.toFixed(1)} s, with the UI ${watchedRun.wallS.toFixed(1)} s${w === undefined ? '' : ' (run first)'}`,
    );
  }
  const a = median(alone);
  const w = median(watched);
  console.log(
    `\nrunner throughput, ${n} calcs of /bin/true, 2 workers, UI nice ${tuiNice ?? 'default'} (median of ${reps}):`,
  );
  console.log(`  alone                          ${a.toFixed(1)} s (${(n / a).toFixed(1)} calcs/s)`);
  console.log(`  with retort tui open (200 ms)  ${w.toFixed(1)} s (${(n / w).toFixed(1)} calcs/s)`);
  console.log(
    `  ratio with / alone: ${(w / a).toFixed(3)} (throughput loss ${((1 - a / w) * 100).toFixed(1)} %; target ≤ 5 %)`,
  );
  console.log(`  CPU the UI used: ${(median(tuiCpu) * 100).toFixed(1)} % of one core (median)`);
}

mkdirSync(base, { recursive: true });
const only = flag('--only', 'both');
if (only !== 'throughput') refreshBench(join(base, 'big'));
if (only !== 'refresh') throughputBench(join(base, 'run'));
