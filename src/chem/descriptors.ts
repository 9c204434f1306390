import rdkitPackage, { type MainModule } from '@rdkit/rdkit';

// The package is CommonJS: its module.exports is the factory and also carries it as `.default`,
// which is what its typings declare.
const initRDKitModule = rdkitPackage.default;

/** The RDKit MinimalLib module (WebAssembly), as `loadRdkit` returns it. */
export type Rdkit = MainModule;

let loading: Promise<Rdkit> | undefined;

/**
 * RDKit, initialised once per process (the WebAssembly module takes a few hundred ms to start);
 * every caller shares it. A failed start is not cached, so a later call tries again.
 */
export function loadRdkit(): Promise<Rdkit> {
  if (loading !== undefined) return loading;
  const started = initRDKitModule().then(
    (rdkit) => {
      // RDKit logs every SMILES it cannot parse to stderr; the import reports them itself.
      rdkit.disable_logging();
      return rdkit;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  loading = started;
  return started;
}

/**
 * What RDKit says about one SMILES.
 *
 * - `nheavy`: atoms other than hydrogen.
 * - `nrotbonds`: rotatable bonds (RDKit `NumRotatableBonds`, its default "strict" definition).
 * - `tpsa`: topological polar surface area, Å² (Ertl, N and O contributions only).
 * - `aromatic_rings`: aromatic rings (SSSR).
 * - `has_heteroatoms`: whether any atom is other than C and H.
 * - `formal_charge`: sum of the atoms' formal charges, e.
 * - `radical_electrons`: sum of the atoms' unpaired electrons as RDKit perceives them
 *   (`[CH3]` 1, `[CH2]` 2); a hint for the multiplicity, which the dataset states.
 */
export type SmilesDescription =
  | { readonly valid: false }
  | {
      readonly valid: true;
      readonly nheavy: number;
      readonly nrotbonds: number;
      readonly tpsa: number;
      readonly aromatic_rings: number;
      readonly has_heteroatoms: boolean;
      readonly formal_charge: number;
      readonly radical_electrons: number;
    };

const INVALID: SmilesDescription = { valid: false };

/**
 * Describes a SMILES with RDKit; `{valid: false}` when RDKit cannot parse or sanitise it (an
 * empty SMILES is invalid too). Every RDKit object made here is freed before returning.
 */
export function describeSmiles(rdkit: Rdkit, smiles: string): SmilesDescription {
  if (smiles.trim() === '') return INVALID;
  let mol: ReturnType<Rdkit['get_mol']>;
  try {
    mol = rdkit.get_mol(smiles);
  } catch {
    return INVALID;
  }
  if (mol === null) return INVALID;
  try {
    if (!mol.is_valid()) return INVALID;
    const d = descriptorNumbers(mol.get_descriptors());
    const atoms = atomSums(mol.get_json());
    return {
      valid: true,
      nheavy: d('NumHeavyAtoms'),
      nrotbonds: d('NumRotatableBonds'),
      tpsa: Math.round(d('tpsa') * 100) / 100,
      aromatic_rings: d('NumAromaticRings'),
      // RDKit's NumHeteroatoms counts atoms that are neither C nor H.
      has_heteroatoms: d('NumHeteroatoms') > 0,
      formal_charge: atoms.charge,
      radical_electrons: atoms.radicals,
    };
  } finally {
    mol.delete();
  }
}

function descriptorNumbers(json: string): (name: string) => number {
  const parsed: unknown = JSON.parse(json);
  if (typeof parsed !== 'object' || parsed === null)
    throw new Error(`RDKit descriptors are not an object: ${json.slice(0, 80)}`);
  const record = parsed as Record<string, unknown>;
  return (name) => {
    const value = record[name];
    if (typeof value !== 'number') throw new Error(`RDKit descriptors lack ${name}`);
    return value;
  };
}

/**
 * Formal charge and radical electrons summed over the atoms of RDKit's JSON (commonchem):
 * `defaults.atom` gives the values an atom leaves out (`chg`, `nRad`).
 */
function atomSums(json: string): { charge: number; radicals: number } {
  const parsed = JSON.parse(json) as {
    defaults?: { atom?: { chg?: number; nRad?: number } };
    molecules?: { atoms?: { chg?: number; nRad?: number }[] }[];
  };
  const chg0 = parsed.defaults?.atom?.chg ?? 0;
  const rad0 = parsed.defaults?.atom?.nRad ?? 0;
  let charge = 0;
  let radicals = 0;
  for (const molecule of parsed.molecules ?? []) {
    for (const atom of molecule.atoms ?? []) {
      charge += atom.chg ?? chg0;
      radicals += atom.nRad ?? rad0;
    }
  }
  return { charge, radicals };
}
