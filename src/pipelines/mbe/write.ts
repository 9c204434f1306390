import { Document, isSeq } from 'yaml';
import { levelsToUserForm, type MbeInput } from './input.js';
import { QCSCHEMA_V2_NAME } from './read-qcschema.js';

/**
 * Writers for `retort mbe convert`. Each output reads back (read.ts) to the same normalised
 * input: geometry is written in bohr, as stored, so no precision is lost; levels in
 * QCManyBody's user form (each mc keyed by its highest level).
 */

export type ConvertTarget = 'yaml' | 'json' | 'qcschema';

/** Our own layout as a plain object (see read.ts for the contract). */
export function toRetortDocument(input: MbeInput): Record<string, unknown> {
  const m = input.molecule;
  const g = m.geometry_bohr;
  return {
    molecule: {
      units: 'bohr',
      atoms: m.symbols.map((s, i) => [s, g[3 * i] ?? 0, g[3 * i + 1] ?? 0, g[3 * i + 2] ?? 0]),
      fragments: m.fragments,
      fragment_charges: m.fragment_charges,
      fragment_multiplicities: m.fragment_multiplicities,
      molecular_charge: m.molecular_charge,
      molecular_multiplicity: m.molecular_multiplicity,
    },
    driver: input.driver,
    bsse_type: input.bsse_type,
    max_nbody: input.max_nbody,
    levels: levelsToUserForm(input.levels),
    return_total_data: input.return_total_data,
    supersystem_ie_only: input.supersystem_ie_only,
    model_chemistries: input.model_chemistries,
    ...(input.embedding_charges === undefined
      ? {}
      : { embedding_charges: input.embedding_charges }),
    execution: input.execution,
    output: input.output,
  };
}

/**
 * QCManyBody's ManyBodyInput, QCSchema v2 (`qcschema_many_body_input`). The execution and output
 * sections go to `specification.extras.retort`.
 */
export function toQcSchemaInput(input: MbeInput): Record<string, unknown> {
  const m = input.molecule;
  const specification: Record<string, unknown> = {};
  for (const [label, mc] of Object.entries(input.model_chemistries)) {
    specification[label] = {
      schema_name: 'qcschema_atomic_specification',
      program: mc.program,
      driver: input.driver,
      model: { method: mc.method, basis: mc.basis },
      keywords: mc.keywords,
    };
  }
  return {
    schema_name: QCSCHEMA_V2_NAME,
    schema_version: 2,
    molecule: {
      schema_name: 'qcschema_molecule',
      schema_version: 3,
      symbols: m.symbols,
      geometry: m.geometry_bohr,
      fragments: m.fragments,
      fragment_charges: m.fragment_charges,
      fragment_multiplicities: m.fragment_multiplicities,
      molecular_charge: m.molecular_charge,
      molecular_multiplicity: m.molecular_multiplicity,
      fix_com: true,
      fix_orientation: true,
    },
    specification: {
      schema_name: 'qcschema_many_body_specification',
      driver: input.driver,
      keywords: {
        schema_name: 'qcschema_many_body_keywords',
        bsse_type: input.bsse_type,
        levels: levelsToUserForm(input.levels),
        max_nbody: input.max_nbody,
        return_total_data: input.return_total_data,
        supersystem_ie_only: input.supersystem_ie_only,
        embedding_charges: input.embedding_charges ?? null,
      },
      specification,
      protocols: { schema_name: 'qcschema_many_body_protocols', cluster_results: 'none' },
      program: '',
      extras: { retort: { execution: input.execution, output: input.output } },
    },
  };
}

/** The text of `input` in the target layout. */
export function writeMbeInput(input: MbeInput, target: ConvertTarget): string {
  if (target === 'qcschema') return `${JSON.stringify(toQcSchemaInput(input), null, 2)}\n`;
  const doc = toRetortDocument(input);
  if (target === 'json') return `${JSON.stringify(doc, null, 2)}\n`;
  const yaml = new Document(doc);
  // One line per atom and per fragment, lists of scalars on one line.
  for (const path of [
    ['molecule', 'atoms'],
    ['molecule', 'fragments'],
  ]) {
    const seq = yaml.getIn(path, true);
    if (isSeq(seq)) for (const item of seq.items) if (isSeq(item)) item.flow = true;
  }
  for (const path of [
    ['molecule', 'fragment_charges'],
    ['molecule', 'fragment_multiplicities'],
    ['bsse_type'],
  ]) {
    const seq = yaml.getIn(path, true);
    if (isSeq(seq)) seq.flow = true;
  }
  return yaml.toString({ lineWidth: 0 });
}
