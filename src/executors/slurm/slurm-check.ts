import { errorMessage } from '../../core/errors.js';
import type { SlurmHost } from './slurm-host.js';
import type { CheckLine, ProgramToCheck } from '../executor.js';
import { remoteProbe } from '../remote/remote-calc.js';
import type { ExecResult, Transport } from '../remote/transport.js';

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
 * 5. each program: its version by its probe, or its path by `command -v` (no probe); a program
 *    the campaign does not use is a note, not a failure, when missing;
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
  const started = Date.now();
  try {
    const r = await transport.exec(['uname', '-nsr'], { timeoutMs: 30_000 });
    report({
      ok: r.exitCode === 0,
      line: `reached ${transport.description}: ${r.stdout.trim()} (${String(Date.now() - started)} ms)`,
    });
  } catch (error) {
    report({ ok: false, line: `cannot reach ${transport.description}: ${errorMessage(error)}` });
    return;
  }
  const run = (
    argv: readonly string[],
  ): Promise<ExecResult | { exitCode: null; stdout: string; stderr: string }> =>
    transport
      .exec(argv)
      .catch((error: unknown) => ({ exitCode: null, stdout: '', stderr: errorMessage(error) }));
  const scratch = host.scratch ?? options.localWorkDir;
  const probe = `${scratch}/.retort-check-${String(process.pid)}`;
  const written = await run([
    '/bin/sh',
    '-c',
    'mkdir -p -- "$1" && touch -- "$2" && rm -f -- "$2"',
    'retort-check',
    scratch,
    probe,
  ]);
  report({
    ok: written.exitCode === 0,
    line:
      written.exitCode === 0
        ? `scratch ${scratch} is writable`
        : `scratch ${scratch} is not writable: ${written.stderr.trim()}`,
  });
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
  for (const program of programs) {
    const r =
      program.argv === undefined
        ? await run(['/bin/sh', '-c', 'command -v -- "$1"', 'retort-which', program.path])
        : await remoteProbe(transport, program.argv);
    const version =
      program.argv === undefined
        ? r.exitCode === 0
          ? r.stdout.trim()
          : undefined
        : r.exitCode === 127 || r.exitCode === null
          ? undefined
          : program.parse?.(r.stdout, r.stderr);
    report({
      ok: version !== undefined || !program.needed,
      optional: version === undefined && !program.needed,
      line:
        version !== undefined
          ? `${program.program}: ${version}${program.argv === undefined ? '' : ` (${program.path})`}`
          : `${program.program}: not found as ${program.path}${program.needed ? ' (the campaign uses it)' : ''}`,
    });
  }
  report({
    ok: true,
    optional: true,
    line: 'note: programs were looked for where sbatch runs; compute nodes see them after the setup lines',
  });
}
