import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { TemplateLibrary } from '../../src/templates/library.js';
import { renderTemplate } from '../../src/templates/render.js';
import { compileTemplate, renderCompiled } from '../../src/templates/sandbox.js';

/**
 * Escape strings published for JavaScript Jinja ports (nunjucks' `range.constructor`,
 * `cycler.constructor`, `joiner.constructor` reaching `Function` and so `process`; the
 * prototype walks of `''.constructor.constructor`, `__proto__`; Python Jinja's `__class__`
 * `__mro__` `__subclasses__` and `self`/`lipsum` globals, `attr()` filter bypasses), each of
 * which must fail with one InputError line before anything renders.
 */
const ESCAPES: readonly [string, string][] = [
  ["{{ range.constructor('return process')() }}", 'constructor'],
  [
    "{{ range.constructor(\"return global.process.mainModule.require('child_process').execSync('id')\")() }}",
    'constructor',
  ],
  ["{{ cycler.constructor('return process')() }}", 'constructor'],
  ["{{ joiner.constructor('return process')() }}", 'constructor'],
  ['{{ cycler.next() }}', 'cycler'],
  ['{{ joiner() }}', 'joiner'],
  ["{{ ''.constructor.constructor('return process')() }}", 'constructor'],
  ["{{ x.constructor.constructor('return process')() }}", 'constructor'],
  ['{{ x.__proto__ }}', '__proto__'],
  ["{{ x['__proto__']['polluted'] }}", '__proto__'],
  ["{{ x['constructor'] }}", 'constructor'],
  ['{{ x.prototype }}', 'prototype'],
  ['{{ x.toString }}', 'toString'],
  ['{{ x.valueOf() }}', 'valueOf'],
  ['{{ x.hasOwnProperty }}', 'hasOwnProperty'],
  ["{{ x | attr('constructor') }}", 'constructor'],
  ['{{ x | attr(name) }}', 'attr'],
  ["{{ ''.__class__.__mro__[1].__subclasses__() }}", '__class__'],
  ['{{ self.__init__.__globals__ }}', '__init__'],
  ['{{ self }}', 'self'],
  ["{{ lipsum.__globals__['os'].popen('id').read() }}", '__globals__'],
  ['{{ lipsum() }}', 'lipsum'],
  ['{{ process.env.HOME }}', 'process'],
  ['{{ globalThis.process }}', 'globalThis'],
  ['{{ global.process }}', 'global'],
  ['{{ require }}', 'require'],
  ["{{ strftime_now('%Y') }}", 'strftime_now'],
  ['{% set y = x.constructor %}{{ y }}', 'constructor'],
  ['{% for k in x.__proto__ %}{% endfor %}', '__proto__'],
  ['{% macro m(a=x.constructor) %}{% endmacro %}', 'constructor'],
];

describe('the template sandbox', () => {
  it.each(ESCAPES)('refuses %s with one line naming %s', (text, name) => {
    let error: unknown;
    try {
      const compiled = compileTemplate(text, 'evil.j2', new Set(['x', 'name']));
      renderCompiled(compiled, { x: { a: 1 }, name: 'constructor' }, 'evil.j2');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^evil\.j2: /);
    expect(message).toContain(name);
  });

  it('gives a computed attribute name nothing outside the values', () => {
    const compiled = compileTemplate('[{{ x[k] }}]', 't.j2', new Set(['x', 'k']));
    for (const k of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(renderCompiled(compiled, { x: { a: 1 }, k }, 't.j2')).toBe('[]');
    }
    expect(renderCompiled(compiled, { x: { a: 1 }, k: 'a' }, 't.j2')).toBe('[1]');
  });

  it('renders what templates use: filters, tests, if/for with loop, macros, set, namespace', () => {
    const text = [
      '{% macro pad(v, n=3) %}{{ v | string | upper }}{% endmacro %}',
      '{% set ns = namespace(total=0) %}',
      '{% for s in sites %}{{ loop.index }}:{{ pad(s.el) }}{% if not loop.last %},{% endif %}{% set ns.total = ns.total + s.z %}{% endfor %}',
      ' {{ ns.total }} {{ sites | length }} {{ "yes" if flag is true else "no" }}',
    ].join('');
    const compiled = compileTemplate(text, 't.j2', new Set(['sites', 'flag']));
    expect(
      renderCompiled(
        compiled,
        {
          sites: [
            { el: 'mg', z: 12 },
            { el: 'o', z: 8 },
          ],
          flag: true,
        },
        't.j2',
      ),
    ).toBe('1:MG,2:O 20 2 yes');
  });

  it('turns raise_exception in a template into one InputError line', () => {
    const compiled = compileTemplate(
      "{{ raise_exception('k-grid too small') }}",
      't.j2',
      new Set(),
    );
    expect(() => renderCompiled(compiled, {}, 'template t')).toThrow(
      'template t: rendering failed: k-grid too small',
    );
  });
});

describe('includes and inheritance', () => {
  function library(): { dir: string; lib: TemplateLibrary } {
    const dir = mkdtempSync(join(tmpdir(), 'retort-templates-'));
    const campaign = join(dir, 'campaign');
    mkdirSync(campaign);
    writeFileSync(join(dir, 'secret.txt'), 'SECRET\n');
    writeFileSync(join(campaign, 'evil-include.j2'), '{% include "../secret.txt" %}');
    writeFileSync(join(campaign, 'evil-abs.j2'), '{% include "/etc/passwd" %}');
    writeFileSync(join(campaign, 'evil-extends.j2'), '{% extends "../secret.txt" %}');
    writeFileSync(join(campaign, 'evil-from.j2'), '{% from "/etc/passwd" import x %}');
    symlinkSync(join(dir, 'secret.txt'), join(campaign, '_link.j2'));
    writeFileSync(join(campaign, 'evil-link.j2'), '{% include "_link.j2" %}');
    writeFileSync(join(campaign, 'loop.j2'), '{% include "loop.j2" %}');
    writeFileSync(
      join(campaign, '_base.j2'),
      '{#---\nparameters:\n  - {name: who, type: string, default: world}\n---#}\nhello {% block name %}{{ who }}{% endblock %}!\n',
    );
    writeFileSync(
      join(campaign, 'child.j2'),
      '{% extends "_base.j2" %}{% block name %}{{ who | upper }}{% endblock %}',
    );
    writeFileSync(join(campaign, 'inc.j2'), 'a\n{% include "child.j2" %}\nb\n');
    return { dir: campaign, lib: new TemplateLibrary(campaign) };
  }

  it('confines include, extends and from-import to the library, with one line each', () => {
    const { dir, lib } = library();
    const cases: [string, RegExp][] = [
      [
        'evil-include',
        /template "\.\.\/secret\.txt": a template name is a path inside the template library/,
      ],
      [
        'evil-abs',
        /template "\/etc\/passwd": a template name is a path inside the template library/,
      ],
      ['evil-extends', /template "\.\.\/secret\.txt": a template name/],
      ['evil-from', /template "\/etc\/passwd": a template name/],
      ['evil-link', /template "_link\.j2": leads outside the template library \(a symbolic link\)/],
      ['loop', /nest deeper than 16 \(a cycle\?\)/],
    ];
    for (const [name, message] of cases) {
      expect(() => renderTemplate(name, {}, { library: lib, cwd: dir }), name).toThrow(message);
    }
  });

  it('fills a base with a child’s blocks and takes the base’s parameters', () => {
    const { dir, lib } = library();
    expect(renderTemplate('child', {}, { library: lib, cwd: dir }).text).toBe('hello WORLD!\n');
    expect(renderTemplate('child', { who: 'MgO' }, { library: lib, cwd: dir }).text).toBe(
      'hello MGO!\n',
    );
    expect(renderTemplate('inc', {}, { library: lib, cwd: dir }).text).toBe('a\nhello WORLD!b\n');
  });
});
