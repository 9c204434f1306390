import { normalizeMbeFields, AUTO_MC, type NormalizedMbe } from './input.js';
import { isObject, type JsonObject, type Problems } from './problems.js';
import { describeValue } from '../../core/fields/describe.js';

/** schema_name of QCManyBody's ManyBodyInput, v2 and v1. */
export const QCSCHEMA_V2_NAME = 'qcschema_many_body_input';
export const QCSCHEMA_V1_NAME = 'qcschema_manybodyinput';

/** Whether a parsed document looks like a QCManyBody ManyBodyInput (v1 or v2). */
export function isQcSchemaInput(doc: JsonObject): boolean {
  if (doc.schema_name === QCSCHEMA_V2_NAME || doc.schema_name === QCSCHEMA_V1_NAME) return true;
  return isObject(doc.specification) && isObject(doc.molecule) && 'geometry' in doc.molecule;
}

/**
 * Reads QCManyBody's `ManyBodyInput` (QCSchema; v2 `qcschema_many_body_input` / v1
 * `qcschema_manybodyinput`; the field names that matter are the same in both, v1's
 * `protocols.component_results` is v2's `protocols.cluster_results` and is not needed here).
 * Geometry in bohr, flat or one triple per atom. `specification.specification` is a map of
 * AtomicSpecification (program, model {method, basis}, keywords) or a single one, labelled
 * "(auto)". The execution section, which QCSchema lacks, is read from
 * `specification.extras.retort.execution` when present (that is where convert puts it).
 */
export function readQcSchemaInput(doc: JsonObject, problems: Problems): NormalizedMbe | undefined {
  if (doc.schema_version !== undefined && doc.schema_version !== 1 && doc.schema_version !== 2) {
    problems.add('schema_version', `expected 1 or 2, found ${describeValue(doc.schema_version)}`);
  }
  const mol = isObject(doc.molecule) ? doc.molecule : undefined;
  if (mol === undefined)
    problems.add('molecule', `expected a QCSchema molecule, found ${describeValue(doc.molecule)}`);
  const spec = isObject(doc.specification) ? doc.specification : undefined;
  if (spec === undefined) {
    problems.add('specification', `expected a mapping, found ${describeValue(doc.specification)}`);
  }
  const keywords = isObject(spec?.keywords) ? spec.keywords : undefined;
  if (spec?.keywords !== undefined && keywords === undefined) {
    problems.add(
      'specification.keywords',
      `expected a mapping, found ${describeValue(spec.keywords)}`,
    );
  }
  if (mol === undefined || spec === undefined) return undefined;

  if (Array.isArray(mol.real) && (mol.real as unknown[]).some((r) => r === false)) {
    problems.add('molecule.real', 'ghost atoms in the input molecule are not supported');
  }
  let geometry: unknown = mol.geometry;
  if (Array.isArray(geometry) && (geometry as unknown[]).every(Array.isArray)) {
    geometry = (geometry as unknown[][]).flat();
  }

  // specification.specification: {label: AtomicSpecification} or one AtomicSpecification.
  let atomic: unknown = spec.specification;
  if (isObject(atomic) && 'model' in atomic) atomic = { [AUTO_MC]: atomic };
  let mcs: unknown = atomic;
  if (isObject(atomic)) {
    const out: Record<string, unknown> = {};
    for (const [label, s] of Object.entries(atomic)) {
      if (!isObject(s)) {
        out[label] = s;
        continue;
      }
      const model = isObject(s.model) ? s.model : {};
      out[label] = {
        program: s.program,
        method: model.method,
        basis: model.basis,
        keywords: s.keywords,
      };
    }
    mcs = out;
  }

  const extras = isObject(spec.extras) ? spec.extras : {};
  const retort = isObject(extras.retort) ? extras.retort : {};
  const kw = keywords ?? {};
  return normalizeMbeFields(
    {
      molecule: {
        symbols: mol.symbols,
        geometry_bohr: geometry,
        fragments: mol.fragments,
        fragment_charges: mol.fragment_charges,
        fragment_multiplicities: mol.fragment_multiplicities,
        molecular_charge: mol.molecular_charge,
        molecular_multiplicity: mol.molecular_multiplicity,
      },
      driver: spec.driver,
      bsse_type: kw.bsse_type,
      levels: kw.levels,
      levels_form: 'user',
      max_nbody: kw.max_nbody,
      return_total_data: kw.return_total_data,
      supersystem_ie_only: kw.supersystem_ie_only,
      model_chemistries: mcs,
      embedding_charges: kw.embedding_charges,
      execution: retort.execution,
      output: retort.output,
      path: (field) => qcschemaPath(field),
    },
    problems,
  );
}

/** Our field names → ManyBodyInput's. */
function qcschemaPath(field: string): string {
  if (field.startsWith('molecule.geometry_bohr')) {
    return field.replace('molecule.geometry_bohr', 'molecule.geometry');
  }
  if (field.startsWith('molecule.')) return field;
  if (field === 'driver') return 'specification.driver';
  if (field.startsWith('execution') || field.startsWith('output')) {
    return `specification.extras.retort.${field}`;
  }
  if (field.startsWith('model_chemistries')) {
    const m = /^model_chemistries\.(.*)\.(program|method|basis|keywords)$/.exec(field);
    if (m === null) return field.replace('model_chemistries', 'specification.specification');
    const [, label = '', key = ''] = m;
    const inModel = key === 'method' || key === 'basis';
    return `specification.specification.${label}.${inModel ? `model.${key}` : key}`;
  }
  return `specification.keywords.${field}`;
}
