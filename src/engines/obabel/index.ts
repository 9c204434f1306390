import type { Engine } from '../engine.js';
import { parseObabel } from './parse.js';
import { OBABEL_TASKS, prepareObabel } from './prepare.js';

export type { ConformersResult, Gen3dResult } from './parse.js';

/** Open Babel: `gen3d` (SMILES → 3D geometry) and `conformers` (genetic or Confab search). */
// Version 2: every run is seeded (seed.ts), so results of version 1, seeded from the clock, are
// not those of the same spec now.
export const obabelEngine: Engine = {
  program: 'obabel',
  adapterVersion: '2',
  tasks: OBABEL_TASKS,
  resultFields: {
    gen3d: ['geometry', 'atom_count', 'charge', 'multiplicity'],
    conformers: ['conformers', 'count', 'algorithm'],
  },
  prepare: prepareObabel,
  parse: parseObabel,
  versionProbe: {
    argv: ['obabel', '-V'],
    parse: (stdout: string) => /Open Babel (\d+(?:\.\d+)+)/.exec(stdout)?.[1],
  },
};
