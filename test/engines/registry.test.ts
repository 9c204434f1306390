import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { ENGINES, getEngine } from '../../src/engines/registry.js';

describe('the engine registry', () => {
  it('finds every engine by its program name', () => {
    expect(ENGINES.map((e) => e.program)).toEqual([
      'mopac',
      'xtb',
      'obabel',
      'command',
      'crest',
      'psi4',
      'nwchem',
      'qe',
      'crystal',
    ]);
    for (const engine of ENGINES) expect(getEngine(engine.program)).toBe(engine);
  });

  it('refuses an unknown program, naming the known ones', () => {
    expect(() => getEngine('gaussian')).toThrow(InputError);
    expect(() => getEngine('gaussian')).toThrow(
      'program: unknown program "gaussian"; known: mopac, xtb, obabel, command',
    );
  });
});
