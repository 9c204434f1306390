import { resolve } from 'node:path';
import { readCif } from '../../chem/cif.js';
import type { Atom } from '../../chem/molecule.js';
import { formalChargeFromSmiles } from '../../chem/smiles-charge.js';
import type { PeriodicStructure } from '../../chem/structure.js';
import { parseXyz } from '../../chem/xyz.js';
import type { CalcSpec, Resources } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import { within } from '../../core/fields/within.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import { readInputFile } from '../../runtime/input-file.js';
import type { TemplateLibrary } from '../../templates/library.js';
import { loadTemplate, renderTemplate } from '../../templates/render.js';
import type { CalcLine } from './calc-line.js';

/** A line's spec, or why it has none (its start geometry could not be made). */
export type LineSpec =
  | { readonly ok: true; readonly spec: CalcSpec; readonly notes: readonly string[] }
  | { readonly ok: false; readonly reason: string; readonly failure?: Failure };

/** Walltime of the Open Babel geometry step, seconds. */
const GEN3D_WALLTIME_S = 300;

/** A start geometry for a SMILES, or why there is none. */
export type SmilesGeometry = (
  molecule: { readonly smiles: string; readonly charge: number; readonly multiplicity: number },
  label: string,
) => Promise<
  | { readonly ok: true; readonly atoms: readonly Atom[]; readonly note: string }
  | { readonly ok: false; readonly reason: string; readonly failure?: Failure }
>;

/**
 * The start geometry of a SMILES as a calc (Open Babel `--gen3d`, requested through `request`,
 * so it is cached like any other: the same SMILES gives the same start geometry, and so the same
 * key, every time).
 */
export function gen3dGeometry(request: RequestCalc, explicitMultiplicity: boolean): SmilesGeometry {
  return async (molecule, label) => {
    const gen3d = await request({
      program: 'obabel',
      task: 'gen3d',
      molecule,
      resources: { cores: 1, walltime_s: GEN3D_WALLTIME_S },
      label: `${label} (3D from SMILES)`,
    });
    if (gen3d.status === 'succeeded') {
      return {
        ok: true,
        atoms: gen3d.result.geometry as unknown as Atom[],
        note: `start geometry from Open Babel --gen3d of ${molecule.smiles}`,
      };
    }
    if (gen3d.status === 'not_run')
      return { ok: false, reason: `3D geometry from SMILES not made: ${gen3d.reason}` };
    const hint = gen3d.failure.class === 'spin_charge' && !explicitMultiplicity ? RADICAL_HINT : '';
    return {
      ok: false,
      reason: `3D geometry from SMILES failed: ${gen3d.failure.message}${hint}`,
      failure: gen3d.failure,
    };
  };
}

/** Said when a SMILES' electron count does not fit the multiplicity it was given by default. */
export const RADICAL_HINT = ' (state the multiplicity: 2 for a doublet radical, 3 for a triplet)';

/** Said when a stated multiplicity does not fit the structure. */
export const STATED_SPIN_HINT =
  ' (check the multiplicity against the SMILES: a closed shell is 1, one radical centre 2, two 3)';

/**
 * Turns a line into the spec of its calc; a SMILES start geometry comes from `smilesGeometry`.
 * `baseDir` resolves `xyz` and `structure` paths; `where` names the line in errors. Multiplicity, when the line
 * has none: `radicalElectrons + 1` (the unpaired electrons RDKit perceives in the SMILES, see
 * chem/smiles-atoms.ts), else 1. A line with `template` gets its input rendered from it (from
 * `library`), with the line's molecule or crystal as the template's molecule or structure, into
 * spec.input; the template's engine and task are the spec's program and task.
 */
export async function lineToSpec(
  stated: CalcLine,
  where: string,
  baseDir: string,
  defaults: Resources,
  smilesGeometry: SmilesGeometry,
  radicalElectrons?: number,
  library?: TemplateLibrary,
): Promise<LineSpec> {
  const line =
    library === undefined ? stated : withTemplateProgram(stated, where, baseDir, library);
  const made = await untemplatedSpec(
    line,
    where,
    baseDir,
    defaults,
    smilesGeometry,
    radicalElectrons,
  );
  if (!made.ok || line.template === undefined) return made;
  if (library === undefined) {
    throw new InputError(`${where}: template`, 'templates are not available here');
  }
  const { spec } = made;
  const rendered = within(where, () =>
    renderTemplate(line.template ?? '', line.values ?? {}, {
      library,
      cwd: baseDir,
      ...(spec.molecule === undefined ? {} : { molecule: spec.molecule }),
      ...(spec.structure === undefined ? {} : { structure: spec.structure }),
    }),
  );
  return {
    ok: true,
    notes: [...made.notes, `input rendered from template ${rendered.template}`],
    spec: {
      ...spec,
      program: line.program,
      task: line.task ?? rendered.task ?? spec.task,
      input: rendered.text,
    },
  };
}

async function untemplatedSpec(
  line: CalcLine,
  where: string,
  baseDir: string,
  defaults: Resources,
  smilesGeometry: SmilesGeometry,
  radicalElectrons?: number,
): Promise<LineSpec> {
  const resources: Resources = {
    cores: line.cores ?? defaults.cores,
    walltime_s: line.walltime_s ?? defaults.walltime_s,
    ...(line.memory_mb !== undefined
      ? { memory_mb: line.memory_mb }
      : defaults.memory_mb !== undefined
        ? { memory_mb: defaults.memory_mb }
        : {}),
  };
  const label = line.label ?? line.smiles;
  if (line.program === 'command') {
    if (line.argv === undefined)
      throw new InputError(`${where}: argv`, 'required for program "command"');
    return {
      ok: true,
      notes: [],
      spec: {
        program: 'command',
        task: line.task ?? 'run',
        command: {
          argv: line.argv,
          ...(line.files === undefined ? {} : { files: line.files }),
          ...(line.outputs === undefined ? {} : { outputs: line.outputs }),
          ...(line.env === undefined ? {} : { env: line.env }),
        },
        resources,
        ...(label === undefined ? {} : { label }),
      },
    };
  }
  for (const field of ['argv', 'files', 'outputs', 'env'] as const) {
    if (line[field] !== undefined) {
      throw new InputError(`${where}: ${field}`, `only the "command" program takes ${field}`);
    }
  }
  const charge =
    line.charge ?? (line.smiles === undefined ? 0 : formalChargeFromSmiles(line.smiles));
  const multiplicity = line.multiplicity ?? (radicalElectrons ?? 0) + 1;
  const common = {
    ...(line.method === undefined ? {} : { method: line.method }),
    ...(line.basis === undefined ? {} : { basis: line.basis }),
    ...(line.keywords === undefined ? {} : { keywords: line.keywords }),
    ...(line.options === undefined ? {} : { options: line.options }),
    resources,
    ...(label === undefined ? {} : { label }),
  };
  const notes: string[] = [];
  if (line.charge === undefined && line.smiles !== undefined && charge !== 0) {
    notes.push(`charge ${charge} from the formal charges of ${line.smiles}`);
  }
  if (line.multiplicity === undefined && line.smiles !== undefined && multiplicity !== 1) {
    notes.push(
      `multiplicity ${multiplicity} from the ${multiplicity - 1} unpaired electron(s) of ${line.smiles}`,
    );
  }

  if (line.structure !== undefined) {
    return {
      ok: true,
      notes,
      spec: {
        program: line.program,
        task: line.task ?? 'energy',
        structure:
          typeof line.structure === 'string'
            ? readCifStructure(resolve(baseDir, line.structure), `${where}: structure`)
            : line.structure,
        ...common,
      },
    };
  }

  if (line.program === 'obabel' && line.smiles !== undefined) {
    return {
      ok: true,
      notes,
      spec: {
        program: 'obabel',
        task: line.task ?? 'gen3d',
        molecule: { smiles: line.smiles, charge, multiplicity },
        ...common,
      },
    };
  }

  let atoms: readonly Atom[];
  if (line.atoms !== undefined) {
    atoms = line.atoms;
  } else if (line.xyz !== undefined) {
    atoms = readXyzAtoms(resolve(baseDir, line.xyz), `${where}: xyz`);
  } else if (line.smiles !== undefined) {
    const made = await smilesGeometry(
      { smiles: line.smiles, charge, multiplicity },
      label ?? line.smiles,
    );
    if (!made.ok) return made;
    atoms = made.atoms;
    notes.push(made.note);
  } else if (line.template !== undefined) {
    return {
      ok: true,
      notes,
      spec: { program: line.program, task: line.task ?? 'energy', ...common },
    };
  } else {
    throw new InputError(
      where,
      `program "${line.program}" needs a molecule or a crystal: give smiles, xyz, atoms or structure`,
    );
  }
  return {
    ok: true,
    notes,
    spec: {
      program: line.program,
      task: line.task ?? 'energy',
      molecule: { atoms, charge, multiplicity },
      ...common,
    },
  };
}

function readXyzAtoms(path: string, where: string): readonly Atom[] {
  const text = readInputFile(path, where);
  const frame = parseXyz(text, path)[0];
  if (frame === undefined) throw new InputError(where, `${path} holds no geometry`);
  return frame.atoms;
}

/** The crystal of a CIF file; the CIF's own errors name the file and line. */
function readCifStructure(path: string, where: string): PeriodicStructure {
  const text = readInputFile(path, where);
  return within(where, () => readCif(text, path));
}

/**
 * A template line with the template's engine as its program (and task) where it names none;
 * a line naming another program than its template's is refused.
 */
export function withTemplateProgram(
  line: CalcLine,
  where: string,
  baseDir: string,
  library: TemplateLibrary,
): CalcLine {
  if (line.template === undefined) return line;
  const loaded = within(where, () => loadTemplate(line.template ?? '', library, baseDir));
  if (loaded.engine === undefined) {
    if (line.program === '') {
      throw new InputError(
        `${where}: program`,
        `template ${line.template} names no engine in its header: give the program`,
      );
    }
    return line;
  }
  if (line.program !== '' && line.program !== loaded.engine) {
    throw new InputError(
      `${where}: program`,
      `template ${line.template} renders input for ${loaded.engine}, not ${line.program}`,
    );
  }
  return { ...line, program: loaded.engine, task: line.task ?? loaded.task };
}
