/**
 * bench/slurm-submit — the same short calcs through SLURM in `single`, `array` and `packed`
 * mode, and through the local executor on as many cores as the SLURM partition has.
 *
 * Each mode runs in a fresh campaign (nothing cached) through the real CLI (`retort run`). The
 * scheduler commands are counted by shims put first on PATH that log each call and then run
 * the real command, so the counts are what the cluster saw. Printed side by side: sbatch calls
 * (and calcs per sbatch), squeue/scontrol calls and their rate while the run went on, wall time,
 * and the wall time against the local executor's (the baseline, run in this same script).
 *
 * Usage: npm run build && node dist/bench/slurm-submit.js [--calcs 1000] [--seconds 0.5]
 *        [--pack-size 125] [--modes single,array,packed] [--dir DIR]
 * Needs root and the dev cluster (scripts/dev/slurm-up.sh, run by this script). Targets (the
 * issue's): packed and array at most one sbatch per 50 calcs, within 1.5× the local wall time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repo, retortBin } from './bench-env.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const calcs = Number(flag('--calcs', '1000'));
const seconds = flag('--seconds', '0.5');
const packSize = Number(flag('--pack-size', '125'));
const modes = flag('--modes', 'single,array,packed').split(',');
const base = resolve(flag('--dir', join(repo, 'bench', '.work', 'slurm-submit')));

if (process.getuid?.() !== 0) {
  console.log('bench/slurm-submit: skipped: the dev cluster needs root (scripts/dev/slurm-up.sh)');
  process.exit(0);
}
const up = spawnSync(join(repo, 'scripts', 'dev', 'slurm-up.sh'), { encoding: 'utf8' });
if (up.status !== 0) {
  console.log(`bench/slurm-submit: the dev cluster did not come up:\n${up.stderr}`);
  process.exit(1);
}
const slurmConf = /SLURM_CONF=(\S+)/.exec(up.stdout + up.stderr)?.[1];
const env: NodeJS.ProcessEnv = { ...process.env, ...(slurmConf ? { SLURM_CONF: slurmConf } : {}) };

// The partition's CPUs: the local baseline gets as many workers.
const partition = 'main';
const cpus = Number(
  execFileSync('sinfo', ['--noheader', `--partition=${partition}`, '--format=%C'], {
    env,
    encoding: 'utf8',
  })
    .trim()
    .split('/')
    .at(-1),
);

rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true });

// PATH shims: log `<time> <command>` and exec the real command (its path, from command -v).
const shims = join(base, 'shims');
const callLog = join(base, 'scheduler-calls.log');
mkdirSync(shims);
for (const command of ['sbatch', 'squeue', 'scontrol', 'scancel']) {
  const real = execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(shims, command),
    `#!/bin/sh\necho "$(date +%s.%N) ${command}" >>"$RETORT_BENCH_CALL_LOG"\nexec ${real} "$@"\n`,
  );
  chmodSync(join(shims, command), 0o755);
}

const list = Array.from({ length: calcs }, (_, i) =>
  JSON.stringify({
    program: 'command',
    argv: ['/bin/sh', '-c', `sleep ${seconds}; echo "$0"`, `calc-${String(i)}`],
    walltime_s: 60,
  }),
).join('\n');

interface Row {
  mode: string;
  wallS: number;
  sbatch: number;
  squeue: number;
  scontrol: number;
  ok: number;
}

function runMode(mode: string): Row {
  const dir = join(base, mode);
  spawnSync(process.execPath, [retortBin, 'init', dir], { stdio: 'ignore' });
  const host =
    mode === 'local'
      ? ''
      : `hosts:\n  dev:\n    type: slurm\n    partition: ${partition}\n    submit: ${mode}\n    pack_size: ${String(packSize)}\n    pack_cores: 4\n    max_jobs: ${mode === 'single' ? '100' : '20'}\n    poll_s: 1\n`;
  writeFileSync(join(dir, 'retort.yaml'), `workers: ${String(cpus)}\n${host}`);
  writeFileSync(join(dir, 'calcs.jsonl'), `${list}\n`);
  writeFileSync(callLog, '');
  const started = Date.now();
  const r = spawnSync(
    process.execPath,
    [
      retortBin,
      'run',
      'calcs.jsonl',
      '--json',
      '--executor',
      mode === 'local' ? 'local' : 'slurm:dev',
    ],
    {
      cwd: dir,
      env: { ...env, PATH: `${shims}:${env.PATH ?? ''}`, RETORT_BENCH_CALL_LOG: callLog },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const wallS = (Date.now() - started) / 1000;
  const results = JSON.parse(r.stdout || '[]') as { status: string }[];
  const calls = readFileSync(callLog, 'utf8').split('\n').filter(Boolean);
  const count = (name: string): number => calls.filter((line) => line.endsWith(` ${name}`)).length;
  return {
    mode,
    wallS,
    sbatch: count('sbatch'),
    squeue: count('squeue'),
    scontrol: count('scontrol'),
    ok: results.filter((x) => x.status === 'succeeded').length,
  };
}

console.log(
  `bench/slurm-submit: ${String(calcs)} calcs of \`sleep ${seconds}\`, partition ${partition} (${String(cpus)} CPUs); local baseline with ${String(cpus)} workers`,
);
const local = runMode('local');
const rows = [local, ...modes.map(runMode)];
const header = [
  'mode',
  'ok',
  'wall s',
  '× local',
  'sbatch',
  'calcs/sbatch',
  'squeue',
  'scontrol',
  'sched calls/min',
];
const lines = rows.map((row) => {
  const schedulerCalls = row.squeue + row.scontrol;
  return [
    row.mode,
    String(row.ok),
    row.wallS.toFixed(1),
    (row.wallS / local.wallS).toFixed(2),
    String(row.sbatch),
    row.sbatch === 0 ? '-' : (calcs / row.sbatch).toFixed(1),
    String(row.squeue),
    String(row.scontrol),
    row.mode === 'local' ? '-' : ((schedulerCalls / row.wallS) * 60).toFixed(1),
  ];
});
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
for (const line of [header, ...lines]) {
  console.log(line.map((cell, i) => cell.padStart(widths[i] ?? 0)).join('  '));
}
