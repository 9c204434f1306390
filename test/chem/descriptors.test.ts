import rdkitPackage from '@rdkit/rdkit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  describeSmiles,
  loadRdkit,
  Rdkit,
  type RdkitLoader,
  type RdkitModule,
} from '../../src/chem/descriptors.js';
import { InfrastructureError } from '../../src/core/errors.js';

const startModule: RdkitLoader = () => rdkitPackage.default();

// Polyethylene of 2000 carbons: parsing it overflows RDKit's WebAssembly stack and leaves the
// module's memory corrupt (the first test checks that it still does).
const POLYMER = `C${'C'.repeat(1998)}C`;

let rdkit: Rdkit;

beforeAll(async () => {
  rdkit = await loadRdkit();
});

/** A loader that counts the modules it starts and keeps them, for the tests to break. */
function countingLoader(load: RdkitLoader = startModule): {
  loader: RdkitLoader;
  modules: RdkitModule[];
} {
  const modules: RdkitModule[] = [];
  const loader: RdkitLoader = async () => {
    const module = await load();
    modules.push(module);
    return module;
  };
  return { loader, modules };
}

/** Ethanol as a module that no molecule has touched describes it. */
async function freshEthanol(): Promise<unknown> {
  return describeSmiles(await Rdkit.start(), 'CCO');
}

describe('loadRdkit', () => {
  it('starts RDKit once and hands every caller the same handle', async () => {
    expect(await loadRdkit()).toBe(rdkit);
    expect(await rdkit.use((module) => module.version())).toMatch(/^\d{4}\.\d{2}\.\d+/);
  });
});

describe('describeSmiles', () => {
  it('describes ethanol: 3 heavy atoms, no rotatable bond, TPSA 20.23 Å², a heteroatom', async () => {
    expect(await describeSmiles(rdkit, 'CCO')).toEqual({
      valid: true,
      nheavy: 3,
      nrotbonds: 0,
      tpsa: 20.23,
      aromatic_rings: 0,
      has_heteroatoms: true,
      formal_charge: 0,
      radical_electrons: 0,
    });
  });

  it('counts the vinyl rotor and the aromatic furan ring of C=Cc1ccc(C)o1', async () => {
    const d = await describeSmiles(rdkit, 'C=Cc1ccc(C)o1');
    expect(d).toMatchObject({ valid: true, nheavy: 8, nrotbonds: 1, aromatic_rings: 1 });
    expect(d.valid && d.tpsa).toBeCloseTo(13.14, 2);
  });

  it('says a SMILES RDKit cannot parse is invalid, also an empty one', async () => {
    expect(await describeSmiles(rdkit, 'xyz(')).toEqual({ valid: false });
    expect(await describeSmiles(rdkit, 'C1CC')).toEqual({ valid: false });
    expect(await describeSmiles(rdkit, '')).toEqual({ valid: false });
    expect(await describeSmiles(rdkit, '   ')).toEqual({ valid: false });
  });

  it('sees the unpaired electron of the methyl radical [CH3]', async () => {
    expect(await describeSmiles(rdkit, '[CH3]')).toMatchObject({
      valid: true,
      nheavy: 1,
      has_heteroatoms: false,
      radical_electrons: 1,
      formal_charge: 0,
    });
    expect(await describeSmiles(rdkit, '[O]N=O')).toMatchObject({
      radical_electrons: 1,
      nheavy: 3,
    });
  });

  it('sums formal charges: ammonium +1, acetate −1, zwitterionic glycine 0', async () => {
    expect(await describeSmiles(rdkit, '[NH4+]')).toMatchObject({ formal_charge: 1 });
    expect(await describeSmiles(rdkit, 'CC(=O)[O-]')).toMatchObject({ formal_charge: -1 });
    expect(await describeSmiles(rdkit, '[NH3+]CC(=O)[O-]')).toMatchObject({ formal_charge: 0 });
  });

  it('has heteroatoms for any atom other than C and H', async () => {
    expect(await describeSmiles(rdkit, 'c1ccccc1')).toMatchObject({
      has_heteroatoms: false,
      aromatic_rings: 1,
    });
    expect(await describeSmiles(rdkit, 'CS')).toMatchObject({ has_heteroatoms: true });
    expect(await describeSmiles(rdkit, 'C#N')).toMatchObject({
      has_heteroatoms: true,
      tpsa: 23.79,
    });
  });

  it('deletes every RDKit molecule it makes, valid or not', async () => {
    const made: { isDeleted(): boolean }[] = [];
    const spying: RdkitLoader = async () => {
      const module = await startModule();
      return {
        disable_logging: () => {
          module.disable_logging();
        },
        get_mol: (smiles: string) => {
          const mol = module.get_mol(smiles);
          if (mol !== null) made.push(mol);
          return mol;
        },
      } as unknown as RdkitModule;
    };
    const spy = await Rdkit.start(spying);
    for (const smiles of ['CCO', '[CH3]', 'C1CC', 'c1ccccc1', 'xyz('])
      await describeSmiles(spy, smiles);
    expect(made.length).toBeGreaterThanOrEqual(3);
    expect(made.every((m) => m.isDeleted())).toBe(true);
  });
});

describe('a molecule that breaks RDKit', () => {
  it('breaks a bare RDKit module so that even ethanol fails on it afterwards', async () => {
    const module = await startModule();
    module.disable_logging();
    expect(() => module.get_mol(POLYMER)).toThrow();
    expect(() => module.get_mol('CCO')).toThrow();
  });

  it('fails alone: ethanol after it gets the descriptors a fresh module gives', async () => {
    const { loader, modules } = countingLoader();
    const handle = await Rdkit.start(loader);
    const failure = await describeSmiles(handle, POLYMER).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InfrastructureError);
    expect((failure as InfrastructureError).retryable).toBe(true);
    expect((failure as InfrastructureError).message).toMatch(/RDKit broke on this molecule twice/);
    expect(await describeSmiles(handle, 'CCO')).toEqual(await freshEthanol());
    // The first module, the one the retry broke, and the one ethanol ran on.
    expect(modules).toHaveLength(3);
  });

  it('is retried once on a fresh module when the module was already broken', async () => {
    const { loader, modules } = countingLoader();
    const handle = await Rdkit.start(loader);
    expect(() => modules[0]?.get_mol(POLYMER)).toThrow();
    expect(await describeSmiles(handle, 'CCO')).toEqual(await freshEthanol());
    expect(modules).toHaveLength(2);
  });

  it('leaves an invalid SMILES invalid, without starting another module', async () => {
    const { loader, modules } = countingLoader();
    const handle = await Rdkit.start(loader);
    for (const smiles of ['xyz(', 'C1CC', 'c1cccc1'])
      expect(await describeSmiles(handle, smiles)).toEqual({ valid: false });
    expect(await describeSmiles(handle, 'CCO')).toEqual(await freshEthanol());
    expect(modules).toHaveLength(1);
  });

  it('gives InfrastructureError when no fresh module can be started, and starts one later', async () => {
    let refuse = false;
    const { loader, modules } = countingLoader(async () => {
      if (refuse) throw new Error('out of memory for a new WebAssembly instance');
      return startModule();
    });
    const handle = await Rdkit.start(loader);
    refuse = true;
    const failure = await describeSmiles(handle, POLYMER).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InfrastructureError);
    expect((failure as InfrastructureError).retryable).toBe(true);
    expect((failure as InfrastructureError).message).toMatch(
      /RDKit \(WebAssembly\) could not be started: out of memory/,
    );
    refuse = false;
    expect(await describeSmiles(handle, 'CCO')).toEqual(await freshEthanol());
    expect(modules).toHaveLength(2);
  });

  it('cannot give a handle when the first module does not start', async () => {
    await expect(
      Rdkit.start(() => Promise.reject(new Error('no WebAssembly here'))),
    ).rejects.toThrow(InfrastructureError);
  });
});
