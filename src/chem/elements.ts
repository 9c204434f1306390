/** Element symbols by atomic number (index 0 is a placeholder), enough for organic and common inorganic chemistry. */
const SYMBOLS = [
  'X',
  'H',
  'He',
  'Li',
  'Be',
  'B',
  'C',
  'N',
  'O',
  'F',
  'Ne',
  'Na',
  'Mg',
  'Al',
  'Si',
  'P',
  'S',
  'Cl',
  'Ar',
  'K',
  'Ca',
  'Sc',
  'Ti',
  'V',
  'Cr',
  'Mn',
  'Fe',
  'Co',
  'Ni',
  'Cu',
  'Zn',
  'Ga',
  'Ge',
  'As',
  'Se',
  'Br',
  'Kr',
  'Rb',
  'Sr',
  'Y',
  'Zr',
  'Nb',
  'Mo',
  'Tc',
  'Ru',
  'Rh',
  'Pd',
  'Ag',
  'Cd',
  'In',
  'Sn',
  'Sb',
  'Te',
  'I',
  'Xe',
  'Cs',
  'Ba',
  'La',
  'Ce',
  'Pr',
  'Nd',
  'Pm',
  'Sm',
  'Eu',
  'Gd',
  'Tb',
  'Dy',
  'Ho',
  'Er',
  'Tm',
  'Yb',
  'Lu',
  'Hf',
  'Ta',
  'W',
  'Re',
  'Os',
  'Ir',
  'Pt',
  'Au',
  'Hg',
  'Tl',
  'Pb',
  'Bi',
  'Po',
  'At',
  'Rn',
] as const;

const BY_SYMBOL = new Map<string, number>(SYMBOLS.map((s, z) => [s.toLowerCase(), z]));

/** Atomic number of an element symbol (case-insensitive), or undefined when unknown. */
export function atomicNumber(symbol: string): number | undefined {
  const z = BY_SYMBOL.get(symbol.toLowerCase());
  return z === undefined || z === 0 ? undefined : z;
}

/** The conventional spelling of an element symbol (`cl` → `Cl`), or undefined when unknown. */
export function normalizeSymbol(symbol: string): string | undefined {
  const z = atomicNumber(symbol);
  return z === undefined ? undefined : SYMBOLS[z];
}

/** The symbol of atomic number `z`, or undefined beyond the table. */
export function elementSymbol(z: number): string | undefined {
  return z >= 1 ? SYMBOLS[z] : undefined;
}
