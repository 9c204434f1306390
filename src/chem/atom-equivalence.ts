import { bondGraph, type BondGraph } from './bond-graph.js';
import type { Atom } from './molecule.js';

/**
 * Topologically equivalent atoms of a geometry: atoms that no labelling of the bond graph by
 * element and connectivity can tell apart (the three H of a methyl, the six C of benzene, the
 * two CH3 of acetone). Bonds come from covalent radii (bond-graph.ts); bond orders and 3D
 * arrangement are not looked at, so diastereotopic atoms count as equivalent, as they do in
 * RDKit's canonical ranking without tie breaking.
 *
 * Returns, per atom (input order), a class number: equivalent atoms share it; classes are
 * numbered 0, 1, … in the order of their first atom.
 */
export function equivalentAtomClasses(atoms: readonly Atom[]): number[] {
  return refineClasses(bondGraph(atoms));
}

/**
 * Colour refinement (Morgan's extended connectivity): start from the element, then split
 * classes by the multiset of the neighbours' classes until no class splits any more.
 */
export function refineClasses(graph: BondGraph): number[] {
  let classes = renumber(graph.elements.map((e) => e));
  for (;;) {
    const signatures = classes.map((c, i) => {
      const around = (graph.neighbours[i] ?? []).map((j) => classes[j] ?? -1).sort((a, b) => a - b);
      return `${c}|${around.join(',')}`;
    });
    const next = renumber(signatures);
    if (new Set(next).size === new Set(classes).size) return next;
    classes = next;
  }
}

/** Class numbers 0, 1, … in the order of first appearance of each distinct label. */
function renumber(labels: readonly string[]): number[] {
  const ids = new Map<string, number>();
  return labels.map((label) => {
    let id = ids.get(label);
    if (id === undefined) {
      id = ids.size;
      ids.set(label, id);
    }
    return id;
  });
}
