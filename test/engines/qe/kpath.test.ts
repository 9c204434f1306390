import { describe, expect, it } from 'vitest';
import { InputError } from '../../../src/core/errors.js';
import { inputKPath } from '../../../src/engines/qe/kpath.js';

describe('the k-path of a rendered bands input', () => {
  it('reads the points, their labels and the points per segment of K_POINTS crystal_b', () => {
    const input = [
      '&control',
      "  calculation = 'bands'",
      '/',
      'K_POINTS crystal_b',
      '3',
      '0.0 0.0 0.0 20 ! G',
      '0.5 0.0 0.5 10 ! X',
      '0.5 0.5 0.5 1',
      '',
    ].join('\n');
    expect(inputKPath(input)).toEqual({
      path: [
        { label: 'G', fractional: [0, 0, 0] },
        { label: 'X', fractional: [0.5, 0, 0.5] },
        { label: '', fractional: [0.5, 0.5, 0.5] },
      ],
      counts: [20, 10, 1],
    });
  });

  it('refuses an input without a crystal_b path or with a line that is not four numbers', () => {
    expect(() => inputKPath('K_POINTS automatic\n4 4 4 0 0 0\n')).toThrow(InputError);
    expect(() => inputKPath('K_POINTS crystal_b\n2\n0 0 0 10\n0.5 x 0 1\n')).toThrow(
      /not "k1 k2 k3 n"/,
    );
  });
});
