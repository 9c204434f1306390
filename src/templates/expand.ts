import { InputError } from '../core/errors.js';
import { readHeader, type TemplateHeader } from './header.js';

/** A template file of the library, found by the name another template used. */
export interface LoadedTemplate {
  /** The file's path, for messages. */
  readonly file: string;
  readonly text: string;
}

/**
 * Finds a template of the library by the name a template used in `include`, `extends` or
 * `from … import`; it must never reach a file outside the library (see library.ts).
 */
export type TemplateLoader = (name: string, from: string) => LoadedTemplate;

/** A template with its includes, imports and inheritance resolved into one text. */
export interface ExpandedTemplate {
  readonly text: string;
  /** The headers of the other files pulled in, nearest first. */
  readonly pulled: readonly TemplateHeader[];
}

const MAX_DEPTH = 16;
const TAG = /\{%-?\s*(extends|include|import|from|block|endblock)\b((?:[^%]|%(?!\}))*?)-?%\}/g;
const QUOTED = /^\s*(?:"([^"]*)"|'([^']*)')/;

/**
 * Resolves `{% extends "base" %}` (with `{% block name %}…{% endblock %}`), `{% include "x" %}`
 * and `{% from "x" import m1, m2 %}` by inlining the named library files, as Jinja2 would render
 * them: an included file renders in place, a child's blocks replace the base's blocks of the
 * same name (the base's content stays for the others), a `from … import` brings the imported
 * file's macro definitions. Block tags and inlined includes become `{% if true %}` … `{% endif %}`
 * so that whitespace control works on them as Jinja2's trim_blocks and lstrip_blocks do. The renderer (@huggingface/jinja) has no loader of its own, so it can reach no
 * file at all: every file a template reaches goes through `load`.
 */
export function expandTemplate(
  text: string,
  file: string,
  load: TemplateLoader,
  depth = 0,
): ExpandedTemplate {
  if (depth > MAX_DEPTH) {
    throw new InputError(file, `includes and extends nest deeper than ${MAX_DEPTH} (a cycle?)`);
  }
  const body = stripHeader(text);
  const pulled: TemplateHeader[] = [];
  const extendsName = extendsTarget(body, file);
  let result: string;
  if (extendsName !== undefined) {
    const base = load(extendsName, file);
    const overrides = blocks(body, file);
    const baseExpanded = expandTemplate(base.text, base.file, load, depth + 1);
    pulled.push(readHeader(base.text, base.file), ...baseExpanded.pulled);
    result = fillBlocks(baseExpanded.text, overrides, base.file);
  } else {
    result = body;
  }
  const out = result.replace(TAG, (tag: string, kind: string, rest: string) => {
    if (kind === 'block' || kind === 'endblock') return tag;
    if (kind === 'extends') {
      throw new InputError(file, '{% extends %} must be the first tag of a template');
    }
    if (kind === 'import') {
      throw new InputError(
        file,
        `{%${tag.slice(2, -2)}%}: use {% from "file" import macro1, macro2 %} to import macros`,
      );
    }
    const name = quotedName(rest, tag, file);
    const loaded = load(name, file);
    const expanded = expandTemplate(loaded.text, loaded.file, load, depth + 1);
    pulled.push(readHeader(loaded.text, loaded.file), ...expanded.pulled);
    if (kind === 'include') {
      if (!/^\s*(?:"[^"]*"|'[^']*')\s*$/.test(rest)) {
        throw new InputError(file, `${tag}: expected {% include "name" %} and nothing more`);
      }
      return `{% if true %}${expanded.text.replace(/\r?\n$/, '')}{% endif %}`;
    }
    if (!/^\s*(?:"[^"]*"|'[^']*')\s+import\s+[A-Za-z_]\w*(\s*,\s*[A-Za-z_]\w*)*\s*$/.test(rest)) {
      throw new InputError(file, `${tag}: expected {% from "name" import macro1, macro2 %}`);
    }
    return macroDefinitions(expanded.text, loaded.file);
  });
  return { text: depth === 0 ? asConditionals(out) : out, pulled };
}

/** The text after the header (a header is a comment; this keeps its line from rendering). */
function stripHeader(text: string): string {
  const m = /^\{#-?-{3}[ \t]*\r?\n[\s\S]*?\r?\n-{3}-?#\}[ \t]*\r?\n?/.exec(text);
  return m === null ? text : text.slice(m[0].length);
}

function quotedName(rest: string, tag: string, file: string): string {
  const m = QUOTED.exec(rest);
  const name = m?.[1] ?? m?.[2];
  if (name === undefined || name === '') {
    throw new InputError(file, `${tag}: expected a quoted template name`);
  }
  return name;
}

function extendsTarget(body: string, file: string): string | undefined {
  TAG.lastIndex = 0;
  let first: RegExpExecArray | null;
  while ((first = TAG.exec(body)) !== null) {
    if (first[1] !== 'extends') continue;
    const before = body.slice(0, first.index).replace(/\{#[\s\S]*?#\}/g, '');
    if (before.trim() !== '') {
      throw new InputError(file, '{% extends %} must be the first tag of a template');
    }
    TAG.lastIndex = 0;
    return quotedName(first[2] ?? '', first[0], file);
  }
  return undefined;
}

interface Block {
  readonly name: string;
  readonly start: number;
  readonly bodyStart: number;
  readonly bodyEnd: number;
  readonly end: number;
  readonly depth: number;
}

/** Every block of a text, at any depth, in order of their opening tags. */
function blockList(text: string, file: string): Block[] {
  const open: { name: string; start: number; bodyStart: number }[] = [];
  const found: Block[] = [];
  for (const m of text.matchAll(TAG)) {
    if (m[1] !== 'block' && m[1] !== 'endblock') continue;
    const index = m.index;
    if (m[1] === 'block') {
      const name = /^\s*([A-Za-z_]\w*)\s*$/.exec(m[2] ?? '')?.[1];
      if (name === undefined) throw new InputError(file, `${m[0]}: expected {% block name %}`);
      open.push({ name, start: index, bodyStart: index + m[0].length });
    } else {
      const top = open.pop();
      if (top === undefined) throw new InputError(file, '{% endblock %} without {% block %}');
      found.push({ ...top, bodyEnd: index, end: index + m[0].length, depth: open.length });
    }
  }
  const unclosed = open[0];
  if (unclosed !== undefined) {
    throw new InputError(file, `{% block ${unclosed.name} %} has no {% endblock %}`);
  }
  return found.sort((a, b) => a.start - b.start);
}

/** A child's blocks by name (its text outside blocks renders nothing, as in Jinja2). */
function blocks(text: string, file: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const b of blockList(text, file)) {
    if (map.has(b.name)) throw new InputError(file, `block "${b.name}" is defined twice`);
    map.set(b.name, text.slice(b.bodyStart, b.bodyEnd));
  }
  return map;
}

/** The base text with each block replaced by the child's block of the same name, if any. */
function fillBlocks(text: string, overrides: ReadonlyMap<string, string>, file: string): string {
  const outer = blockList(text, file).filter((b) => b.depth === 0);
  let out = '';
  let at = 0;
  for (const b of outer) {
    out += text.slice(at, b.bodyStart);
    out += fillBlocks(overrides.get(b.name) ?? text.slice(b.bodyStart, b.bodyEnd), overrides, file);
    at = b.bodyEnd;
  }
  return out + text.slice(at);
}

/**
 * The remaining block tags as `{% if true %}` … `{% endif %}`: the same output, and the same
 * whitespace control (trim_blocks, lstrip_blocks, `-`) as Jinja2 gives the block tags.
 */
function asConditionals(text: string): string {
  return text.replace(TAG, (tag: string, kind: string) => {
    if (kind === 'block') return tag.replace(/block\s+\w+/, 'if true');
    return tag.replace('endblock', 'endif');
  });
}

/** Only the macro definitions of a text, as `{% from … import %}` brings them. */
function macroDefinitions(text: string, file: string): string {
  const macros = text.match(/\{%-?\s*macro\b[\s\S]*?\{%-?\s*endmacro\s*-?%\}/g);
  if (macros === null) throw new InputError(file, 'defines no macros to import');
  return macros.join('');
}
