import { Command, CommanderError } from 'commander';
import { RetortError } from '../core/errors.js';
import { registerBatch } from './commands/batch.js';
import { registerCalc } from './commands/calc.js';
import { registerExport } from './commands/export.js';
import { registerHosts } from './commands/hosts.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerMbe } from './commands/mbe.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerStop } from './commands/stop.js';

const program = new Command('retort')
  .description(
    'Run large numbers of quantum-chemistry calculations reliably: every calc recorded durably, never computed twice, resumed exactly after a crash.',
  )
  .version('0.1.0')
  .option(
    '-C, --campaign <dir>',
    'the campaign directory (default: the nearest directory upwards holding retort.yaml)',
  )
  .option('--debug', 'show the stack of errors')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerInit(program);
registerImport(program);
registerCalc(program);
registerRun(program);
registerBatch(program);
registerStatus(program);
registerStop(program);
registerExport(program);
registerMbe(program);
registerHosts(program);

// A reader that goes away (`retort status | head -1`) must not kill a command half-way: what it
// would have read is dropped, and the command ends as it would have (a runner goes on with its
// calcs, `hosts check` releases its connection). Other write errors still end the process.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error, process.argv.includes('--debug'));
}

/** One line for the user's mistakes; the stack only with --debug. Returns the exit status. */
function report(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // commander has printed its own message (or the help/version it was asked for).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof RetortError && error.userFacing) {
    process.stderr.write(`retort: ${error.message}\n`);
    if (debug && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    return 2;
  }
  if (error instanceof RetortError) {
    // Not the user's mistake, but a known condition with its own message (a disk, a host).
    process.stderr.write(`retort: ${error.message}\n`);
    if (debug && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
  const system = systemFailure(error);
  if (system !== undefined) {
    process.stderr.write(`retort: ${system}\n`);
    if (debug && error instanceof Error && error.stack !== undefined)
      process.stderr.write(`${error.stack}\n`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `retort: internal error: ${message}${debug ? '' : ' (run with --debug for details)'}\n`,
  );
  if (debug && error instanceof Error && error.stack !== undefined)
    process.stderr.write(`${error.stack}\n`);
  return 1;
}

/**
 * One line for a failure of the machine rather than of retort: a full disk, a file system that
 * refuses writes, an I/O error, whether Node (errno codes) or SQLite (SQLITE_* codes) saw it.
 */
function systemFailure(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path } = error as NodeJS.ErrnoException;
  const where = path === undefined ? '' : ` (${path})`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
    case 'SQLITE_FULL':
      return `the disk is full${where}: ${error.message}; free some space and run again (nothing recorded is lost)`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
    case 'SQLITE_READONLY':
      return `a file cannot be written${where}: ${error.message}; check the permissions of the campaign directory`;
    case 'EIO':
    case 'SQLITE_IOERR':
      return `the file system failed to read or write${where}: ${error.message}; check the disk, then run again`;
    default:
      return code?.startsWith('SQLITE_IOERR') === true
        ? `the file system failed to read or write the store: ${error.message}; check the disk (is it full?), then run again`
        : undefined;
  }
}
