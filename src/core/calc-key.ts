import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { PeriodicStructure, Vec3 } from '../chem/structure.js';
import type { CalcSpec } from './calc-spec.js';

/**
 * Coordinates enter the key rounded to 1e-6 Å: far below any chemical meaning, far above the
 * noise of writing and re-reading a number as text, so a geometry read back from a file keys
 * the same as the one that was written.
 */
const COORDINATE_DECIMALS = 1e6;
/** Fractional coordinates of a crystal enter the key rounded to 1e-8 (1e-7 Å in a 10 Å cell). */
const FRACTIONAL_DECIMALS = 1e8;

/**
 * The part of a spec that decides its result: everything but resources and label, with
 * coordinates rounded. This is what the key hashes and what the store keeps as `spec_json`.
 */
export function keyedSpec(spec: CalcSpec): Omit<CalcSpec, 'resources' | 'label'> {
  const { resources: _r, label: _l, ...spec0 } = spec;
  const rest =
    spec0.structure === undefined
      ? spec0
      : { ...spec0, structure: keyedStructure(spec0.structure) };
  if (rest.molecule?.atoms === undefined) return rest;
  return {
    ...rest,
    molecule: {
      ...rest.molecule,
      atoms: rest.molecule.atoms.map((a) => ({
        element: a.element,
        x: round(a.x),
        y: round(a.y),
        z: round(a.z),
        ...(a.ghost === true ? { ghost: true } : {}),
      })),
    },
  };
}

function keyedStructure(structure: PeriodicStructure): PeriodicStructure {
  const vec = (v: Vec3, decimals: number): Vec3 => [
    round(v[0], decimals),
    round(v[1], decimals),
    round(v[2], decimals),
  ];
  const [a, b, c] = structure.lattice_angstrom;
  return {
    lattice_angstrom: [
      vec(a, COORDINATE_DECIMALS),
      vec(b, COORDINATE_DECIMALS),
      vec(c, COORDINATE_DECIMALS),
    ],
    sites: structure.sites.map((s) => ({
      element: s.element,
      fractional: vec(s.fractional, FRACTIONAL_DECIMALS),
    })),
  };
}

function round(v: number, decimals = COORDINATE_DECIMALS): number {
  const r = Math.round(v * decimals) / decimals;
  return Object.is(r, -0) ? 0 : r;
}

/**
 * The calc key: sha256 (hex) of the canonical JSON of the keyed spec together with the engine
 * adapter's version. Same key → same result, so a calc whose key has succeeded is never run
 * again; bumping an adapter's version (a parser fix) makes its calcs new calcs.
 */
export function calcKey(spec: CalcSpec, adapterVersion: string): string {
  return createHash('sha256')
    .update(canonicalJson({ adapter: `${spec.program}@${adapterVersion}`, spec: keyedSpec(spec) }))
    .digest('hex');
}
