import { describe, expect, it } from 'vitest';
import { formalChargeFromSmiles } from '../../src/chem/smiles-charge.js';

describe('formalChargeFromSmiles', () => {
  it('is zero for SMILES without charged bracket atoms', () => {
    expect(formalChargeFromSmiles('CCO')).toBe(0);
    expect(formalChargeFromSmiles('[CH3]')).toBe(0);
    expect(formalChargeFromSmiles('N[C@@H](C)C(=O)O')).toBe(0);
  });

  it('sums single, repeated and numbered charges', () => {
    expect(formalChargeFromSmiles('CC(=O)[O-]')).toBe(-1);
    expect(formalChargeFromSmiles('[NH4+]')).toBe(1);
    expect(formalChargeFromSmiles('C[N+](C)(C)C')).toBe(1);
    expect(formalChargeFromSmiles('[Fe+2]')).toBe(2);
    expect(formalChargeFromSmiles('[O--]')).toBe(-2);
    expect(formalChargeFromSmiles('[Cu++]')).toBe(2);
    expect(formalChargeFromSmiles('[Fe+3].[Cl-].[Cl-].[Cl-]')).toBe(0);
  });

  it('counts zwitterions as neutral and ignores atom classes', () => {
    expect(formalChargeFromSmiles('[NH3+]CC(=O)[O-]')).toBe(0);
    expect(formalChargeFromSmiles('[O-:12]C')).toBe(-1);
  });
});
