import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { spinChargeProblem, type Atom } from '../../chem/molecule.js';
import { loadRdkit } from '../../chem/descriptors.js';
import { smilesAtoms } from '../../chem/smiles-atoms.js';
import type { CalcSpec, JsonValue, Resources } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { Failure } from '../../core/failure.js';
import { readJsonLinesFields } from '../../core/fields/source.js';
import { within } from '../../core/fields/within.js';
import { getEngine } from '../../engines/registry.js';
import type { RequestCalc } from '../../runtime/calc-request.js';
import { TemplateLibrary } from '../../templates/library.js';
import { readCalcLine, type CalcLine } from './calc-line.js';
import {
  gen3dGeometry,
  lineToSpec,
  RADICAL_HINT,
  STATED_SPIN_HINT,
  type SmilesGeometry,
  withTemplateProgram,
} from './line-to-spec.js';

/**
 * A calc list checked whole: every line read and turned into the spec of its calc (a SMILES
 * line with a stand-in geometry of its atoms), charge and multiplicity fitted to the electron
 * count, the spec prepared by its engine. Only a list that passed runs: a mistake on any line is
 * an InputError naming `file:line` before anything is recorded.
 */
export interface CalcList {
  readonly lines: readonly CheckedLine[];
  /** Where `xyz` paths are resolved. */
  readonly baseDir: string;
  readonly defaults: Resources;
  /** Where `template` lines find their templates. */
  readonly library: TemplateLibrary;
}

/**
 * One line of a checked list; `radicalElectrons`: the unpaired electrons RDKit perceives in its
 * SMILES (the multiplicity when the line states none), absent when it has no SMILES RDKit reads.
 */
export interface CheckedLine {
  readonly line: CalcLine;
  readonly where: string;
  readonly radicalElectrons?: number;
  /**
   * The spec as checked, when the line's geometry was known then: a SMILES line's has its
   * atoms but not their places (good for its size and cost, never run).
   */
  readonly checkedSpec?: CalcSpec;
}

/** What became of one line of a calc list. */
export interface LineResult {
  readonly where: string;
  readonly label: string | undefined;
  readonly program: string;
  readonly task: string;
  readonly status: 'succeeded' | 'failed' | 'not_run' | 'invalid';
  readonly key: string | undefined;
  readonly cached: boolean;
  readonly result: Readonly<Record<string, JsonValue>> | undefined;
  readonly failure: Failure | undefined;
  readonly message: string | undefined;
  readonly notes: readonly string[];
}

/** Reads and checks a calc list file (JSON Lines; `file` as the user named it). */
export async function readCalcListFile(
  file: string,
  defaults: Resources,
  library = new TemplateLibrary(),
): Promise<CalcList> {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new InputError(file, 'cannot read the calc list', { cause });
  }
  const lines = readJsonLinesFields(text, file).map(({ line, field }) => ({
    line: readCalcLine(field),
    where: `${file}:${line}`,
  }));
  if (lines.length === 0)
    throw new InputError(file, 'holds no calcs (expected one JSON object per line)');
  return checkCalcList(lines, dirname(path), defaults, library);
}

/** Checks lines read elsewhere (`retort calc` options) as a list; see {@link CalcList}. */
export async function checkCalcList(
  lines: readonly { readonly line: CalcLine; readonly where: string }[],
  baseDir: string,
  defaults: Resources,
  library = new TemplateLibrary(),
): Promise<CalcList> {
  const rdkit = lines.some(({ line }) => line.smiles !== undefined) ? await loadRdkit() : undefined;
  const checked: CheckedLine[] = [];
  for (const read of lines) {
    const where = read.where;
    const line = withTemplateProgram(read.line, where, baseDir, library);
    within(where, () => getEngine(line.program));
    const atoms =
      rdkit === undefined || line.smiles === undefined
        ? undefined
        : await smilesAtoms(rdkit, line.smiles);
    const radicals = atoms?.radicalElectrons;
    const geometry = standIn(atoms?.elements);
    const resolved = await lineToSpec(line, where, baseDir, defaults, geometry, radicals, library);
    const spin = radicals === undefined ? {} : { radicalElectrons: radicals };
    if (!resolved.ok) {
      checked.push({ line, where, ...spin });
      continue;
    }
    const { spec } = resolved;
    checked.push({ line, where, ...spin, checkedSpec: spec });
    if (atoms !== undefined) checkSpin(atoms.elements, spec, line, where);
    within(where, () => getEngine(spec.program).prepare(spec));
  }
  return { lines: checked, baseDir, defaults, library };
}

/**
 * Stands in for a SMILES' geometry while checking: its atoms (from RDKit) one after the other
 * along x, so that the engine can prepare and check the spec; never run. When RDKit cannot read
 * the SMILES, Open Babel may: the line is then checked once its geometry exists.
 */
function standIn(elements: readonly string[] | undefined): SmilesGeometry {
  return (molecule) =>
    Promise.resolve(
      elements === undefined
        ? { ok: false as const, reason: `${molecule.smiles} is checked once its geometry exists` }
        : {
            ok: true as const,
            atoms: elements.map((element, i): Atom => ({ element, x: 1.5 * i, y: 0, z: 0 })),
            note: '',
          },
    );
}

/** Charge and multiplicity of a SMILES molecule against its electron count. */
function checkSpin(elements: readonly string[], spec: CalcSpec, line: CalcLine, where: string) {
  const molecule = spec.molecule;
  if (molecule === undefined) return;
  const atoms = elements.map((element): Atom => ({ element, x: 0, y: 0, z: 0 }));
  const problem = spinChargeProblem(atoms, molecule.charge, molecule.multiplicity);
  if (problem !== undefined) {
    throw new InputError(
      `${where}: multiplicity`,
      `${problem}${line.multiplicity === undefined ? RADICAL_HINT : STATED_SPIN_HINT}`,
    );
  }
}

/**
 * Runs every line of a checked list through `request`, all at once (the runner keeps to its
 * workers and orders them). A line's calcs (its SMILES' 3D geometry too) are asked for with
 * the line's `priority`, else `priority`.
 */
export function runCalcList(
  list: CalcList,
  request: RequestCalc,
  priority = 0,
): Promise<LineResult[]> {
  return Promise.all(
    list.lines.map((checked) =>
      runLine(list, checked, (spec, options) =>
        request(spec, { priority: checked.line.priority ?? priority, ...options }),
      ),
    ),
  );
}

async function runLine(
  list: CalcList,
  { line, where, radicalElectrons }: CheckedLine,
  request: RequestCalc,
): Promise<LineResult> {
  const base = {
    where,
    label: line.label,
    program: line.program,
    task: line.task ?? (line.program === 'command' ? 'run' : 'energy'),
  };
  const none = { key: undefined, cached: false, result: undefined, failure: undefined };
  try {
    const geometry = gen3dGeometry(request, line.multiplicity !== undefined);
    const resolved = await lineToSpec(
      line,
      where,
      list.baseDir,
      list.defaults,
      geometry,
      radicalElectrons,
      list.library,
    );
    if (!resolved.ok) {
      return {
        ...base,
        ...none,
        status: resolved.failure === undefined ? 'not_run' : 'failed',
        failure: resolved.failure,
        message: resolved.reason,
        notes: [],
      };
    }
    within(where, () => getEngine(resolved.spec.program).prepare(resolved.spec));
    const outcome = await request(resolved.spec);
    const common = { ...base, task: resolved.spec.task, key: outcome.key, notes: resolved.notes };
    switch (outcome.status) {
      case 'succeeded':
        return {
          ...common,
          status: 'succeeded',
          cached: outcome.cached,
          result: outcome.result,
          failure: undefined,
          message: undefined,
        };
      case 'failed':
        return {
          ...common,
          status: 'failed',
          cached: outcome.cached,
          result: undefined,
          failure: outcome.failure,
          message: outcome.failure.message,
        };
      case 'not_run':
        return {
          ...common,
          status: 'not_run',
          cached: false,
          result: undefined,
          failure: undefined,
          message: outcome.reason,
        };
    }
  } catch (error) {
    // A geometry made by Open Babel that its program refuses: that line only.
    if (!(error instanceof InputError)) throw error;
    return { ...base, ...none, status: 'invalid', message: error.message, notes: [] };
  }
}
