import type { Command } from 'commander';
import { calcWorkdir, campaignPaths } from '../../core/campaign-layout.js';
import type { JsonValue } from '../../core/calc-spec.js';
import { InfrastructureError, InputError } from '../../core/errors.js';
import { ENGINES } from '../../engines/registry.js';
import type { CalcLine } from '../../pipelines/calc-list/calc-line.js';
import { checkCalcList, runCalcList } from '../../pipelines/calc-list/calc-list.js';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { readSettings } from '../../runtime/settings.js';
import { TemplateLibrary } from '../../templates/library.js';
import { parseSetPairs } from '../../templates/render.js';
import { resultSummary } from '../format.js';
import {
  checkRunFlags,
  openRunSession,
  parseCount,
  parsePositive,
  type RunFlags,
} from '../session.js';
import { executorOption, headlessOption } from '../run-options.js';

export interface CalcOptions extends RunFlags {
  readonly program?: string;
  readonly task?: string;
  readonly method?: string;
  readonly basis?: string;
  readonly keywords?: string;
  readonly smiles?: string;
  readonly xyz?: string;
  readonly structure?: string;
  readonly option: readonly string[];
  readonly charge?: string;
  readonly multiplicity?: string;
  readonly walltime?: string;
  readonly cores?: string;
  readonly label?: string;
  readonly json?: boolean;
  readonly template?: string;
  readonly set: readonly string[];
}

export function registerCalc(program: Command): void {
  program
    .command('calc')
    .summary('run one calculation, record it, and print its result')
    .description(
      `Runs one calculation through the runner and prints its result. The start geometry comes from --xyz FILE or from --smiles (Open Babel --gen3d, itself recorded, so the same SMILES always gives the same geometry). An identical calc already in the store is answered from it without running the program ("cached": true in --json). Charge defaults to the SMILES' formal charges (else 0); multiplicity to the SMILES' unpaired electrons + 1 as RDKit perceives them ([CH3] a doublet, [O][O] a triplet; else 1). Both are checked against the structure before anything runs: the parity of the electron count, and no more unpaired electrons than its valence shells hold. Open shells run MOPAC with UHF. A crystal (engine qe) comes from --structure FILE, a CIF. Engine options are given as --option KEY=VALUE, once per option; VALUE is read as JSON when it is JSON (12, true, [4,4,4], {"Si":"Si.pz-vbc.UPF"}), else as text.`,
    )
    .option(
      '-p, --program <name>',
      `${ENGINES.map((e) => e.program).join(', ')} (default with --template: its engine)`,
    )
    .option('--template <name|file>', 'render the input from this template (retort template list)')
    .option(
      '--set <name=value>',
      'a template parameter, e.g. ecutwfc=40 (repeatable)',
      (value: string, previous: readonly string[]) => [...previous, value],
      [] as readonly string[],
    )
    .option('-t, --task <task>', 'energy (default), optimize; obabel: gen3d, conformers')
    .option('-m, --method <method>', 'MOPAC Hamiltonian (PM7 …) or xtb method (GFN2, GFN1, GFN-FF)')
    .option('--basis <basis>', 'basis set, for programs that take one')
    .option('-k, --keywords <words>', 'extra program keywords, e.g. "PRECISE GNORM=0.1"')
    .option('-s, --smiles <smiles>', 'start geometry from this SMILES')
    .option('-x, --xyz <file>', 'start geometry from this XYZ file (Å)')
    .option('--structure <file>', 'a crystal from this CIF file (qe)')
    .option(
      '-o, --option <key=value>',
      'an engine option, e.g. solvent=chcl3 or kpoints=[4,4,4] (repeatable)',
      (value: string, previous: readonly string[]) => [...previous, value],
      [] as readonly string[],
    )
    .option('-c, --charge <e>', 'total charge')
    .option('--multiplicity <2S+1>', 'spin multiplicity (1 singlet, 2 doublet, …)')
    .option('--walltime <seconds>', 'walltime (default from retort.yaml)')
    .option('--cores <n>', 'cores for the program (default from retort.yaml)')
    .option('--label <text>', 'a name for the calc')
    .option('--retry-failed', 'run it again if it failed before, even when a retry cannot help')
    .addOption(executorOption())
    .addOption(headlessOption())
    .option('--json', 'print one JSON object: key, cached, program, status, result …')
    .action(async (options: CalcOptions, command: Command) => {
      const flags = { ...command.optsWithGlobals<CalcOptions>(), ...options };
      process.exitCode = await runCalc(flags);
    });
}

const CALC_WHERE = 'retort calc';

/** The calc-line field each option of `retort calc` fills, for messages about that field. */
const OPTION_OF_FIELD: Readonly<Record<string, string>> = {
  program: '--program',
  task: '--task',
  method: '--method',
  basis: '--basis',
  keywords: '--keywords',
  smiles: '--smiles',
  xyz: '--xyz',
  structure: '--structure',
  charge: '--charge',
  'molecule.charge': '--charge',
  multiplicity: '--multiplicity',
  'molecule.multiplicity': '--multiplicity',
  walltime_s: '--walltime',
  cores: '--cores',
  label: '--label',
  template: '--template',
};

/** A calc-list InputError about a field, retold naming the option the user typed. */
function optionNamed(error: unknown): unknown {
  if (!(error instanceof InputError)) return error;
  const prefix = `${CALC_WHERE}: `;
  if (!error.message.startsWith(prefix)) return error;
  const rest = error.message.slice(prefix.length);
  const colon = rest.indexOf(': ');
  const option = colon < 0 ? undefined : OPTION_OF_FIELD[rest.slice(0, colon)];
  return option === undefined
    ? error
    : new InputError(option, rest.slice(colon + 2), { cause: error });
}

/**
 * Engine options from `--option KEY=VALUE`s: VALUE as JSON when it parses, else as text; a
 * later KEY replaces an earlier one.
 */
function parseEngineOptions(
  pairs: readonly string[],
): Readonly<Record<string, JsonValue>> | undefined {
  if (pairs.length === 0) return undefined;
  const options: Record<string, JsonValue> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new InputError('--option', `expected KEY=VALUE, found ${JSON.stringify(pair)}`);
    }
    const text = pair.slice(eq + 1);
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      value = text;
    }
    options[pair.slice(0, eq)] = value;
  }
  return options;
}

/** `retort calc` with its options parsed (also the end of `retort template fill --run`). */
export async function runCalc(o: CalcOptions): Promise<number> {
  const given = (['smiles', 'xyz', 'structure'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) {
    throw new InputError(
      `--${given[0] ?? 'smiles'}`,
      `give one of --smiles, --xyz or --structure, not ${given.map((k) => `--${k}`).join(' and ')}`,
    );
  }
  if (o.program === undefined && o.template === undefined) {
    throw new InputError('--program', 'required (or --template, whose engine is the program)');
  }
  if (o.set.length > 0 && o.template === undefined) {
    throw new InputError('--set', 'sets a parameter of a template: give --template too');
  }
  const engineOptions = parseEngineOptions(o.option);
  const walltime = parsePositive(o.walltime, '--walltime');
  const line: CalcLine = {
    program: o.program ?? '',
    template: o.template,
    values: o.template === undefined ? undefined : parseSetPairs(o.set),
    task: o.task,
    method: o.method,
    basis: o.basis,
    keywords: o.keywords?.split(/\s+/).filter((k) => k !== ''),
    options: engineOptions,
    smiles: o.smiles,
    xyz: o.xyz,
    atoms: undefined,
    structure: o.structure,
    charge: parseCount(o.charge, '--charge', -100),
    multiplicity: parseCount(o.multiplicity, '--multiplicity', 1),
    argv: undefined,
    files: undefined,
    outputs: undefined,
    env: undefined,
    walltime_s: walltime,
    cores: parseCount(o.cores, '--cores'),
    memory_mb: undefined,
    label: o.label,
    priority: undefined,
  };
  const root = findCampaignRoot(o.campaign, process.cwd());
  const paths = campaignPaths(root);
  const settings = readSettings(paths.settings);
  checkRunFlags(o, settings);
  const list = await checkCalcList(
    [{ line, where: CALC_WHERE }],
    process.cwd(),
    settings.defaults,
    new TemplateLibrary(paths.templates),
  ).catch((error: unknown) => {
    throw optionNamed(error);
  });
  const session = await openRunSession(
    { ...o, workers: '1' },
    ['retort', 'calc', ...process.argv.slice(3)],
    { quiet: o.json === true },
  );
  const [result] = await runCalcList(list, (spec) => session.runner.request(spec)).finally(() =>
    session.finish(),
  );
  if (result === undefined) throw new InfrastructureError('retort calc: the calc gave no result');
  const workdir = result.key === undefined ? null : calcWorkdir(paths, result.key);
  if (o.json === true) {
    process.stdout.write(
      `${JSON.stringify({ key: result.key ?? null, cached: result.cached, program: result.program, task: result.task, method: o.method ?? null, status: result.status, result: result.result ?? null, failure: result.failure ?? null, message: result.message ?? null, notes: result.notes, workdir }, null, 2)}\n`,
    );
  } else {
    const out: string[] = [];
    out.push(
      `${result.program} ${result.task}${o.method === undefined ? '' : ` ${o.method}`}: ${result.status}${result.cached ? ' (from the store, not run again)' : ''}`,
    );
    for (const note of result.notes) out.push(`  note: ${note}`);
    if (result.result !== undefined) out.push(`  ${resultSummary(result.result)}`);
    if (result.message !== undefined)
      out.push(`  ${result.failure?.class ?? ''} ${result.message}`.trimEnd());
    if (result.key !== undefined) out.push(`  key ${result.key}`, `  files ${workdir ?? ''}`);
    process.stdout.write(`${out.join('\n')}\n`);
  }
  return result.status === 'succeeded' ? 0 : 1;
}
