import { describe, expect, it } from 'vitest';
import { programIndex, programOf } from '../../../src/core/job-spec.js';
import { ProgramPaths } from '../../../src/runtime/runner/program-paths.js';

describe('ProgramPaths', () => {
  const paths = new ProgramPaths({
    obabel: '/opt/ob/bin/obabel',
    mopac: '/opt/mopac/MOPAC2016.exe',
  });

  it('maps argv[0] to the configured path and leaves unknown programs and the arguments alone', () => {
    expect(paths.argv(['mopac', 'in.mop'])).toEqual(['/opt/mopac/MOPAC2016.exe', 'in.mop']);
    expect(paths.argv(['xtb', 'mol.xyz'])).toEqual(['xtb', 'mol.xyz']);
    expect(paths.argv([])).toEqual([]);
  });

  it('maps the program after an env NAME=VALUE prefix, keeping the assignments', () => {
    const argv = [
      'env',
      'LD_PRELOAD=/usr/$LIB/x.so',
      'FAKETIME=2000-01-01 00:00:00',
      'obabel',
      '-:C',
    ];
    expect(paths.argv(argv)).toEqual([
      'env',
      'LD_PRELOAD=/usr/$LIB/x.so',
      'FAKETIME=2000-01-01 00:00:00',
      '/opt/ob/bin/obabel',
      '-:C',
    ]);
    expect(programIndex(argv)).toBe(3);
    expect(programOf(argv)).toBe('obabel');
    // An argument that looks like an assignment after the program is the program's.
    expect(programOf(['env', 'obabel', 'A=1'])).toBe('obabel');
    expect(programOf(['mopac', 'A=1'])).toBe('mopac');
  });
});
