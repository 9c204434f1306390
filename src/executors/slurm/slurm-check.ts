import { checkPrograms, checkReached, checkScratch, type RunThere } from '../check-steps.js';
import type { CheckLine, ProgramToCheck } from '../executor.js';
import { remoteProbe } from '../remote/remote-calc.js';
import type { Transport } from '../remote/transport.js';
import type { SlurmHost } from './slurm-host.js';

/**
 * `Executor.check` for a SLURM cluster, made where its commands run (this machine, or the login
 * node of `via`), one line each, in this order:
 *
 * 1. `reached …` with `uname -nsr` (30 s at most); when it fails, nothing else is checked;
 * 2. `scratch DIR is writable` (`scratch`, or `localWorkDir` for a cluster sharing this
 *    machine's file system): a directory made and a file created and removed there;
 * 3. `sbatch --version` and `squeue --me --noheader --format=%i` answer;
 * 4. `partition P exists` when one is set (sinfo lists it), else the partitions sinfo lists,
 *    the default being used;
 * 5. each program, after the host's setup lines (as a job script runs them): its version by its
 *    probe, or its path by `command -v` (no probe); a program the campaign does not use is a
 *    note, not a failure, when missing;
 * 6. a note that programs were looked for where sbatch runs, not on the compute nodes.
 */
export async function checkSlurm(
  options: {
    readonly transport: Transport;
    readonly host: SlurmHost;
    readonly localWorkDir: string;
  },
  programs: readonly ProgramToCheck[],
  report: (line: CheckLine) => void,
): Promise<void> {
  const { transport, host } = options;
  const reached = await checkReached(
    transport.description,
    (argv) => transport.exec(argv, { timeoutMs: 30_000 }),
    report,
  );
  if (!reached) return;
  const run: RunThere = (argv) => remoteProbe(transport, argv);
  await checkScratch(host.scratch ?? options.localWorkDir, run, report);
  for (const argv of [
    ['sbatch', '--version'],
    ['squeue', '--me', '--noheader', '--format=%i'],
  ]) {
    const r = await run(argv);
    report({
      ok: r.exitCode === 0,
      line:
        r.exitCode === 0
          ? `${argv.join(' ')}: answers (${r.stdout.trim().split('\n')[0] ?? ''})`
          : `${argv.join(' ')} failed: ${r.stderr.trim()}`,
    });
  }
  const sinfo = await run(['sinfo', '--noheader', '--format=%P %a %l %D']);
  const partitions = sinfo.stdout
    .trim()
    .split('\n')
    .map((line) => line.split(' ')[0]?.replace(/\*$/, '') ?? '')
    .filter((name) => name !== '');
  if (host.partition !== undefined) {
    const exists = partitions.includes(host.partition);
    report({
      ok: exists,
      line: exists
        ? `partition ${host.partition} exists`
        : `partition ${host.partition} is not among ${partitions.join(', ') || `what sinfo lists (${sinfo.stderr.trim()})`}`,
    });
  } else {
    report({
      ok: sinfo.exitCode === 0,
      line:
        sinfo.exitCode === 0
          ? `partitions: ${partitions.join(', ')} (the default is used)`
          : `sinfo failed: ${sinfo.stderr.trim()}`,
    });
  }
  await checkPrograms(programs, (argv) => remoteProbe(transport, argv, host.setup), report);
  report({
    ok: true,
    optional: true,
    line: `note: programs were looked for where sbatch runs${host.setup.length === 0 ? '' : ', after the setup lines'}; compute nodes may differ`,
  });
}
