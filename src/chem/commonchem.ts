/**
 * RDKit's molecule JSON (commonchem), read once for every caller: each molecule (dot-separated
 * component) with its atoms — atomic number `z`, implicit hydrogens `impHs`, radical electrons
 * `nRad`, formal charge `chg`, the values an atom leaves out taken from `defaults.atom` (RDKit
 * omits a default of carbon, 0, 0, 0) — and its bonds as pairs of atom indices within it.
 */
export interface CommonchemAtom {
  readonly z: number;
  readonly impHs: number;
  readonly nRad: number;
  readonly chg: number;
}

export interface CommonchemMolecule {
  readonly atoms: readonly CommonchemAtom[];
  readonly bonds: readonly (readonly [number, number])[];
}

interface RawAtom {
  readonly z?: number;
  readonly impHs?: number;
  readonly nRad?: number;
  readonly chg?: number;
}

export function readCommonchem(json: string): CommonchemMolecule[] {
  const parsed = JSON.parse(json) as {
    defaults?: { atom?: RawAtom };
    molecules?: { atoms?: RawAtom[]; bonds?: { atoms?: [number, number] }[] }[];
  };
  const d = parsed.defaults?.atom ?? {};
  return (parsed.molecules ?? []).map((molecule) => ({
    atoms: (molecule.atoms ?? []).map((a) => ({
      z: a.z ?? d.z ?? 6,
      impHs: a.impHs ?? d.impHs ?? 0,
      nRad: a.nRad ?? d.nRad ?? 0,
      chg: a.chg ?? d.chg ?? 0,
    })),
    bonds: (molecule.bonds ?? []).map((b): [number, number] => {
      const [i = -1, j = -1] = b.atoms ?? [];
      return [i, j];
    }),
  }));
}
