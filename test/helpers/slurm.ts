import { execFile, spawnSync } from 'node:child_process';
import { delimiter, dirname, join, resolve } from 'node:path';
import { accessSync, constants, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useDaemon } from './test-daemons.js';

const run = promisify(execFile);

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const UP_SCRIPT = join(ROOT, 'scripts/dev/slurm-up.sh');

/** The dev cluster of scripts/dev/slurm-up.sh, as the tests use it. */
export interface SlurmCluster {
  /** RETORT_SLURM_DIR: state, logs, `jobs/` (a world-writable scratch directory). */
  readonly dir: string;
  /** The cluster's slurm.conf. */
  readonly conf: string;
  /** What SLURM commands need in their environment: `{ SLURM_CONF }`. */
  readonly env: Record<string, string>;
  /** `faults` is for test/cli/slurm-run's node-DOWN test alone: nothing else runs there. */
  readonly partitions: { readonly main: string; readonly faults: string };
  /** n1 … nN; the first half are in `main`, the rest in `faults`. */
  readonly nodes: string[];
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * Why the SLURM tests cannot run here (for `describe.skipIf`), or undefined when they can:
 * the dev cluster needs Linux, root (slurmd launches jobs as root here), flock, and either the
 * SLURM and munge programs or apt-get to install them. `RETORT_TEST_SLURM=0` turns them off.
 */
export function slurmUnavailable(): string | undefined {
  if (process.env.RETORT_TEST_SLURM === '0') return 'SLURM tests turned off (RETORT_TEST_SLURM=0)';
  if (process.platform !== 'linux') return 'the SLURM dev cluster runs on Linux only';
  if (process.getuid?.() !== 0) return 'the SLURM dev cluster needs root';
  if (!onPath('flock')) return 'flock (util-linux) is missing';
  const installed = ['slurmctld', 'slurmd', 'sbatch', 'munged'].every((p) => onPath(p));
  if (!installed && !onPath('apt-get')) return 'SLURM is not installed and apt-get is missing';
  return undefined;
}

let cluster: Promise<SlurmCluster> | undefined;

/**
 * Brings the dev cluster up (once per test file's process) and describes it. The suite stops
 * it when it ends if the suite started it (see test-daemons.ts). Test files run in
 * parallel: slurm-up.sh runs under an flock on `<dir>.lock`, and with RETORT_SLURM_RESUME=0, so
 * that it never resumes a node another test file took down on purpose. A test that takes a
 * node down resumes it itself ({@link setNodeState}).
 */
export function ensureSlurm(): Promise<SlurmCluster> {
  cluster ??= bringUp();
  return cluster;
}

async function bringUp(): Promise<SlurmCluster> {
  const unavailable = slurmUnavailable();
  if (unavailable !== undefined) throw new Error(unavailable);
  const dir = process.env.RETORT_SLURM_DIR ?? '/tmp/retort-slurm';
  const count = Number(process.env.RETORT_SLURM_NODES ?? '4');
  const wasRunning = controllerRunning(join(dir, 'run', 'slurmctld.pid'));
  const { stdout } = await run(
    'flock',
    ['--close', '--wait', '1800', `${dir}.lock`, 'bash', UP_SCRIPT],
    {
      env: { ...process.env, RETORT_SLURM_DIR: dir, RETORT_SLURM_RESUME: '0' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const conf = /^export SLURM_CONF=(.+)$/m.exec(stdout)?.[1];
  if (conf === undefined) throw new Error(`slurm-up.sh did not print SLURM_CONF:\n${stdout}`);
  useDaemon('slurm', dir, wasRunning);
  const nodes = Array.from({ length: count }, (_, i) => `n${i + 1}`);
  return {
    dir,
    conf,
    env: { SLURM_CONF: conf },
    partitions: { main: 'main', faults: 'faults' },
    nodes,
  };
}

/** Whether the pid file names a running slurmctld. */
function controllerRunning(pidFile: string): boolean {
  try {
    const pid = readFileSync(pidFile, 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'slurmctld' && state !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Takes a node DOWN (its jobs end as NODE_FAIL, or go back to the queue when requeueable) or
 * RESUMEs it, and returns once sinfo shows it down, or taking jobs again. Synchronous (it blocks
 * for as long as that takes, usually well under a second), so it can be called from `finally`.
 * Resuming a node that is not down is fine.
 */
export function setNodeState(
  cluster: SlurmCluster,
  node: string,
  state: 'DOWN' | 'RESUME',
  reason: string,
): void {
  const args = ['update', `NodeName=${node}`, `State=${state}`];
  if (state === 'DOWN') args.push(`Reason=${reason}`);
  const update = slurmCommand(cluster, ['scontrol', ...args]);
  // scontrol refuses to RESUME a node that is up
  const alreadyUp = state === 'RESUME' && update.stderr.includes('Invalid node state specified');
  if (update.status !== 0 && !alreadyUp) {
    throw new Error(`scontrol ${args.join(' ')} failed: ${update.stderr}`);
  }
  const wanted = state === 'DOWN' ? /^down/ : /^(idle|mixed|allocated|completing)$/;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const shown = slurmCommand(cluster, [
      'sinfo',
      '-h',
      '-N',
      '-n',
      node,
      '-o',
      '%T',
    ]).stdout.trim();
    if (wanted.test(shown)) return;
    if (Date.now() > deadline) throw new Error(`node ${node} is ${shown}, not ${state}`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
}

/** The completion log (JobCompType=jobcomp/filetxt): every finished job, one line each. */
export function jobcompPath(cluster: SlurmCluster): string {
  return join(cluster.dir, 'log', 'jobcomp.txt');
}

/** Runs a SLURM command against the cluster, synchronously; stdout, stderr and status. */
export function slurmCommand(
  cluster: SlurmCluster,
  argv: readonly string[],
): { stdout: string; stderr: string; status: number | null } {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('no command');
  const result = spawnSync(program, args, {
    env: { ...process.env, ...cluster.env },
    encoding: 'utf8',
  });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status };
}
