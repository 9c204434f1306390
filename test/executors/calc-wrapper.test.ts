import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import {
  CALC_WRAPPER,
  calcWrapperArgs,
  isCalcWrapperFor,
  parseExitMarker,
  probeArgs,
} from '../../src/executors/calc-wrapper.js';

describe('calc wrapper', () => {
  it('passes workdir, stdin and argv as positional parameters, never inside the script', () => {
    const args = calcWrapperArgs('/calc/$(rm -rf)', undefined, ['prog', '"; echo x']);
    expect(args).toEqual([
      '-c',
      CALC_WRAPPER,
      'retort-calc',
      '/calc/$(rm -rf)',
      '',
      'prog',
      '"; echo x',
    ]);
    expect(CALC_WRAPPER).not.toContain('/calc/');
  });

  it('recognises its own command line only for the same calc directory', () => {
    const args = ['/bin/sh', ...calcWrapperArgs('/calc/a', 'in', ['prog'])];
    expect(isCalcWrapperFor(args, '/calc/a')).toBe(true);
    expect(isCalcWrapperFor(args, '/calc/b')).toBe(false);
    expect(isCalcWrapperFor(['/bin/sh', '-c', 'other', 'retort-calc', '/calc/a'], '/calc/a')).toBe(
      false,
    );
  });

  it('accepts an exit marker only when it is complete', () => {
    expect(parseExitMarker('0\n')).toBe(0);
    expect(parseExitMarker('143\n')).toBe(143);
    expect(parseExitMarker('14')).toBeUndefined();
    expect(parseExitMarker('')).toBeUndefined();
    expect(parseExitMarker('999\n')).toBeUndefined();
    expect(parseExitMarker('x\n')).toBeUndefined();
  });

  it('runs the setup lines before the program, with no positional parameters of ours, and the program inherits what they export', () => {
    const dir = mkdtempSync(join(tmpdir(), 'retort-setup-'));
    try {
      mkdirSync(join(dir, '.retort'));
      writeFileSync(join(dir, 'env.sh'), 'echo "args:$#"\nexport CRY_ENV=sourced\n');
      const setup = ['. ./env.sh', 'echo second line'];
      const args = calcWrapperArgs(
        dir,
        undefined,
        ['sh', '-c', 'echo "$CRY_ENV $1"', 'x', 'arg'],
        setup,
      );
      const run = spawnSync('/bin/sh', args, { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(readFileSync(join(dir, 'stdout'), 'utf8')).toBe('sourced arg\n');
      expect(readFileSync(join(dir, '.retort', 'setup.out'), 'utf8')).toBe('args:0\nsecond line\n');
      expect(readFileSync(join(dir, '.retort', 'exit'), 'utf8')).toBe('0\n');
      expect(isCalcWrapperFor(['/bin/sh', ...args], dir)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a probe after the setup lines, which it sees, and without them exactly as given', () => {
    const r = spawnSync(
      '/bin/sh',
      probeArgs(['sh', '-c', 'echo "$CRY_ENV"'], ['export CRY_ENV=set', 'echo noise']).slice(1),
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('set\n');
    expect(probeArgs(['prog', '--version'])).toEqual([
      '/bin/sh',
      '-c',
      'cd "${TMPDIR:-/tmp}" && exec "$@"',
      'retort-probe',
      'prog',
      '--version',
    ]);
  });

  it('is the plain wrapper without setup lines and refuses a setup line holding a line break', () => {
    expect(calcWrapperArgs('/calc/a', undefined, ['prog'], [])[1]).toBe(CALC_WRAPPER);
    expect(() => calcWrapperArgs('/calc/a', undefined, ['prog'], ['a\nb'])).toThrow(InputError);
  });
});
