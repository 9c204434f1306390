import { InputError } from '../core/errors.js';
import { expandTemplate } from './expand.js';
import { readHeader, type ParameterSpec, type TemplateHeader } from './header.js';
import type { TemplateLibrary } from './library.js';
import { compileTemplate, renderCompiled, type CompiledTemplate } from './sandbox.js';
import { resolveValues, type RawValue, type RenderContext } from './values.js';

/**
 * A template read, expanded and checked: the header, the parameters (those of the bases and
 * includes it pulls in, then its own; its own declaration of a name wins), the engine and task.
 */
export interface LoadedTemplate {
  /** As the user named it (`qe-scf`, `./my.d12.j2`). */
  readonly name: string;
  readonly file: string;
  readonly header: TemplateHeader;
  readonly parameters: readonly ParameterSpec[];
  readonly engine: string | undefined;
  readonly task: string | undefined;
  readonly compiled: CompiledTemplate;
}

/** An input rendered from a template, for the engine and task its header names. */
export interface RenderedInput {
  readonly template: string;
  /** The program (engine) the input is for; undefined for a template without a header. */
  readonly engine: string | undefined;
  readonly task: string | undefined;
  /**
   * The input file's text, ending in a line break (Jinja2 drops a template's last one; input
   * readers of Fortran programs want every line ended).
   */
  readonly text: string;
}

/**
 * Reads a template (a library name or a file), resolves its includes and inheritance within the
 * library, and checks it whole: header, syntax, every variable declared, no forbidden attribute.
 * This is `retort template check`.
 */
export function loadTemplate(ref: string, library: TemplateLibrary, cwd: string): LoadedTemplate {
  const found = library.resolve(ref, cwd);
  const header = readHeader(found.text, found.file);
  const expanded = expandTemplate(found.text, found.file, (name, from) => library.find(name, from));
  // The bases' and includes' parameters first (in the order they are pulled in), each
  // replaced in place by the template's own declaration of the same name.
  const parameters: ParameterSpec[] = [];
  for (const pulled of expanded.pulled) {
    for (const p of pulled.parameters) {
      if (!parameters.some((q) => q.name === p.name)) parameters.push(p);
    }
  }
  for (const p of header.parameters) {
    const at = parameters.findIndex((q) => q.name === p.name);
    if (at >= 0) parameters[at] = p;
    else parameters.push(p);
  }
  const compiled = compileTemplate(
    expanded.text,
    found.file,
    new Set(parameters.map((p) => p.name)),
  );
  return {
    name: found.name,
    file: found.file,
    header,
    parameters,
    engine: header.engine ?? expanded.pulled.find((h) => h.engine !== undefined)?.engine,
    task: header.task ?? expanded.pulled.find((h) => h.task !== undefined)?.task,
    compiled,
  };
}

/**
 * Renders a template: `ref` a library name or a file, `set` the values by parameter name (text
 * as from `--set`, or typed JSON), `context` the calc's molecule or crystal and where relative
 * paths start. Every value is checked by type first; every mistake is one InputError naming
 * the template and the parameter.
 */
export function renderTemplate(
  ref: string,
  set: Readonly<Record<string, RawValue>>,
  context: RenderContext & { readonly library: TemplateLibrary; readonly cwd?: string },
): RenderedInput {
  const cwd = context.cwd ?? process.cwd();
  const loaded = loadTemplate(ref, context.library, cwd);
  return renderLoaded(loaded, set, { baseDir: cwd, ...context });
}

/** Renders a template already loaded (the form loads once, then renders). */
export function renderLoaded(
  loaded: LoadedTemplate,
  set: Readonly<Record<string, RawValue>>,
  context: RenderContext,
): RenderedInput {
  const values = resolveValues(loaded.name, loaded.parameters, set, context);
  const text = renderCompiled(loaded.compiled, values, `template ${loaded.name}`);
  return {
    template: loaded.name,
    engine: loaded.engine,
    task: loaded.task,
    text: text.endsWith('\n') ? text : `${text}\n`,
  };
}

/** `KEY=VALUE` pairs of `--set` as raw values (text; the parameter's type reads it). */
export function parseSetPairs(pairs: readonly string[], where = '--set'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InputError(where, `expected NAME=VALUE, found ${JSON.stringify(pair)}`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return out;
}
