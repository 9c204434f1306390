import type { Engine } from '../engine.js';
import { parseCommand } from './parse.js';
import { COMMAND_TASKS, prepareCommand } from './prepare.js';

export type { CommandResult } from './parse.js';

/** Any program described by `spec.command` (argv, files, outputs, env); task `run`. */
export const commandEngine: Engine = {
  program: 'command',
  adapterVersion: '1',
  tasks: COMMAND_TASKS,
  resultFields: { run: ['exit_code', 'files', 'stdout_tail'] },
  prepare: prepareCommand,
  parse: parseCommand,
};
