import type { Atom } from '../../chem/molecule.js';
import type { CalcSpec, JsonValue, Resources } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { NWCHEM_FUNCTIONALS, NWCHEM_SOLVENTS } from '../../engines/nwchem/prepare.js';

/** The nuclei whose shifts are predicted and benchmarked, and the element of each. */
export const NUCLEI = ['1H', '13C'] as const;
export type Nucleus = (typeof NUCLEI)[number];
export const NUCLEUS_ELEMENT: Readonly<Record<Nucleus, string>> = { '1H': 'H', '13C': 'C' };

/**
 * A level of theory of a shift prediction: the functional, the basis of the geometry
 * optimisation, the basis of the shielding calc, and the solvent (COSMO) of the shielding calc.
 */
export interface NmrLevel {
  readonly functional: string;
  readonly basis: string;
  readonly nmr_basis: string;
  readonly solvent: string;
}

/**
 * The presets of qm_nmr_calc: draft optimises and computes shieldings at B3LYP/6-31G*;
 * production optimises at B3LYP/6-31G* and computes shieldings with 6-311+G(2d,p).
 */
export const NMR_PRESETS: Readonly<Record<string, Omit<NmrLevel, 'solvent'>>> = {
  draft: { functional: 'B3LYP', basis: '6-31G*', nmr_basis: '6-31G*' },
  production: { functional: 'B3LYP', basis: '6-31G*', nmr_basis: '6-311+G(2d,p)' },
};

/**
 * WP04 (Wiitala, Hoye, Cramer, J. Chem. Theory Comput. 2006, 2, 1085), a B3LYP-form hybrid fitted
 * to 1H shifts in chloroform. Published as Gaussian's BLYP with IOp(3/76=1000001189,
 * 3/77=0961409999, 3/78=0000109999): E_xc = 0.1189 E_x(HF) + 0.9999 E_x(Slater) + 0.9614 ΔE_x(B88)
 * + 0.9999 E_c(VWN) + 0.0001 ΔE_c(LYP − VWN). In NWChem's xc words (whose b3lyp is "HFexch 0.20
 * slater 0.80 becke88 nonlocal 0.72 vwn_1_rpa 0.19 lyp 0.81", the same rule applied to B3LYP's
 * IOps) that is the line below.
 */
export const WP04_XC =
  'HFexch 0.1189 slater 0.9999 becke88 nonlocal 0.9614 vwn_1_rpa 0.9998 lyp 0.0001';

/** Functionals written as an xc line of NWChem (method `dft`, option `xc`), by upper-case name. */
const XC_FUNCTIONALS: Readonly<Record<string, string>> = { WP04: WP04_XC };

/** Functional names accepted, as written in factors files and reports (upper case). */
export function knownFunctionals(): string[] {
  return [
    ...Object.keys(NWCHEM_FUNCTIONALS).map((f) => f.toUpperCase()),
    ...Object.keys(XC_FUNCTIONALS),
  ];
}

/** A functional's canonical (upper-case) name; InputError naming `where` when unknown. */
export function functionalName(value: string, where: string): string {
  const name = value.trim().toUpperCase();
  if (!knownFunctionals().includes(name)) {
    throw new InputError(
      where,
      `unknown functional "${value}"; known: ${knownFunctionals().join(', ')}`,
    );
  }
  return name;
}

/**
 * A solvent's canonical name: NWChem's COSMO name (chcl3, dmso, h2o, acetntrl …) or `vacuum`;
 * the names of engines/nwchem NWCHEM_SOLVENTS are accepted, case-insensitively.
 */
export function solventName(value: string, where: string): string {
  const key = value.trim().toLowerCase();
  if (!Object.hasOwn(NWCHEM_SOLVENTS, key)) {
    throw new InputError(
      where,
      `unknown solvent "${value}"; known: ${Object.keys(NWCHEM_SOLVENTS).join(', ')}`,
    );
  }
  return NWCHEM_SOLVENTS[key] ?? 'vacuum';
}

/** Basis names compare case-insensitively, without blanks. */
export function basisKey(basis: string): string {
  return basis.replace(/\s+/g, '').toLowerCase();
}

/** The molecule of a calc: a geometry (Å) with charge (e) and multiplicity (2S+1). */
export interface NmrMolecule {
  readonly atoms: readonly Atom[];
  readonly charge: number;
  readonly multiplicity: number;
}

function methodOf(functional: string): { method: string; options: Record<string, JsonValue> } {
  const xc = XC_FUNCTIONALS[functional];
  return xc === undefined
    ? { method: functional, options: {} }
    : { method: 'dft', options: { xc } };
}

/** The NWChem shielding calc (task nmr) of a molecule at a level, in the level's solvent. */
export function shieldingSpec(
  molecule: NmrMolecule,
  level: Pick<NmrLevel, 'functional' | 'nmr_basis' | 'solvent'>,
  resources: Resources,
  label: string,
): CalcSpec {
  const solvent = level.solvent === 'vacuum' ? undefined : level.solvent;
  return nwchemSpec('nmr', molecule, level.functional, level.nmr_basis, solvent, resources, label);
}

/** The NWChem geometry optimisation (in vacuum) of a molecule at a level's functional and basis, with a driver budget of {@link OPTIMIZE_MAXITER} steps. */
export function optimizeSpec(
  molecule: NmrMolecule,
  level: Pick<NmrLevel, 'functional' | 'basis'>,
  resources: Resources,
  label: string,
): CalcSpec {
  const spec = nwchemSpec(
    'optimize',
    molecule,
    level.functional,
    level.basis,
    undefined,
    resources,
    label,
  );
  // NWChem's driver stops after 20 steps; starts from the conformer search (GFN2-xTB geometries)
  // need more at B3LYP/STO-3G already (glycolaldehyde: conformer 2 stopped at 21 evaluations).
  return { ...spec, keywords: [`driver; maxiter ${OPTIMIZE_MAXITER}; end`] };
}

/** The geometry optimisation's driver step budget. */
export const OPTIMIZE_MAXITER = 100;

function nwchemSpec(
  task: string,
  molecule: NmrMolecule,
  functional: string,
  basis: string,
  solvent: string | undefined,
  resources: Resources,
  label: string,
): CalcSpec {
  const { method, options } = methodOf(functional);
  if (solvent !== undefined) options.solvent = solvent;
  return {
    program: 'nwchem',
    task,
    method,
    basis,
    ...(Object.keys(options).length === 0 ? {} : { options }),
    molecule: {
      atoms: molecule.atoms.map((a) => ({ element: a.element, x: a.x, y: a.y, z: a.z })),
      charge: molecule.charge,
      multiplicity: molecule.multiplicity,
    },
    resources,
    label,
  };
}

/** One atom's isotropic shielding as a shielding calc gives it (1-based index). */
export interface AtomShielding {
  readonly index: number;
  readonly element: string;
  readonly isotropic_ppm: number;
}

/** The shieldings of a succeeded shielding calc's result. */
export function shieldingsOf(result: Readonly<Record<string, JsonValue>>): AtomShielding[] {
  const list = result.shieldings_ppm;
  if (!Array.isArray(list)) return [];
  return list.flatMap((s) => {
    if (s === null || typeof s !== 'object' || Array.isArray(s)) return [];
    const { index, element, isotropic_ppm } = s;
    return typeof index === 'number' &&
      typeof element === 'string' &&
      typeof isotropic_ppm === 'number'
      ? [{ index, element, isotropic_ppm }]
      : [];
  });
}

/** A name (a basis, a functional, a molecule) as part of a file name: `6-31G*` → `6-31Gstar`, `6-311+G(2d,p)` → `6-311+G_2d_p_`. */
export function fileWord(name: string): string {
  return name.replace(/\*/g, 'star').replace(/[^A-Za-z0-9.+-]/g, '_');
}
