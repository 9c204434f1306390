import type { Atom } from '../../chem/molecule.js';
import { normalizeSymbol } from '../../chem/elements.js';
import {
  cellVolume,
  type Lattice,
  type PeriodicStructure,
  type Site,
  type Vec3,
} from '../../chem/structure.js';
import type { JsonValue } from '../../core/calc-spec.js';
import type { Field } from '../../core/fields/field.js';

/**
 * One line of a calc list (`retort run FILE.jsonl`): a JSON object describing one calc in the
 * user's words, read by the field reader (core/fields), so that every mistake names the file,
 * line and field. Every field but `program` is optional; an unknown field is refused.
 *
 * | field | meaning |
 * |---|---|
 * | `program` | a program of the engine registry (engines/registry.ts): `mopac`, `xtb`, `command` …; with `template`, the template's engine when absent |
 * | `template` | the input comes from this template (a name of the template library or a `.j2` file relative to the list); `program` and `task` default to the template's |
 * | `values` | the template's parameter values, by name (`{"ecutwfc": 40}`); `file`, `structure` and `molecule` values are paths relative to the list |
 * | `task` | `energy` (default for QC programs), `optimize`, `gen3d`, `conformers`, `run` (command) |
 * | `method`, `basis` | model chemistry, e.g. `PM7`, `GFN2` |
 * | `keywords` | extra program keywords: a list, or one string split at spaces |
 * | `options` | engine options (object) |
 * | `smiles` | start geometry from Open Babel `--gen3d` (itself a cached calc) |
 * | `xyz` | start geometry from an XYZ file, relative to the list's directory |
 * | `atoms` | start geometry inline: `[["C", x, y, z], …]` in Å |
 * | `structure` | a crystal (engine `qe`): a CIF file relative to the list's directory, or inline `{"cell": [[ax, ay, az], [bx, …], [cx, …]], "sites": [{"element": "Si", "fractional": [fa, fb, fc]}, …]}` (Å) |
 * | `charge`, `multiplicity` | default: charge from the SMILES' formal charges (else 0), multiplicity 1; not with `structure` |
 * | `argv`, `files`, `outputs`, `env` | the `command` engine's program, inputs, outputs, environment |
 * | `walltime_s`, `cores`, `memory_mb` | resources (default from retort.yaml) |
 * | `label` | a name for people (shown in progress and status) |
 * | `priority` | an integer: higher starts first (default 0, or `retort run --priority`); not part of the calc |
 */
export interface CalcLine {
  /** '' on a template line without `program`, until checkCalcList fills in the template's engine. */
  readonly program: string;
  readonly template: string | undefined;
  readonly values: Readonly<Record<string, JsonValue>> | undefined;
  readonly task: string | undefined;
  readonly method: string | undefined;
  readonly basis: string | undefined;
  readonly keywords: readonly string[] | undefined;
  readonly options: Readonly<Record<string, JsonValue>> | undefined;
  readonly smiles: string | undefined;
  readonly xyz: string | undefined;
  readonly atoms: readonly Atom[] | undefined;
  /** A CIF path (relative to the list) or the crystal itself. */
  readonly structure: string | PeriodicStructure | undefined;
  readonly charge: number | undefined;
  readonly multiplicity: number | undefined;
  readonly argv: readonly string[] | undefined;
  readonly files: Readonly<Record<string, string>> | undefined;
  readonly outputs: readonly string[] | undefined;
  readonly env: Readonly<Record<string, string>> | undefined;
  readonly walltime_s: number | undefined;
  readonly cores: number | undefined;
  readonly memory_mb: number | undefined;
  readonly label: string | undefined;
  readonly priority: number | undefined;
}

export const FIELDS = [
  'program',
  'template',
  'values',
  'task',
  'method',
  'basis',
  'keywords',
  'options',
  'smiles',
  'xyz',
  'atoms',
  'structure',
  'charge',
  'multiplicity',
  'argv',
  'files',
  'outputs',
  'env',
  'walltime_s',
  'cores',
  'memory_mb',
  'label',
  'priority',
] as const;

/** Reads one line of a calc list (its root field: `core/fields` readJsonLinesFields). */
export function readCalcLine(root: Field): CalcLine {
  const value = root.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    root.expected('one JSON object per line');
  }
  const f = root.requiredObject(FIELDS);
  const keywords = f.get('keywords');
  const options = f.get('options');
  options.object();
  const template = f.get('template').string({ oneLine: true });
  const values = f.get('values');
  values.object();
  if (values.present && template === undefined) {
    throw values.error('values are the parameters of a template: give "template" too');
  }
  const line: CalcLine = {
    program:
      template === undefined
        ? f.get('program').requiredString()
        : (f.get('program').string({ oneLine: true }) ?? ''),
    template,
    values: values.value as Record<string, JsonValue> | undefined,
    task: f.get('task').string(),
    method: f.get('method').string(),
    basis: f.get('basis').string(),
    keywords:
      typeof keywords.value === 'string'
        ? keywords
            .string()
            ?.split(/\s+/)
            .filter((k) => k !== '')
        : keywords.stringList({ nonEmpty: true }),
    options: options.value as Record<string, JsonValue> | undefined,
    smiles: f.get('smiles').string(),
    xyz: f.get('xyz').string(),
    atoms: readAtoms(f.get('atoms')),
    structure: readStructure(f.get('structure')),
    charge: f.get('charge').integer({ min: -100, max: 100 }),
    multiplicity: f.get('multiplicity').integer({ min: 1 }),
    argv: f.get('argv').stringList({ nonEmpty: true, oneLine: false }),
    files: f.get('files').stringMap(),
    outputs: f.get('outputs').stringList({ nonEmpty: true }),
    env: f.get('env').stringMap(),
    walltime_s: f.get('walltime_s').number({ above: 0 }),
    cores: f.get('cores').integer({ min: 1 }),
    memory_mb: f.get('memory_mb').integer({ min: 1 }),
    label: f.get('label').string(),
    priority: f.get('priority').integer({ min: -1_000_000, max: 1_000_000 }),
  };
  const sources = (['smiles', 'xyz', 'atoms', 'structure'] as const).filter(
    (k) => line[k] !== undefined,
  );
  if (sources.length > 1) {
    throw f
      .get(sources[1] ?? 'structure')
      .error('give one of smiles, xyz, atoms or structure, not several');
  }
  if (line.structure !== undefined) {
    for (const key of ['charge', 'multiplicity'] as const) {
      if (line[key] !== undefined) throw f.get(key).error(`a crystal structure takes no ${key}`);
    }
  }
  return line;
}

function readAtoms(field: Field): Atom[] | undefined {
  return field.list({ nonEmpty: true })?.map((entry: Field) => {
    const [el, x, y, z] = Array.isArray(entry.value) ? (entry.value as unknown[]) : [];
    const element = typeof el === 'string' ? normalizeSymbol(el) : undefined;
    if (
      element === undefined ||
      ![x, y, z].every((c) => typeof c === 'number' && Number.isFinite(c))
    ) {
      entry.expected('["El", x, y, z] in Å');
    }
    return { element, x: x as number, y: y as number, z: z as number };
  });
}

const STRUCTURE_FIELDS = ['cell', 'sites'] as const;
const CELL = '[[ax, ay, az], [bx, by, bz], [cx, cy, cz]] in Å';

/** A CIF path, or an inline crystal `{cell, sites}` read field by field. */
function readStructure(field: Field): string | PeriodicStructure | undefined {
  if (!field.present) return undefined;
  if (typeof field.value === 'string') return field.string();
  const f = field.requiredObject(STRUCTURE_FIELDS);
  const cellField = f.get('cell').required(CELL);
  const rows = cellField.list() ?? [];
  if (rows.length !== 3) cellField.expected(CELL);
  const lattice = rows.map((row) => readVec3(row, '[x, y, z] in Å')) as unknown as Lattice;
  const scaleCubed = lattice.reduce((p, v) => p * Math.hypot(...v), 1);
  if (!(cellVolume(lattice) > 1e-6 * scaleCubed)) {
    throw cellField.error('the three vectors span no volume');
  }
  const sites = f
    .get('sites')
    .required('a list of {element, fractional}')
    .list({ nonEmpty: true })
    ?.map((entry): Site => {
      const site = entry.requiredObject(['element', 'fractional']);
      const elementField: Field = site.get('element');
      const element = normalizeSymbol(elementField.requiredString());
      if (element === undefined) return elementField.expected('an element symbol');
      const fractional = readVec3(
        site.get('fractional').required('[fa, fb, fc]'),
        '[fa, fb, fc] (fractions of the cell vectors)',
      );
      return { element, fractional };
    });
  return { lattice_angstrom: lattice, sites: sites ?? [] };
}

function readVec3(field: Field, what: string): Vec3 {
  const value = field.value;
  if (
    !Array.isArray(value) ||
    value.length !== 3 ||
    !value.every((c) => typeof c === 'number' && Number.isFinite(c))
  ) {
    field.expected(what);
  }
  return value as unknown as Vec3;
}
