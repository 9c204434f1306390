import { checkStructure, type Vec3 } from '../../chem/structure.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { bandStructurePlot, type BandStructureData } from '../../plots/band-structure.js';
import { bandGap } from './band-gap.js';
import { bandsPath } from './prepare.js';

/**
 * The band structure of a qe `bands` calc as the plot takes it: path distances in Å⁻¹ (2π
 * included) from the k-points pw.x printed (Cartesian, 2π/alat, alat = |a1| of the cell as
 * given in Å), the high-symmetry points of the spec's k-path at the k-points where pw.x put them
 * (`K_POINTS crystal_b`: point i is k-point Σ_{j<i} counts[j]), energies relative to the valence
 * band maximum when the bands have a gap (else the Fermi level, else the highest occupied level
 * pw.x printed), and the gap. Refuses a calc that is not a qe bands calc with a result.
 */
export function qeBandStructure(
  spec: CalcSpec,
  result: Readonly<Record<string, JsonValue>>,
  title: string,
): BandStructureData {
  if (spec.program !== 'qe' || spec.task !== 'bands') {
    throw new InputError(
      undefined,
      `a band structure is drawn from a qe bands calc, not ${spec.program} ${spec.task}`,
    );
  }
  if (spec.structure === undefined)
    throw new InputError(undefined, 'the bands calc has no structure');
  const structure = checkStructure(spec.structure);
  const rawK = result.kpoints_cartesian_2pi_alat;
  const rawE = result.band_energies_ev;
  if (!Array.isArray(rawK) || !Array.isArray(rawE) || rawK.length !== rawE.length) {
    throw new InputError(undefined, 'the bands result has no k-points with band energies');
  }
  // The engine's own result (parse.ts, QeResult): its fields have these shapes.
  const kpoints = rawK as unknown as readonly Vec3[];
  const energies = rawE as unknown as readonly (readonly number[])[];
  const { path, counts } = bandsPath(spec, structure);
  const expected = counts.slice(0, -1).reduce((sum, n) => sum + n, 1);
  if (kpoints.length !== expected) {
    throw new InputError(
      undefined,
      `the result has ${String(kpoints.length)} k-points where its k-path gives ${String(expected)}`,
    );
  }
  const alat = Math.hypot(...structure.lattice_angstrom[0]);
  const scale = (2 * Math.PI) / alat;
  const distances: number[] = [];
  kpoints.forEach((k, i) => {
    const before = kpoints[i - 1];
    const step =
      before === undefined ? 0 : Math.hypot(k[0] - before[0], k[1] - before[1], k[2] - before[2]);
    distances.push((distances[i - 1] ?? 0) + step * scale);
  });
  let index = 0;
  const ticks = path.map((point, i) => {
    const at = index;
    index += counts[i] ?? 1;
    return { label: point.label, distance: distances[at] ?? 0 };
  });
  const electrons = result.number_of_electrons;
  const gap = typeof electrons === 'number' ? bandGap(energies, electrons) : undefined;
  const reference =
    gap !== undefined
      ? { energy_ev: gap.vbm_ev, name: 'VBM' }
      : typeof result.fermi_energy_ev === 'number'
        ? { energy_ev: result.fermi_energy_ev, name: 'Fermi level' }
        : typeof result.highest_occupied_ev === 'number'
          ? { energy_ev: result.highest_occupied_ev, name: 'highest occupied' }
          : undefined;
  return {
    title,
    distances,
    energies_ev: energies,
    distanceUnit: 'Å⁻¹',
    ticks,
    ...(reference === undefined ? {} : { reference }),
    ...(gap === undefined
      ? {}
      : {
          gap: {
            gap_ev: gap.gap_ev,
            direct: gap.direct,
            vbm: { distance: distances[gap.vbm_k] ?? 0, energy_ev: gap.vbm_ev },
            cbm: { distance: distances[gap.cbm_k] ?? 0, energy_ev: gap.cbm_ev },
          },
        }),
  };
}

/** The band-structure plot (SVG) of a qe bands calc; see {@link qeBandStructure}. */
export function qeBandStructureSvg(
  spec: CalcSpec,
  result: Readonly<Record<string, JsonValue>>,
  title: string,
): Promise<string> {
  return bandStructurePlot(qeBandStructure(spec, result, title));
}
