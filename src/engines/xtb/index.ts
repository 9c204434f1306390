import type { Engine } from '../engine.js';
import { parseXtb } from './parse.js';
import { XTB_TASKS, prepareXtb } from './prepare.js';

export type { XtbResult } from './parse.js';

/** xtb (GFN2, GFN1, GFN0, GFN-FF): tasks `energy` and `optimize`. */
export const xtbEngine: Engine = {
  program: 'xtb',
  adapterVersion: '1',
  tasks: XTB_TASKS,
  prepare: prepareXtb,
  parse: parseXtb,
};
