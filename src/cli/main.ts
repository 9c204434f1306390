import { Command, CommanderError } from 'commander';
import { RetortError } from '../core/errors.js';
import { systemFailureLine } from '../runtime/system-failure.js';
import { registerBatch } from './commands/batch.js';
import { registerCalc } from './commands/calc.js';
import { registerCancel } from './commands/cancel.js';
import { registerEstimate } from './commands/estimate.js';
import { registerExport } from './commands/export.js';
import { registerHosts } from './commands/hosts.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerMbe } from './commands/mbe.js';
import { registerNmr } from './commands/nmr.js';
import { registerPlot } from './commands/plot.js';
import { registerReport } from './commands/report.js';
import { registerRun } from './commands/run.js';
import { registerStatus } from './commands/status.js';
import { registerStop } from './commands/stop.js';
import { registerTemplate } from './commands/template.js';
import { registerTui } from './commands/tui.js';
import { registerWorkflow } from './commands/workflow.js';
import { withLogOptions } from './session.js';

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
registerCancel(program);
registerExport(program);
registerMbe(program);
registerNmr(program);
registerPlot(program);
registerHosts(program);
registerTemplate(program);
registerWorkflow(program);
registerTui(program);
registerEstimate(program);
registerReport(program);

// Every command that runs calcs takes the run's log level.
for (const path of [
  ['run'],
  ['calc'],
  ['batch', 'run'],
  ['batch', 'resume'],
  ['mbe', 'run'],
  ['workflow', 'run'],
  ['nmr', 'predict'],
  ['nmr', 'bench', 'run'],
]) {
  let command: Command | undefined = program;
  for (const name of path) command = command?.commands.find((c) => c.name() === name);
  if (command !== undefined) withLogOptions(command);
}

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
  const system = systemFailureLine(error);
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
