// A fake SLURM for tests: `sbatch`, `squeue`, `scontrol`, `scancel` and `sinfo` (the shell
// scripts next to this file) run this with the command's name first. It is a scheduler in
// miniature: sbatch really runs the batch script in the background, at once (or once the
// `hold` file is gone), enforces the time limit and records each job's state; the queries
// answer in the formats of SLURM 22.05's real outputs (test/fixtures/real/slurm/), only for the
// options retort uses.
//
// State lives in $FAKE_SLURM_DIR (required):
//   jobs/<id>/job.json          the request: name, tasks (array) or null, time limit, script …
//   jobs/<id>/<unit>/state      PENDING, RUNNING, COMPLETED, FAILED, TIMEOUT, CANCELLED
//   jobs/<id>/<unit>/exit       "code:signal" once the batch script ended
//   jobs/<id>/<unit>/ended      epoch ms when it ended
//   (<unit> is `job`, or `task-<i>` for array task i, whose own job id is <id> + i)
//   jobcomp.txt                 the completion log (JobCompType=jobcomp/filetxt)
// Files a test may create there:
//   down     every command fails (`sbatch --version` aside) as the real ones did when
//            slurmctld could not be reached (retort_controller_unreachable.txt)
//   hold     new jobs stay PENDING while it exists
//   refuse-jobs  sbatch alone fails as when slurmctld cannot be reached (queries answer);
//            each refusal appends a line to `refused`
// Environment:
//   FAKE_SLURM_SECONDS_PER_MINUTE  how long a minute of `--time` lasts (default 60)
//   FAKE_SLURM_MIN_JOB_AGE_S       finished jobs older than this are forgotten by squeue and
//                                  scontrol (MinJobAge), left in the completion log only
//   FAKE_SLURM_PARTITIONS          the partitions, default partition marked `*` (default main*)
//   FAKE_SLURM_MAX_MEM_MB          memory of the largest node (default 64000)
// sbatch refuses a partition not listed and memory beyond FAKE_SLURM_MAX_MEM_MB with the real
// messages (sbatch_bad_partition.txt, sbatch_too_much_mem.txt).
// Processes of a job are found as cgroups would find them: by FAKE_SLURM_UNIT in their
// environment, so calcs that start their own session are signalled too.

import { spawn } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

const DIR = process.env.FAKE_SLURM_DIR;
if (DIR === undefined || DIR === '') {
  process.stderr.write('fake slurm: FAKE_SLURM_DIR is not set\n');
  process.exit(2);
}
const JOBS = join(DIR, 'jobs');
const JOBCOMP = join(DIR, 'jobcomp.txt');
const KILL_WAIT_MS = 1000;
const SECONDS_PER_MINUTE = Number(process.env.FAKE_SLURM_SECONDS_PER_MINUTE ?? '60');
const MIN_JOB_AGE_MS =
  process.env.FAKE_SLURM_MIN_JOB_AGE_S === undefined
    ? Infinity
    : Number(process.env.FAKE_SLURM_MIN_JOB_AGE_S) * 1000;
const PARTITIONS = (process.env.FAKE_SLURM_PARTITIONS ?? 'main*').split(',');
const MAX_MEM_MB = Number(process.env.FAKE_SLURM_MAX_MEM_MB ?? '64000');
const ACTIVE = ['PENDING', 'RUNNING', 'COMPLETING'];
const FIXTURES = join(import.meta.dirname, '../../fixtures/real/slurm');

/** A real capture of test/fixtures/real/slurm, without its `exit=N` line. */
function fixture(name) {
  return readFileSync(join(FIXTURES, name), 'utf8').replace(/^exit=\d+\n?$/m, '');
}

/**
 * What the real `command` printed, and its exit status, when slurmctld could not be reached
 * (retort_controller_unreachable.txt: a transcript of `$ command …`, its output, `exit=N`).
 */
function unreachable(name) {
  const blocks = readFileSync(join(FIXTURES, 'retort_controller_unreachable.txt'), 'utf8')
    .split(/^\$ /m)
    .filter(Boolean);
  const block = blocks.find((b) => b.startsWith(`${name} `));
  const [, output, status] = /^[^\n]*\n([\s\S]*?)exit=(\d+)\n?$/.exec(block ?? '') ?? [];
  return { output: output ?? '', status: Number(status ?? '1') };
}

mkdirSync(JOBS, { recursive: true });

const [command, ...args] = process.argv.slice(2);

function fail(text, code = 1) {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  process.exit(code);
}

/** With the `down` file, the command fails as the real one does when slurmctld is away. */
function failIfDown(name, replace = (text) => text) {
  if (!existsSync(join(DIR, 'down'))) return;
  const { output, status } = unreachable(name);
  fail(replace(output), status);
}

function read(path, fallback = undefined) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function withLock(action) {
  const lock = join(DIR, 'lock');
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    return action();
  } finally {
    rmdirSync(lock);
  }
}

/** Every unit (a job, or a task of an array) SLURM knows, oldest first. */
function units() {
  const all = [];
  const ids = readdirSync(JOBS)
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  for (const id of ids) {
    const job = JSON.parse(read(join(JOBS, String(id), 'job.json'), 'null'));
    if (job === null) continue;
    const names = job.tasks === null ? ['job'] : job.tasks.map((t) => `task-${t}`);
    for (const [i, unit] of names.entries()) {
      const dir = join(JOBS, String(id), unit);
      const task = job.tasks === null ? undefined : job.tasks[i];
      const ended = read(join(dir, 'ended'));
      all.push({
        job,
        dir,
        task,
        ownId: task === undefined ? id : id + i,
        state: (read(join(dir, 'state'), 'PENDING') ?? 'PENDING').trim(),
        exit: (read(join(dir, 'exit'), '0:0') ?? '0:0').trim(),
        ended: ended === undefined ? undefined : Number(ended),
      });
    }
  }
  return all;
}

function remembered(unit) {
  return unit.ended === undefined || Date.now() - unit.ended <= MIN_JOB_AGE_MS;
}

function reason(unit) {
  if (unit.state === 'PENDING') return existsSync(join(DIR, 'hold')) ? 'JobHeldUser' : 'Priority';
  if (unit.state === 'FAILED') return 'NonZeroExitCode';
  if (unit.state === 'TIMEOUT') return 'TimeLimit';
  return 'None';
}

function option(list, name) {
  const prefix = `--${name}=`;
  const found = list.find((a) => a.startsWith(prefix));
  return found === undefined ? undefined : found.slice(prefix.length);
}

// ── sbatch ─────────────────────────────────────────────────────────────────

function sbatch() {
  if (args.includes('--version')) {
    process.stdout.write('slurm-wlm 22.05.8\n');
    return;
  }
  failIfDown('sbatch');
  if (existsSync(join(DIR, 'refuse-jobs'))) {
    appendFileSync(join(DIR, 'refused'), `${args.join(' ')}\n`);
    const { output, status } = unreachable('sbatch');
    fail(output, status);
  }
  const scriptAt = args.findIndex((a) => !a.startsWith('-'));
  if (scriptAt < 0) fail('sbatch: error: no batch script given');
  const options = args.slice(0, scriptAt);
  const [script, ...scriptArgs] = args.slice(scriptAt);
  const partition = option(options, 'partition');
  const names = PARTITIONS.map((p) => p.replace(/\*$/, ''));
  if (partition !== undefined && !names.includes(partition)) {
    fail(fixture('sbatch_bad_partition.txt').replaceAll('nosuchpart', partition));
  }
  const mem = option(options, 'mem');
  if (mem !== undefined && Number.parseInt(mem, 10) > MAX_MEM_MB) {
    fail(fixture('sbatch_too_much_mem.txt'));
  }
  const array = option(options, 'array');
  const tasks =
    array === undefined
      ? null
      : (() => {
          const [, first, last] = /^(\d+)-(\d+)/.exec(array) ?? [];
          const list = [];
          for (let t = Number(first); t <= Number(last); t++) list.push(t);
          return list;
        })();
  const id = withLock(() => {
    const counter = join(DIR, 'next-id');
    const next = Number(read(counter, '1'));
    writeFileSync(counter, String(next + (tasks?.length ?? 1)));
    return next;
  });
  const job = {
    id,
    name: option(options, 'job-name') ?? 'sbatch',
    tasks,
    timeLimitMs: Number(option(options, 'time') ?? '60') * SECONDS_PER_MINUTE * 1000,
    chdir: option(options, 'chdir') ?? process.cwd(),
    output: option(options, 'output') ?? join(process.cwd(), 'slurm-%j.out'),
    partition: partition ?? names[0],
    script,
    args: scriptArgs,
    submitted: Date.now(),
  };
  const dir = join(JOBS, String(id));
  mkdirSync(dir);
  for (const unit of tasks === null ? ['job'] : tasks.map((t) => `task-${t}`)) {
    mkdirSync(join(dir, unit));
    writeFileSync(join(dir, unit, 'state'), 'PENDING');
  }
  writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
  for (const [i, task] of (tasks ?? [undefined]).entries()) {
    const child = spawn(process.execPath, [process.argv[1], '__run', String(id), String(i)], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, FAKE_SLURM_TASK: task === undefined ? '' : String(task) },
    });
    child.unref();
  }
  process.stdout.write(args.includes('--parsable') ? `${id}\n` : `Submitted batch job ${id}\n`);
}

/** The scheduler side of one unit: waits for `hold` to go, runs the script, records its end. */
async function runUnit() {
  const [idText, indexText] = args;
  const id = Number(idText);
  const index = Number(indexText);
  const job = JSON.parse(readFileSync(join(JOBS, idText, 'job.json'), 'utf8'));
  const task = job.tasks === null ? undefined : job.tasks[index];
  const dir = join(JOBS, idText, task === undefined ? 'job' : `task-${task}`);
  const stateFile = join(dir, 'state');
  while (existsSync(join(DIR, 'hold'))) {
    if (read(stateFile) !== 'PENDING') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const started = withLock(() => {
    if (read(stateFile) !== 'PENDING') return false; // cancelled while pending
    writeFileSync(stateFile, 'RUNNING');
    writeFileSync(join(dir, 'started'), String(Date.now()));
    return true;
  });
  if (!started) return;
  const ownId = task === undefined ? id : id + index;
  const output = job.output
    .replaceAll('%j', String(ownId))
    .replaceAll('%A', String(id))
    .replaceAll('%a', String(task ?? ''));
  const out = openSync(output, 'a');
  const env = {
    ...process.env,
    FAKE_SLURM_UNIT: dir,
    SLURM_JOB_ID: String(ownId),
    SLURM_JOB_NAME: job.name,
    SLURM_JOB_PARTITION: job.partition,
    SLURMD_NODENAME: 'fake1',
    ...(task === undefined
      ? {}
      : { SLURM_ARRAY_JOB_ID: String(id), SLURM_ARRAY_TASK_ID: String(task) }),
  };
  delete env.FAKE_SLURM_TASK;
  const child = spawn('/bin/sh', [job.script, ...job.args], {
    cwd: job.chdir,
    env,
    stdio: ['ignore', out, out],
    detached: true,
  });
  const limit = setTimeout(() => {
    const timedOut = withLock(() => {
      if (read(stateFile) !== 'RUNNING') return false;
      writeFileSync(stateFile, 'TIMEOUT');
      return true;
    });
    if (timedOut) signalUnit(dir, 'SIGTERM', true);
  }, job.timeLimitMs);
  child.on('exit', (code, signal) => {
    clearTimeout(limit);
    withLock(() => {
      const state = read(stateFile);
      const signalNumber = signal === null ? 0 : signalNumberOf(signal);
      writeFileSync(join(dir, 'exit'), `${code ?? 0}:${signalNumber}`);
      if (state === 'RUNNING') writeFileSync(stateFile, code === 0 ? 'COMPLETED' : 'FAILED');
      writeFileSync(join(dir, 'ended'), String(Date.now()));
      appendJobcomp(job, id, ownId, task, read(stateFile), `${code ?? 0}:${signalNumber}`);
    });
    // what the batch script left behind is ended, as SLURM ends every process of a job
    signalUnit(dir, 'SIGKILL', false);
  });
}

function signalNumberOf(name) {
  const numbers = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[name] ?? 0;
}

/** Signals every process of a unit; with `thenKill`, KILL follows after KillWait. */
function signalUnit(dir, signal, thenKill) {
  const send = (sig) => {
    for (const pid of unitPids(dir)) {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  send(signal);
  if (thenKill) {
    spawn(process.execPath, [process.argv[1], '__kill', dir], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  }
}

/** KILL, after KillWait, to what is left of a unit that was sent TERM. */
async function killLater() {
  await new Promise((resolve) => setTimeout(resolve, KILL_WAIT_MS));
  signalUnit(args[0], 'SIGKILL', false);
}

function unitPids(dir) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const environ = read(join('/proc', entry, 'environ'));
    if (environ?.split('\0').includes(`FAKE_SLURM_UNIT=${dir}`)) pids.push(Number(entry));
  }
  return pids;
}

function appendJobcomp(job, id, ownId, task, state, exit) {
  const stamp = (ms) => new Date(ms).toISOString().slice(0, 19);
  const array = task === undefined ? '' : ` ArrayJobId=${String(id)} ArrayTaskId=${String(task)}`;
  appendFileSync(
    JOBCOMP,
    `JobId=${String(ownId)} UserId=root(0) GroupId=root(0) Name=${job.name} JobState=${state} Partition=${job.partition} TimeLimit=${String(Math.ceil(job.timeLimitMs / 60_000))} StartTime=${stamp(job.submitted)} EndTime=${stamp(Date.now())} NodeList=fake1 NodeCnt=1 ProcCnt=1 WorkDir=${job.chdir} ReservationName= Tres=cpu=1,node=1,billing=1 Account= QOS= WcKey= Cluster=unknown SubmitTime=${stamp(job.submitted)} EligibleTime=${stamp(job.submitted)}${array} DerivedExitCode=0:0 ExitCode=${exit} \n`,
  );
}

// ── queries ────────────────────────────────────────────────────────────────

function squeue() {
  failIfDown('squeue');
  const format = option(args, 'format') ?? '%i|%T|%j';
  const all = args.includes('--states=all');
  const lines = [];
  for (const unit of units()) {
    if (!remembered(unit) || (!all && !ACTIVE.includes(unit.state))) continue;
    const { job, task } = unit;
    const fields = {
      i: task === undefined ? String(job.id) : `${String(job.id)}_${String(task)}`,
      F: String(job.id),
      K: task === undefined ? 'N/A' : String(task),
      T: unit.state,
      r: reason(unit),
      j: job.name,
      A: String(unit.ownId),
    };
    lines.push(format.replace(/%([A-Za-z])/g, (_, f) => fields[f] ?? ''));
  }
  process.stdout.write(lines.map((l) => `${l}\n`).join(''));
}

function scontrol() {
  const words = args.filter((a) => a !== '--oneliner' && a !== '-o');
  if (words[0] === 'show' && words[1] === 'config') {
    failIfDown('scontrol', (text) => text.replace('slurm_load_jobs', 'slurm_load_ctl_conf'));
    process.stdout.write(
      `Configuration data as of 2026-11-21T08:00:00\nJobCompLoc              = ${JOBCOMP}\nJobCompType             = jobcomp/filetxt\nMinJobAge               = 300 sec\n`,
    );
    return;
  }
  if (words[0] !== 'show' || words[1] !== 'job' || words[2] === undefined) {
    fail(`scontrol: fake SLURM does not know: ${args.join(' ')}`, 2);
  }
  failIfDown('scontrol');
  const wanted = words[2];
  const stamp = (ms) => new Date(ms).toISOString().slice(0, 19);
  const records = units()
    .filter((u) => remembered(u) && (String(u.job.id) === wanted || String(u.ownId) === wanted))
    .map((u) => {
      const { job, task } = u;
      const array =
        task === undefined ? '' : ` ArrayJobId=${String(job.id)} ArrayTaskId=${String(task)}`;
      const started = Number(read(join(u.dir, 'started'), '0'));
      const runS = started === 0 ? 0 : Math.floor(((u.ended ?? Date.now()) - started) / 1000);
      const clock = (s) =>
        [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60]
          .map((n) => String(n).padStart(2, '0'))
          .join(':');
      return `JobId=${String(u.ownId)}${array} JobName=${job.name} UserId=root(0) GroupId=root(0) MCS_label=N/A Priority=4294901759 Nice=0 Account=(null) QOS=(null) JobState=${u.state} Reason=${reason(u)} Dependency=(null) Requeue=0 Restarts=0 BatchFlag=1 Reboot=0 ExitCode=${u.exit} RunTime=${clock(runS)} TimeLimit=${clock(Math.ceil(job.timeLimitMs / 1000))} TimeMin=N/A SubmitTime=${stamp(job.submitted)} Partition=${job.partition} NodeList=fake1 BatchHost=fake1 NumNodes=1 NumCPUs=1 NumTasks=1 CPUs/Task=1 WorkDir=${job.chdir} StdIn=/dev/null Power= \n`;
    });
  if (records.length === 0) fail('slurm_load_jobs error: Invalid job id specified');
  process.stdout.write(records.join(''));
}

function scancel() {
  failIfDown('scancel', (text) =>
    args.map((id) => text.replace('job id 1:', `job id ${id}:`)).join(''),
  );
  const all = units();
  for (const id of args.filter((a) => !a.startsWith('-'))) {
    const [jobId, task] = id.split('_');
    for (const unit of all) {
      if (String(unit.job.id) !== jobId) continue;
      if (task !== undefined && String(unit.task) !== task) continue;
      const stateFile = join(unit.dir, 'state');
      const was = withLock(() => {
        const state = read(stateFile);
        if (!ACTIVE.includes(state)) return undefined;
        writeFileSync(stateFile, 'CANCELLED');
        if (state === 'PENDING') {
          writeFileSync(join(unit.dir, 'ended'), String(Date.now()));
          appendJobcomp(unit.job, unit.job.id, unit.ownId, unit.task, 'CANCELLED', '0:0');
        }
        return state;
      });
      if (was === 'RUNNING') signalUnit(unit.dir, 'SIGTERM', true);
    }
  }
}

function sinfo() {
  failIfDown('sinfo');
  process.stdout.write(PARTITIONS.map((p) => `${p} up infinite 1\n`).join(''));
}

switch (command) {
  case 'sbatch':
    sbatch();
    break;
  case '__run':
    await runUnit();
    break;
  case '__kill':
    await killLater();
    break;
  case 'squeue':
    squeue();
    break;
  case 'scontrol':
    scontrol();
    break;
  case 'scancel':
    scancel();
    break;
  case 'sinfo':
    sinfo();
    break;
  default:
    fail(`fake slurm: unknown command ${String(command)}`, 2);
}
