import { existsSync, readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/errors.js';
import { packagePath } from '../core/package-path.js';
import type { LoadedTemplate } from './expand.js';

/**
 * Where templates live. A template is a file `NAME.j2`; its name is the path below a library
 * root without the extension (`qe-scf`, `crystal/opt`). Files whose name starts with `_` are
 * partials (bases, includes, macro files): templates use them, `template list` does not show them.
 *
 * Roots, searched in this order: the campaign's `templates/` folder (so a campaign can replace
 * a built-in template by giving its own file the same name), then the built-in library shipped
 * with retort (`templates/` of the package).
 */
export const TEMPLATE_EXTENSION = '.j2';

/** The built-in library: `templates/` of the package (found from src/ and from dist/src/). */
export const BUILTIN_TEMPLATES = packagePath('templates');

export interface LibraryEntry {
  readonly name: string;
  readonly file: string;
  readonly origin: 'campaign' | 'built-in';
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

export class TemplateLibrary {
  private readonly roots: readonly { dir: string; origin: LibraryEntry['origin'] }[];

  /** `campaignTemplates`: the campaign's `templates/` folder, when there is a campaign. */
  constructor(campaignTemplates?: string, builtin = BUILTIN_TEMPLATES) {
    this.roots = [
      ...(campaignTemplates === undefined
        ? []
        : [{ dir: campaignTemplates, origin: 'campaign' as const }]),
      { dir: builtin, origin: 'built-in' as const },
    ];
  }

  /** Every template (not partial) of the library; a campaign's file hides a built-in one. */
  list(): LibraryEntry[] {
    const found = new Map<string, LibraryEntry>();
    for (const root of this.roots) {
      for (const file of filesBelow(root.dir)) {
        const rel = relative(root.dir, file).split(sep).join('/');
        if (!rel.endsWith(TEMPLATE_EXTENSION)) continue;
        if (rel.split('/').some((part) => part.startsWith('_'))) continue;
        const name = rel.slice(0, -TEMPLATE_EXTENSION.length);
        if (!found.has(name)) found.set(name, { name, file, origin: root.origin });
      }
    }
    return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * The library file of a name (`qe-scf`, `_crystal-basis.j2`), confined to the roots: no
   * absolute paths, no `..`, and a symbolic link that leads out of its root is refused.
   */
  find(name: string, from: string): LoadedTemplate {
    const where = `${from}: template "${name}"`;
    if (!NAME.test(name) || name.split('/').some((part) => part === '..' || part === '.')) {
      throw new InputError(
        where,
        'a template name is a path inside the template library (letters, digits, _ . - and /), without .. or a leading /',
      );
    }
    const file = name.endsWith(TEMPLATE_EXTENSION) ? name : `${name}${TEMPLATE_EXTENSION}`;
    for (const root of this.roots) {
      const path = join(root.dir, file);
      if (!existsSync(path)) continue;
      const real = realpathSync(path);
      const realRoot = realpathSync(root.dir);
      if (!real.startsWith(realRoot + sep)) {
        throw new InputError(where, 'leads outside the template library (a symbolic link)');
      }
      return { file: path, text: readFileSync(real, 'utf8') };
    }
    const known = this.list()
      .map((e) => e.name)
      .join(', ');
    throw new InputError(where, `not in the template library; templates: ${known}`);
  }

  /**
   * A template named by the user: a file when `ref` is a path that exists (`./my.j2`), else a
   * name of the library.
   */
  resolve(ref: string, cwd: string): LoadedTemplate & { readonly name: string } {
    const path = resolve(cwd, ref);
    if ((ref.includes('/') || ref.endsWith(TEMPLATE_EXTENSION)) && isFile(path)) {
      return { name: ref, file: path, text: readFileSync(path, 'utf8') };
    }
    return { name: ref, ...this.find(ref, 'retort') };
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}
