import type { BsseType } from './input.js';
import type { NbodyLevel } from './plan.js';

/** kcal/mol per hartree (qcelemental's `hartree2kcalmol`, CODATA 2014). */
export const HARTREE_TO_KCALMOL = 627.5094740631;

const FORMAL: Readonly<Record<BsseType, string>> = {
  nocp: 'Non-Counterpoise Corrected',
  cp: 'Counterpoise Corrected',
  vmfc: 'Valiron-Mayer Function Counterpoise',
};
const ABBR: Readonly<Record<BsseType, string>> = { nocp: 'NoCP', cp: 'CP', vmfc: 'VMFC' };

/**
 * For each n-body level (and "supersystem"), its model chemistry and ordinal label (§A, §B, …
 * in the order of nbodies_per_mc_level), as QCManyBody's `modelchem_labels`.
 */
export function modelchemLabels(
  nbodiesPerMc: ReadonlyMap<string, readonly NbodyLevel[]>,
): Map<NbodyLevel, { mc: string; ordinal: string }> {
  const out = new Map<NbodyLevel, { mc: string; ordinal: string }>();
  let i = 0;
  for (const [mc, levels] of nbodiesPerMc) {
    const ordinal = `§${String.fromCharCode(65 + i)}`;
    for (const n of levels) out.set(n, { mc, ordinal });
    i++;
  }
  return out;
}

/**
 * The n-body energy table of one BSSE treatment, laid out as QCManyBody's print_nbody_energy:
 * total, interaction and n-body contribution per level, in hartree and kcal/mol. `body` holds
 * the cumulative energies (hartree) by level; levels beyond `supersystemBeyond` are marked SS.
 */
export function formatNbodyTable(
  body: ReadonlyMap<number, number>,
  bt: BsseType,
  nfragments: number,
  labels: ReadonlyMap<NbodyLevel, { mc: string; ordinal: string }>,
  options: { embedding: boolean; supersystemIeOnly: boolean; supersystemBeyond?: number },
): string {
  const f = (x: number): string => (Number.isNaN(x) ? 'nan' : x.toFixed(12)).padStart(20);
  const na = (w: number): string => 'N/A'.padEnd(w);
  let info = `\n   ==> N-Body: ${FORMAL[bt]} (${ABBR[bt]}) energies <==\n\n`;
  info += `        ${'MC n-Body'.padStart(15)}  Total Energy            Interaction Energy                          N-body Contribution to Interaction Energy\n`;
  info += `                         [Eh]                    [Eh]                  [kcal/mol]            [Eh]                  [kcal/mol]\n`;
  const e1 = body.get(1) ?? 0;
  let previous = e1;
  const totE = e1 !== 0;
  const range = options.supersystemIeOnly ? [1, nfragments] : [...body.keys()];
  const maxRange = Math.max(...range);
  for (let nb = 1; nb <= nfragments; nb++) {
    const parts: string[] = [];
    if (
      options.supersystemBeyond !== undefined &&
      options.supersystemBeyond > 0 &&
      nb > options.supersystemBeyond
    ) {
      parts.push('SS');
    }
    if (nb === nfragments) parts.push('FULL');
    if (nb === maxRange) parts.push('RTN');
    const lbl = parts.join('/').padStart(11);
    const mclbl = (labels.get(nb)?.ordinal ?? '').padEnd(2);
    const nbs = String(nb).padStart(2);
    const e = body.get(nb);
    if (range.includes(nb) && e !== undefined) {
      const delta = e - previous;
      const deltaKcal = delta * HARTREE_TO_KCALMOL;
      const inter = options.embedding ? NaN : e - e1;
      const interKcal = options.embedding ? NaN : inter * HARTREE_TO_KCALMOL;
      if (options.supersystemIeOnly && nb === nfragments) {
        info += totE
          ? `  ${lbl} ${mclbl} ${nbs}  ${f(e)}  ${f(inter)}  ${f(interKcal)}        ${na(20)}  ${na(20)}\n`
          : `  ${lbl} ${mclbl} ${nbs}        ${na(14)}  ${f(inter)}  ${f(interKcal)}        ${na(20)}  ${na(20)}\n`;
      } else if (totE) {
        info += options.embedding
          ? `  ${lbl} ${mclbl} ${nbs}  ${f(e)}        ${na(20)}  ${na(14)}  ${f(delta)}  ${f(deltaKcal)}\n`
          : `  ${lbl} ${mclbl} ${nbs}  ${f(e)}  ${f(inter)}  ${f(interKcal)}  ${f(delta)}  ${f(deltaKcal)}\n`;
      } else {
        info += `  ${lbl} ${mclbl} ${nbs}        ${na(14)}  ${f(inter)}  ${f(interKcal)}  ${f(delta)}  ${f(deltaKcal)}\n`;
      }
      previous = e;
    } else {
      info += `  ${lbl} ${''.padEnd(2)} ${nbs}        ${na(20)}  ${na(20)}  ${na(20)}  ${na(20)}  ${na(20)}\n`;
    }
  }
  const legend = new Map<string, string>();
  for (const { mc, ordinal } of labels.values()) legend.set(ordinal, mc);
  info += `\n   MC Legend: ${[...legend].map(([o, mc]) => `${o}: "${mc}"`).join(', ')}\n\n`;
  return info;
}
