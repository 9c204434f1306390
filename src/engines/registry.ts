import { InputError } from '../core/errors.js';
import { commandEngine } from './command/index.js';
import { crestEngine } from './crest/index.js';
import { crystalEngine } from './crystal/index.js';
import type { Engine } from './engine.js';
import { mopacEngine } from './mopac/index.js';
import { nwchemEngine } from './nwchem/index.js';
import { obabelEngine } from './obabel/index.js';
import { psi4Engine } from './psi4/index.js';
import { qeEngine } from './qe/index.js';
import { xtbEngine } from './xtb/index.js';

/** Every engine retort knows, by program name. */
export const ENGINES: readonly Engine[] = [
  mopacEngine,
  xtbEngine,
  obabelEngine,
  commandEngine,
  crestEngine,
  psi4Engine,
  nwchemEngine,
  qeEngine,
  crystalEngine,
];

/** The engine of a program; InputError('program') naming the known ones otherwise. */
export function getEngine(program: string): Engine {
  const engine = ENGINES.find((e) => e.program === program);
  if (engine === undefined) {
    throw new InputError(
      'program',
      `unknown program "${program}"; known: ${ENGINES.map((e) => e.program).join(', ')}`,
    );
  }
  return engine;
}
