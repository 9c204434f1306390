import { normalizeMbeFields, type NormalizedMbe } from './input.js';
import { isObject, type JsonObject, type Problems } from './problems.js';
import { describeValue } from '../../core/fields/describe.js';

/**
 * Results of one task as a QC program returned them, keyed by QCManyBody label in
 * {@link ComponentResults}: energy in hartree; gradient in hartree/bohr, one [x, y, z] row per
 * atom of the task's basis fragments in ascending fragment order (ghost atoms included);
 * Hessian in hartree/bohr², (3·natoms_in_basis)² in the same atom order.
 */
export interface ComponentResult {
  readonly energy: number;
  readonly gradient?: readonly (readonly number[])[];
  readonly hessian?: readonly (readonly number[])[];
}

export type ComponentResults = Readonly<Record<string, ComponentResult>>;

/** Whether a parsed document looks like a qcmb case (`../shared/data/qcmb/*.json` layout). */
export function isCaseDocument(doc: JsonObject): boolean {
  return isObject(doc.keywords) && isObject(doc.model_chemistries) && isObject(doc.molecule);
}

/**
 * Reads the qcmb case layout (`../shared/data/qcmb/README.md`): `molecule` (symbols,
 * geometry_bohr, fragments, charges, multiplicities), `model_chemistries` ({label: {program,
 * driver, method, basis, keywords}}; the per-mc driver is ignored: the MBE driver rules),
 * `driver`, `keywords` (bsse_type, levels in core form, max_nbody, return_total_data,
 * supersystem_ie_only, embedding_charges) and `components` ({label: {energy, gradient?,
 * hessian?}}). Other fields (expected, tolerance, source, …) are ignored.
 */
export function readCaseDocument(
  doc: JsonObject,
  problems: Problems,
): (NormalizedMbe & { components: ComponentResults }) | undefined {
  const mol = isObject(doc.molecule) ? doc.molecule : {};
  const kw = isObject(doc.keywords) ? doc.keywords : {};
  const mcsRaw = isObject(doc.model_chemistries) ? doc.model_chemistries : {};
  const mcs: Record<string, unknown> = {};
  for (const [label, mc] of Object.entries(mcsRaw)) {
    if (isObject(mc)) {
      const { driver: _driver, ...rest } = mc;
      mcs[label] = rest;
    } else mcs[label] = mc;
  }
  const read = normalizeMbeFields(
    {
      molecule: {
        symbols: mol.symbols,
        geometry_bohr: mol.geometry_bohr,
        fragments: mol.fragments,
        fragment_charges: mol.fragment_charges,
        fragment_multiplicities: mol.fragment_multiplicities,
        molecular_charge: mol.molecular_charge,
        molecular_multiplicity: mol.molecular_multiplicity,
      },
      driver: doc.driver,
      bsse_type: kw.bsse_type,
      levels: kw.levels,
      levels_form: 'core',
      max_nbody: kw.max_nbody,
      return_total_data: kw.return_total_data,
      supersystem_ie_only: kw.supersystem_ie_only,
      model_chemistries: mcs,
      embedding_charges: kw.embedding_charges,
      execution: undefined,
      output: undefined,
      path: (field) =>
        field.startsWith('molecule.') || field.startsWith('model_chemistries') || field === 'driver'
          ? field
          : `keywords.${field}`,
    },
    problems,
  );
  const components = readComponents(doc.components, problems);
  if (read === undefined || components === undefined) return undefined;
  return { ...read, components };
}

/** Checks the shape of a `components` map (sizes are checked against the plan by analyze). */
export function readComponents(value: unknown, problems: Problems): ComponentResults | undefined {
  if (!isObject(value)) {
    problems.add(
      'components',
      `expected a mapping of task label to results, found ${describeValue(value)}`,
    );
    return undefined;
  }
  const before = problems.count;
  const out: Record<string, ComponentResult> = {};
  for (const [label, r] of Object.entries(value)) {
    const path = `components[${JSON.stringify(label)}]`;
    if (!isObject(r)) {
      problems.add(path, `expected {energy, gradient?, hessian?}, found ${describeValue(r)}`);
      continue;
    }
    if (typeof r.energy !== 'number' || !Number.isFinite(r.energy)) {
      problems.add(
        `${path}.energy`,
        `expected a number (hartree), found ${describeValue(r.energy)}`,
      );
      continue;
    }
    const gradient = matrix(r.gradient, `${path}.gradient`, problems);
    const hessian = matrix(r.hessian, `${path}.hessian`, problems);
    out[label] = {
      energy: r.energy,
      ...(gradient === undefined ? {} : { gradient }),
      ...(hessian === undefined ? {} : { hessian }),
    };
  }
  return problems.count > before ? undefined : out;
}

function matrix(value: unknown, path: string, problems: Problems): number[][] | undefined {
  if (value === undefined || value === null) return undefined;
  const ok =
    Array.isArray(value) &&
    (value as unknown[]).every(
      (row) =>
        Array.isArray(row) &&
        (row as unknown[]).every((x) => typeof x === 'number' && Number.isFinite(x)),
    );
  if (!ok) {
    problems.add(path, `expected a list of rows of numbers, found ${describeValue(value)}`);
    return undefined;
  }
  return value as number[][];
}
