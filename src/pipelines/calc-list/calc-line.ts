import type { Atom } from '../../chem/molecule.js';
import { normalizeSymbol } from '../../chem/elements.js';
import type { JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';

/**
 * One line of a calc list (`retort run FILE.jsonl`): a JSON object describing one calc in the
 * user's words. Every field but `program` is optional.
 *
 * | field | meaning |
 * |---|---|
 * | `program` | `mopac`, `xtb`, `obabel`, `command` |
 * | `task` | `energy` (default for QC programs), `optimize`, `gen3d`, `conformers`, `run` (command) |
 * | `method`, `basis` | model chemistry, e.g. `PM7`, `GFN2` |
 * | `keywords` | extra program keywords: a list, or one string split at spaces |
 * | `options` | engine options (object) |
 * | `smiles` | start geometry from Open Babel `--gen3d` (itself a cached calc) |
 * | `xyz` | start geometry from an XYZ file, relative to the list's directory |
 * | `atoms` | start geometry inline: `[["C", x, y, z], …]` in Å |
 * | `charge`, `multiplicity` | default: charge from the SMILES' formal charges (else 0), multiplicity 1 |
 * | `argv`, `files`, `outputs`, `env` | the `command` engine's program, inputs, outputs, environment |
 * | `walltime_s`, `cores`, `memory_mb` | resources (default from retort.yaml) |
 * | `label` | a name for people (shown in progress and status) |
 */
export interface CalcLine {
  readonly program: string;
  readonly task: string | undefined;
  readonly method: string | undefined;
  readonly basis: string | undefined;
  readonly keywords: readonly string[] | undefined;
  readonly options: Readonly<Record<string, JsonValue>> | undefined;
  readonly smiles: string | undefined;
  readonly xyz: string | undefined;
  readonly atoms: readonly Atom[] | undefined;
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
}

const FIELDS = [
  'program',
  'task',
  'method',
  'basis',
  'keywords',
  'options',
  'smiles',
  'xyz',
  'atoms',
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
] as const;

/**
 * Reads one line. `where` names it (`calcs.jsonl:3`); every error names the field and what
 * was expected.
 */
export function parseCalcLine(text: string, where: string): CalcLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InputError(where, `not valid JSON (${(cause as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InputError(where, 'expected one JSON object per line');
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(FIELDS as readonly string[]).includes(key)) {
      throw new InputError(where, `unknown field "${key}"; expected one of: ${FIELDS.join(', ')}`);
    }
  }
  const f = new FieldReader(obj, where);
  const line: CalcLine = {
    program: f.requiredString('program'),
    task: f.string('task'),
    method: f.string('method'),
    basis: f.string('basis'),
    keywords: f.keywords('keywords'),
    options: f.object('options') as Record<string, JsonValue> | undefined,
    smiles: f.string('smiles'),
    xyz: f.string('xyz'),
    atoms: f.atoms('atoms'),
    charge: f.integer('charge', -100),
    multiplicity: f.integer('multiplicity', 1),
    argv: f.stringList('argv'),
    files: f.stringMap('files'),
    outputs: f.stringList('outputs'),
    env: f.stringMap('env'),
    walltime_s: f.positive('walltime_s'),
    cores: f.integer('cores', 1),
    memory_mb: f.integer('memory_mb', 1),
    label: f.string('label'),
  };
  const sources = [line.smiles, line.xyz, line.atoms].filter((s) => s !== undefined).length;
  if (sources > 1)
    throw new InputError(
      `${where}: field "smiles"`,
      'give one of smiles, xyz or atoms, not several',
    );
  return line;
}

class FieldReader {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly where: string,
  ) {}

  private fail(field: string, expected: string): never {
    throw new InputError(
      `${this.where}: field "${field}"`,
      `expected ${expected}, found ${JSON.stringify(this.obj[field])}`,
    );
  }

  requiredString(field: string): string {
    const v = this.string(field);
    if (v === undefined) throw new InputError(`${this.where}: field "${field}"`, 'is required');
    return v;
  }

  string(field: string): string | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') this.fail(field, 'a non-empty string');
    return v;
  }

  integer(field: string, min: number): number | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      this.fail(field, `a whole number ≥ ${min}`);
    return v;
  }

  positive(field: string): number | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) this.fail(field, 'a number > 0');
    return v;
  }

  object(field: string): Record<string, unknown> | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'an object');
    return v as Record<string, unknown>;
  }

  stringList(field: string): string[] | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || !v.every((s) => typeof s === 'string')) {
      this.fail(field, 'a non-empty list of strings');
    }
    return v;
  }

  keywords(field: string): string[] | undefined {
    const v = this.obj[field];
    if (typeof v === 'string') return v.split(/\s+/).filter((k) => k !== '');
    return this.stringList(field);
  }

  stringMap(field: string): Record<string, string> | undefined {
    const v = this.object(field);
    if (v === undefined) return undefined;
    for (const [k, s] of Object.entries(v)) {
      if (typeof s !== 'string') {
        throw new InputError(
          `${this.where}: field "${field}.${k}"`,
          `expected a string, found ${JSON.stringify(s)}`,
        );
      }
    }
    return v as Record<string, string>;
  }

  atoms(field: string): Atom[] | undefined {
    const v = this.obj[field];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0)
      this.fail(field, 'a non-empty list of ["El", x, y, z]');
    return v.map((entry: unknown, i) => {
      const [el, x, y, z] = Array.isArray(entry) ? (entry as unknown[]) : [];
      const element = typeof el === 'string' ? normalizeSymbol(el) : undefined;
      if (
        element === undefined ||
        ![x, y, z].every((c) => typeof c === 'number' && Number.isFinite(c))
      ) {
        throw new InputError(
          `${this.where}: field "atoms[${i}]"`,
          `expected ["El", x, y, z] in Å, found ${JSON.stringify(entry)}`,
        );
      }
      return { element, x: x as number, y: y as number, z: z as number };
    });
  }
}
