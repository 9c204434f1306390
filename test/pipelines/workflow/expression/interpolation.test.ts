import { describe, expect, it } from 'vitest';
import { InputError } from '../../../../src/core/errors.js';
import {
  evaluateInterpolation,
  hasInterpolation,
  interpolateValue,
  interpolationReferences,
  parseInterpolation,
  valueReferences,
} from '../../../../src/pipelines/workflow/expression/index.js';
import { scope } from './helpers.js';

function text(t: string) {
  return evaluateInterpolation(parseInterpolation(t, 'wf.yaml:7'), scope, 'wf.yaml:7');
}

function refused(t: string): string {
  try {
    parseInterpolation(t, 'wf.yaml:7');
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error(`expected ${t} to be refused`);
}

describe('strings with ${{ … }} parts', () => {
  it('gives a lone expression its typed value', () => {
    expect(text('${{ params.ecutwfc }}')).toBe(25);
    expect(text('${{steps.relax.result.structure}}')).toEqual(
      scope.steps && { cell: [[5.43, 0, 0]], sites: [] },
    );
    expect(text('${{ steps.relax.result.converged }}')).toBe(true);
    expect(text('${{ null }}')).toBeNull();
  });

  it('renders every part into a string when there is text around', () => {
    expect(text('ecut=${{ params.ecutwfc }} Ry')).toBe('ecut=25 Ry');
    expect(text('${{ matrix.structure }}-${{ params.ecutwfc / 2 }}')).toBe('si.cif-12.5');
    expect(text(' ${{ params.ecutwfc }}')).toBe(' 25');
    expect(text('${{ steps.relax.result.converged }}/${{ null }}/${{ params.names }}')).toBe(
      'true/null/["a","b"]',
    );
    expect(text('cell ${{ steps.relax.result.structure.cell }}')).toBe('cell [[5.43,0,0]]');
  });

  it('leaves text without parts as it is, braces included', () => {
    expect(text('plain {{ text }} $ {')).toBe('plain {{ text }} $ {');
    expect(hasInterpolation('plain {{ text }}')).toBe(false);
    expect(hasInterpolation('a ${{ b }}')).toBe(true);
  });

  it('does not end an expression at }} inside a quoted string', () => {
    expect(text('${{ "}}" + \'}}\' }}')).toBe('}}}}');
    expect(text('a ${{ "\\"}}" }} b')).toBe('a "}} b');
    expect(text("${{ '${{' }}")).toBe('${{');
  });

  it('counts columns of errors in the whole string', () => {
    expect(refused('a ${{ params.x + }}')).toBe(
      'wf.yaml:7: column 18: expected a value, found the end',
    );
    expect(refused('ab ${{ params.x')).toBe(
      'wf.yaml:7: column 4: expected "}}" to close this "${{"',
    );
    expect(refused('x ${{   }}')).toBe(
      'wf.yaml:7: column 3: expected an expression inside "${{ }}"',
    );
    expect(refused('${{ 1 }} and ${{ a = 1 }}')).toBe(
      'wf.yaml:7: column 20: unexpected "="; compare with "=="',
    );
  });

  it('lists what every part reads', () => {
    const i = parseInterpolation('${{ params.a }}-${{ steps.s.result.e }}-${{ params.a }}', 'w');
    expect(interpolationReferences(i)).toEqual([
      ['params', 'a'],
      ['steps', 's', 'result', 'e'],
    ]);
    expect(interpolationReferences(parseInterpolation('none', 'w'))).toEqual([]);
  });
});

describe('JSON values holding strings with parts', () => {
  const value = {
    keywords: { ecutwfc: '${{ params.ecutwfc * 2 }}', calculation: 'scf' },
    argv: ['cat', '${{ matrix.structure }}', 3],
    '${{ key }}': true,
  };

  it('interpolates every string but leaves keys and other values alone', () => {
    expect(interpolateValue(value, scope, 'wf.yaml:9: steps.scf')).toEqual({
      keywords: { ecutwfc: 50, calculation: 'scf' },
      argv: ['cat', 'si.cif', 3],
      '${{ key }}': true,
    });
  });

  it('names the nested field an error is in', () => {
    expect(() =>
      interpolateValue(
        { files: { 'a.txt': '${{ steps.relax.result.nope }}' } },
        scope,
        'wf.yaml:9: steps.x',
      ),
    ).toThrow('wf.yaml:9: steps.x.files.a.txt: steps.relax.result.nope: no such field');
    expect(() =>
      interpolateValue({ argv: ['a', '${{ 1 + }}'] }, scope, 'wf.yaml:9: steps.x'),
    ).toThrow('wf.yaml:9: steps.x.argv[1]: column 9: expected a value');
  });

  it('lists the paths every string of a value reads, checking its syntax', () => {
    expect(valueReferences(value, 'w')).toEqual([
      ['params', 'ecutwfc'],
      ['matrix', 'structure'],
    ]);
    expect(() => valueReferences({ a: ['${{ ( }}'] }, 'w')).toThrow(
      'w.a[0]: column 7: expected a value',
    );
  });
});
