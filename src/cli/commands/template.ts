import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { confirm, input, select } from '@inquirer/prompts';
import { readCif } from '../../chem/cif.js';
import type { Molecule } from '../../chem/molecule.js';
import type { PeriodicStructure } from '../../chem/structure.js';
import { parseXyz } from '../../chem/xyz.js';
import { campaignPaths } from '../../core/campaign-layout.js';
import { CampaignError, InputError } from '../../core/errors.js';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { readInputFile } from '../../runtime/input-file.js';
import type { ParameterSpec } from '../../templates/header.js';
import { TemplateLibrary } from '../../templates/library.js';
import {
  loadTemplate,
  parseSetPairs,
  renderLoaded,
  type LoadedTemplate,
} from '../../templates/render.js';
import { expectation, readParameterText, type RawValue } from '../../templates/values.js';
import { table } from '../format.js';
import { allowedValues, filledCalcOptions, scalarText } from '../template-form.js';
import { parseCount } from '../session.js';
import { runCalc } from './calc.js';

interface GlobalOptions {
  readonly campaign?: string;
}

interface RenderOptions extends GlobalOptions {
  readonly set: readonly string[];
  readonly molecule?: string;
  readonly structure?: string;
  readonly charge?: string;
  readonly multiplicity?: string;
  readonly output?: string;
}

const collect = (value: string, previous: readonly string[]): readonly string[] => [
  ...previous,
  value,
];

export function registerTemplate(program: Command): void {
  const template = program
    .command('template')
    .summary('input templates: list, show, render, check, fill')
    .description(
      'Input templates are Jinja2 files whose header declares their parameters (see the README, "Input templates"). NAME is a template of the library (built-in, or the campaign\'s templates/ folder); FILE a path.',
    );
  template
    .command('list')
    .description('the templates of the library: built-in and the campaign’s templates/')
    .action((_o: unknown, command: Command) => {
      const library = libraryOf(command.optsWithGlobals<GlobalOptions>());
      const rows = library.list().map((entry) => {
        const loaded = loadTemplate(entry.file, library, '/');
        return [
          entry.name,
          loaded.engine ?? '',
          loaded.task ?? '',
          entry.origin,
          loaded.header.description?.split('\n')[0] ?? '',
        ];
      });
      process.stdout.write(
        `${table(['template', 'engine', 'task', 'from', 'description'], rows)}\n`,
      );
    });
  template
    .command('show <name>')
    .description('a template’s engine, task and parameters')
    .action((name: string, _o: unknown, command: Command) => {
      const library = libraryOf(command.optsWithGlobals<GlobalOptions>());
      const loaded = loadTemplate(name, library, process.cwd());
      const out = [
        `${loaded.name} (${loaded.file})`,
        ...(loaded.header.description === undefined ? [] : [loaded.header.description.trim()]),
        `engine ${loaded.engine ?? '-'}, task ${loaded.task ?? '-'}`,
        '',
        table(
          ['parameter', 'type', 'default', 'allowed', 'unit', 'required', 'help'],
          loaded.parameters.map((p) => [
            p.name,
            p.type,
            p.default === undefined ? '' : JSON.stringify(p.default),
            allowedValues(p),
            p.unit ?? '',
            p.required ? 'yes' : '',
            p.help ?? '',
          ]),
        ),
      ];
      process.stdout.write(`${out.join('\n')}\n`);
    });
  template
    .command('render <template>')
    .description(
      'render a template (NAME or FILE) with --set values: prints the input, or writes it with -o',
    )
    .option(
      '--set <name=value>',
      'a parameter value (repeatable)',
      collect,
      [] as readonly string[],
    )
    .option('--molecule <file>', 'the molecule (XYZ) of the template’s molecule parameters')
    .option('--structure <file>', 'the crystal (CIF) of the template’s structure parameters')
    .option('-c, --charge <e>', 'the molecule’s charge (default 0)')
    .option('--multiplicity <2S+1>', 'the molecule’s multiplicity (default 1)')
    .option('-o, --output <file>', 'write the input to this file')
    .action((ref: string, options: RenderOptions, command: Command) => {
      const o = { ...command.optsWithGlobals<RenderOptions>(), ...options };
      const library = libraryOf(o);
      const loaded = loadTemplate(ref, library, process.cwd());
      const rendered = renderLoaded(loaded, parseSetPairs(o.set), {
        ...contextOf(o),
        baseDir: process.cwd(),
      });
      emit(rendered.text, o.output);
    });
  template
    .command('check <file>')
    .description('check a template: header, syntax, every variable declared, nothing forbidden')
    .action((file: string, _o: unknown, command: Command) => {
      const library = libraryOf(command.optsWithGlobals<GlobalOptions>());
      const loaded = loadTemplate(file, library, process.cwd());
      const unused = loaded.parameters
        .map((p) => p.name)
        .filter((n) => !loaded.compiled.used.includes(n));
      process.stdout.write(
        `${loaded.file}: ok: ${loaded.engine ?? 'no engine'} ${loaded.task ?? ''}, ${loaded.parameters.length} parameter(s)${unused.length === 0 ? '' : `; declared but not used: ${unused.join(', ')}`}\n`.replace(
          '  ',
          ' ',
        ),
      );
    });
  template
    .command('fill <template>')
    .description(
      'an interactive form for the template’s parameters; ends in the rendered input (printed, or written with -o) or, with --run, in a calc',
    )
    .option('--molecule <file>', 'the molecule (XYZ), instead of asking for it')
    .option('--structure <file>', 'the crystal (CIF), instead of asking for it')
    .option('-c, --charge <e>', 'the molecule’s charge (default 0)')
    .option('--multiplicity <2S+1>', 'the molecule’s multiplicity (default 1)')
    .option('-o, --output <file>', 'write the input to this file')
    .option('--run', 'run the filled template as a calc of the campaign (retort calc --template)')
    .action(async (ref: string, options: RenderOptions & { run?: boolean }, command: Command) => {
      const o = { ...command.optsWithGlobals<RenderOptions & { run?: boolean }>(), ...options };
      process.exitCode = await fill(ref, o);
    });
}

function libraryOf(o: GlobalOptions): TemplateLibrary {
  try {
    return new TemplateLibrary(
      campaignPaths(findCampaignRoot(o.campaign, process.cwd())).templates,
    );
  } catch (error) {
    if (error instanceof CampaignError && o.campaign === undefined) return new TemplateLibrary();
    throw error;
  }
}

function contextOf(o: RenderOptions): { molecule?: Molecule; structure?: PeriodicStructure } {
  if (o.molecule !== undefined && o.structure !== undefined) {
    throw new InputError('--molecule', 'give --molecule or --structure, not both');
  }
  if (o.structure !== undefined) {
    const path = resolve(o.structure);
    return { structure: readCif(readInputFile(path, '--structure'), o.structure) };
  }
  if (o.molecule === undefined) return {};
  const path = resolve(o.molecule);
  const frame = parseXyz(readInputFile(path, '--molecule'), o.molecule)[0];
  if (frame === undefined) throw new InputError('--molecule', `${o.molecule} holds no geometry`);
  return {
    molecule: {
      atoms: frame.atoms,
      charge: parseCount(o.charge, '--charge', -100) ?? 0,
      multiplicity: parseCount(o.multiplicity, '--multiplicity', 1) ?? 1,
    },
  };
}

function emit(text: string, output: string | undefined): void {
  if (output === undefined) {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    return;
  }
  writeFileSync(output, text);
  process.stderr.write(`wrote ${output}\n`);
}

/**
 * The form: one prompt per parameter, in the header's order (defaults filled in, choices as a
 * list, numbers checked against their range, help shown in the message), then the input is
 * rendered and written, or run as a calc with --run.
 */
async function fill(ref: string, o: RenderOptions & { run?: boolean }): Promise<number> {
  const library = libraryOf(o);
  const loaded = loadTemplate(ref, library, process.cwd());
  const context = contextOf(o);
  const values: Record<string, RawValue> = {};
  const paths: Record<string, string> = {};
  for (const p of loaded.parameters) {
    if (p.type === 'molecule' && context.molecule !== undefined) continue;
    if (p.type === 'structure' && context.structure !== undefined) continue;
    const answer = await ask(p);
    if (answer === undefined) continue;
    if (p.type === 'structure' || p.type === 'molecule' || p.type === 'file') {
      paths[p.name] = answer as string;
    }
    values[p.name] = answer as RawValue;
  }
  if (o.run === true) return runFilled(loaded, values, paths, o);
  const rendered = renderLoaded(loaded, values, { ...context, baseDir: process.cwd() });
  emit(rendered.text, o.output);
  return 0;
}

function message(p: ParameterSpec): string {
  const unit = p.unit === undefined ? '' : ` [${p.unit}]`;
  const help = p.help === undefined ? '' : ` — ${p.help}`;
  return `${p.name}${unit}${help}`;
}

/** One prompt; undefined for an optional parameter left empty (its default, if any, applies). */
async function ask(p: ParameterSpec): Promise<unknown> {
  const text = message(p);
  switch (p.type) {
    case 'bool':
      return confirm({ message: text, default: p.default === true });
    case 'choice':
      return select({
        message: text,
        choices: (p.choices ?? []).map((c) => ({ name: String(c), value: c })),
        ...(typeof p.default === 'string' || typeof p.default === 'number'
          ? { default: p.default }
          : {}),
      });
    case 'structure':
    case 'molecule':
    case 'file': {
      const answer = await input({
        message: `${text} (${expectation(p)}: path)`,
        required: p.required,
        validate: (v) =>
          (v.trim() === '' && !p.required) ||
          existsSync(resolve(v.trim())) ||
          `no file ${v.trim()}`,
      });
      return answer.trim() === '' ? undefined : answer.trim();
    }
    default: {
      const answer = await input({
        message: text,
        ...(p.default === undefined ? {} : { default: scalarText(p.default) }),
        required: p.required && p.default === undefined,
        validate: (v) => {
          if (v === '' && !p.required) return true;
          const read = readParameterText(p, v);
          return read.ok || `expected ${read.expected}`;
        },
      });
      if (answer === '') return undefined;
      const read = readParameterText(p, answer);
      return read.ok ? read.value : answer;
    }
  }
}

/** A filled form run as `retort calc --template`, the molecule or crystal passed along. */
async function runFilled(
  loaded: LoadedTemplate,
  values: Readonly<Record<string, RawValue>>,
  paths: Readonly<Record<string, string>>,
  o: RenderOptions,
): Promise<number> {
  if (loaded.engine === undefined) {
    throw new InputError(
      `template ${loaded.name}`,
      'names no engine in its header: it cannot run as a calc',
    );
  }
  const answers: Record<string, string> = {};
  for (const p of loaded.parameters) {
    const value = values[p.name];
    if (value !== undefined) answers[p.name] = paths[p.name] ?? scalarText(value);
  }
  const filled = filledCalcOptions(loaded.parameters, answers);
  const structure = o.structure ?? filled.structure;
  const xyz = o.molecule ?? filled.xyz;
  return runCalc({
    template: loaded.file,
    set: filled.set,
    option: [],
    ...(structure === undefined ? {} : { structure }),
    ...(xyz === undefined ? {} : { xyz }),
    ...(o.charge === undefined ? {} : { charge: o.charge }),
    ...(o.multiplicity === undefined ? {} : { multiplicity: o.multiplicity }),
    ...(o.campaign === undefined ? {} : { campaign: o.campaign }),
  });
}
