import type { Engine } from '../engine.js';
import { crestVersion, parseCrest } from './parse.js';
import { CREST_TASKS, prepareCrest } from './prepare.js';

export type { CrestResult } from './parse.js';

/** CREST (GFN2-xTB conformer ensembles): task `conformers`. */
export const crestEngine: Engine = {
  program: 'crest',
  adapterVersion: '1',
  tasks: CREST_TASKS,
  resultFields: { conformers: ['conformers', 'count', 'method'] },
  prepare: prepareCrest,
  parse: parseCrest,
  versionProbe: {
    argv: ['crest', '--version'],
    parse: (stdout: string, stderr: string) => crestVersion(stdout) ?? crestVersion(stderr),
  },
};
