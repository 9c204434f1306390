import { describe, expect, it } from 'vitest';
import { allowedValues, filledCalcOptions, scalarText } from '../../src/cli/template-form.js';
import type { ParameterSpec } from '../../src/templates/header.js';

const spec = (p: Partial<ParameterSpec> & Pick<ParameterSpec, 'name' | 'type'>): ParameterSpec => ({
  default: undefined,
  required: false,
  min: undefined,
  max: undefined,
  choices: undefined,
  unit: undefined,
  help: undefined,
  multiline: false,
  ...p,
});

describe('the template form helpers', () => {
  it('say what a parameter allows: choices, a range, one bound, several lines or anything', () => {
    expect(allowedValues(spec({ name: 'c', type: 'choice', choices: ['HF', 'DFT'] }))).toBe(
      'HF | DFT',
    );
    expect(allowedValues(spec({ name: 'n', type: 'int', min: 1, max: 48 }))).toBe('1 … 48');
    expect(allowedValues(spec({ name: 'n', type: 'float', min: 0 }))).toBe('≥ 0');
    expect(allowedValues(spec({ name: 'n', type: 'float', max: 3 }))).toBe('≤ 3');
    expect(allowedValues(spec({ name: 's', type: 'string', multiline: true }))).toBe(
      'several lines',
    );
    expect(allowedValues(spec({ name: 's', type: 'string' }))).toBe('');
  });

  it('write a default as --set takes it: text as is, anything else as JSON', () => {
    expect(scalarText('PM7')).toBe('PM7');
    expect(scalarText(1e-8)).toBe('1e-8');
    expect(scalarText(true)).toBe('true');
  });

  it('turn a filled form into calc options: the first crystal and molecule by path, the rest by --set', () => {
    const parameters = [
      spec({ name: 'structure', type: 'structure' }),
      spec({ name: 'ecutwfc', type: 'float' }),
      spec({ name: 'other', type: 'structure' }),
      spec({ name: 'mol', type: 'molecule' }),
      spec({ name: 'unset', type: 'int' }),
    ];
    expect(
      filledCalcOptions(parameters, {
        ecutwfc: '40',
        structure: '/a/si.cif',
        other: '/a/mgo.cif',
        mol: '/a/w.xyz',
      }),
    ).toEqual({
      set: ['ecutwfc=40', 'other=/a/mgo.cif'],
      structure: '/a/si.cif',
      xyz: '/a/w.xyz',
    });
    expect(filledCalcOptions(parameters, {})).toEqual({ set: [] });
  });
});
