import rdkitPackage, { type MainModule } from '@rdkit/rdkit';
import { readCommonchem } from './commonchem.js';
import { InfrastructureError, RetortError, errorMessage } from '../core/errors.js';

// The package is CommonJS: its module.exports is the factory and also carries it as `.default`,
// which is what its typings declare.
const initRDKitModule = rdkitPackage.default;

/** One RDKit MinimalLib WebAssembly module. */
export type RdkitModule = MainModule;

/** Starts a fresh RDKit module; each call gives a new instance with its own memory. */
export type RdkitLoader = () => Promise<RdkitModule>;

/**
 * RDKit, kept usable across molecules that break it.
 *
 * Some molecules (a polyethylene of a thousand carbons, a long polyphenylene) overflow RDKit's
 * WebAssembly stack: the call throws and leaves the module's memory corrupt, so every later call
 * on that module fails too. `use` confines such a failure to the work that caused it by starting
 * a fresh module from the loader.
 */
export class Rdkit {
  readonly #loader: RdkitLoader;
  #module: RdkitModule | undefined;
  #loading: Promise<RdkitModule> | undefined;

  private constructor(loader: RdkitLoader) {
    this.#loader = loader;
  }

  /**
   * A handle whose first module is already started (so a missing or broken installation shows
   * here); `loader` defaults to the installed `@rdkit/rdkit`. Throws `InfrastructureError` when
   * the module cannot be started.
   */
  static async start(loader: RdkitLoader = initRDKitModule): Promise<Rdkit> {
    const rdkit = new Rdkit(loader);
    await rdkit.#healthy();
    return rdkit;
  }

  /**
   * Runs `work` on a module and returns what it returns.
   *
   * RDKit answers a SMILES it rejects with `null`; an exception out of it means the module may be
   * broken. Then the module is dropped and `work` runs once more on a fresh one; when that throws
   * too, `InfrastructureError` (retryable), and the next `use` starts on a fresh module again.
   * A `RetortError` that `work` throws itself is passed on as it is. When a fresh module cannot
   * be started: `InfrastructureError` (retryable); the next `use` tries to start one again.
   */
  async use<T>(work: (module: RdkitModule) => T): Promise<T> {
    let failure: unknown;
    for (let attempt = 1; attempt <= 2; attempt++) {
      const module = await this.#healthy();
      try {
        return work(module);
      } catch (error) {
        if (error instanceof RetortError) throw error;
        failure = error;
        if (this.#module === module) this.#module = undefined;
      }
    }
    throw new InfrastructureError(
      `RDKit broke on this molecule twice, the second time on a freshly started module: ${errorMessage(failure)}`,
      { cause: failure },
    );
  }

  #healthy(): Promise<RdkitModule> {
    if (this.#module !== undefined) return Promise.resolve(this.#module);
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<RdkitModule> {
    let module: RdkitModule;
    try {
      module = await this.#loader();
      // RDKit logs every SMILES it cannot parse to stderr; callers report them themselves.
      module.disable_logging();
    } catch (error) {
      throw new InfrastructureError(
        `RDKit (WebAssembly) could not be started: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    this.#module = module;
    return module;
  }
}

let shared: Promise<Rdkit> | undefined;

/**
 * The process's RDKit, started once (starting a WebAssembly module takes a while);
 * every caller shares it. A failed start is not kept, so a later call tries again.
 */
export function loadRdkit(): Promise<Rdkit> {
  shared ??= Rdkit.start().catch((error: unknown) => {
    shared = undefined;
    throw error;
  });
  return shared;
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
 * Throws `InfrastructureError` (retryable) when the molecule breaks RDKit even on a fresh module
 * or a fresh module cannot be started (see {@link Rdkit.use}); later molecules are unaffected.
 */
export async function describeSmiles(rdkit: Rdkit, smiles: string): Promise<SmilesDescription> {
  if (smiles.trim() === '') return INVALID;
  return rdkit.use((module) => describeWith(module, smiles));
}

function describeWith(module: RdkitModule, smiles: string): SmilesDescription {
  const mol = module.get_mol(smiles);
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
    throw new InfrastructureError(`RDKit descriptors are not an object: ${json.slice(0, 80)}`, {
      retryable: false,
    });
  const record = parsed as Record<string, unknown>;
  return (name) => {
    const value = record[name];
    if (typeof value !== 'number')
      throw new InfrastructureError(`RDKit descriptors lack ${name}`, { retryable: false });
    return value;
  };
}

/** Formal charge and radical electrons summed over the atoms of RDKit's JSON. */
function atomSums(json: string): { charge: number; radicals: number } {
  let charge = 0;
  let radicals = 0;
  for (const molecule of readCommonchem(json)) {
    for (const atom of molecule.atoms) {
      charge += atom.chg;
      radicals += atom.nRad;
    }
  }
  return { charge, radicals };
}
