import { describe, expect, it } from 'vitest';
import {
  CALC_WRAPPER,
  calcWrapperArgs,
  isCalcWrapperFor,
  parseExitMarker,
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
});
