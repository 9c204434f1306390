import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/engines/registry.js';
import { programsToCheck } from '../../src/runtime/host-check.js';

describe('programsToCheck', () => {
  it("needs the programs the campaign's calcs use, at the host's paths, with their probes", () => {
    const programs = programsToCheck({ obabel: '/opt/ob/bin/obabel' }, [
      'obabel',
      'mopac',
      'command',
    ]);
    expect(programs.map((p) => [p.program, p.path, p.needed])).toEqual([
      ['mopac', 'mopac', true],
      ['obabel', '/opt/ob/bin/obabel', true],
    ]);
    const obabel = programs[1];
    expect(obabel?.argv?.[0]).toBe('/opt/ob/bin/obabel');
    expect(obabel?.parse?.('Open Babel 3.1.0 -- Mar  9 2023 -- 08:28:50\n', '')).toBe('3.1.0');
    // MOPAC states its version in its outputs: it is only looked up.
    expect(programs[0]?.argv).toBeUndefined();
  });

  it('looks for every program but command before any calc, needing none', () => {
    const programs = programsToCheck({}, []);
    expect(programs.map((p) => p.program)).toEqual(
      ENGINES.map((e) => e.program).filter((p) => p !== 'command'),
    );
    expect(programs.every((p) => !p.needed)).toBe(true);
  });
});
