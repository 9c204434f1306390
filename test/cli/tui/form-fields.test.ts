import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  calcArgv,
  fieldProblem,
  formFields,
  initialText,
  renderValues,
} from '../../../src/cli/tui/form-fields.js';
import { TemplateLibrary } from '../../../src/templates/library.js';
import { loadTemplate, renderLoaded } from '../../../src/templates/render.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');
const library = new TemplateLibrary();

describe('the fields of a template form', () => {
  it('are the parameters, with charge and multiplicity only for a molecule template', () => {
    const qe = formFields(loadTemplate('qe-scf', library, REPO_ROOT).parameters);
    expect(qe.map((f) => f.spec.name)).not.toContain('charge');
    const mopac = formFields(loadTemplate('mopac-optimize', library, REPO_ROOT).parameters);
    expect(mopac.map((f) => [f.spec.name, f.option ?? ''])).toEqual([
      ['molecule', ''],
      ['method', ''],
      ['keywords', ''],
      ['title', ''],
      ['charge', '--charge'],
      ['multiplicity', '--multiplicity'],
    ]);
    const text = (name: string): string | undefined => {
      const field = mopac.find((f) => f.spec.name === name);
      return field === undefined ? undefined : initialText(field.spec);
    };
    expect([text('molecule'), text('method'), text('keywords'), text('multiplicity')]).toEqual([
      '',
      'PM7',
      '',
      '1',
    ]);
  });

  it('leave a calc option out when the template has a parameter of its name', () => {
    const own = loadTemplate('mopac-optimize', library, REPO_ROOT).parameters.map((p) =>
      p.name === 'title' ? { ...p, name: 'charge' } : p,
    );
    expect(formFields(own).map((f) => [f.spec.name, f.option ?? ''])).toEqual([
      ['molecule', ''],
      ['method', ''],
      ['keywords', ''],
      ['charge', ''],
      ['multiplicity', '--multiplicity'],
    ]);
  });

  it('check a text by the parameter: required, a file that exists, the type and range', () => {
    const qe = loadTemplate('qe-scf', library, REPO_ROOT).parameters;
    const structure = qe.find((p) => p.name === 'structure');
    const ecut = qe.find((p) => p.name === 'ecutwfc');
    if (structure === undefined || ecut === undefined) throw new TypeError('qe-scf changed');
    expect(fieldProblem(structure, '', FIXTURES)).toBe('required');
    expect(fieldProblem(structure, 'cif/nope.cif', FIXTURES)).toBe('no file cif/nope.cif');
    expect(fieldProblem(structure, 'cif/si.cif', FIXTURES)).toBeUndefined();
    expect(fieldProblem(ecut, '', FIXTURES)).toBeUndefined();
    expect(fieldProblem(ecut, '40', FIXTURES)).toBeUndefined();
    expect(fieldProblem(ecut, 'forty', FIXTURES)).toMatch(/^expected a number/);
    expect(fieldProblem(ecut, '1', FIXTURES)).toBe('expected a number between 5 and 300 (Ry)');
  });

  it('become retort calc --template with the crystal by path and only what differs from the defaults', () => {
    const loaded = loadTemplate('qe-scf', library, REPO_ROOT);
    const fields = formFields(loaded.parameters);
    const texts = {
      ...Object.fromEntries(fields.map((f) => [f.spec.name, initialText(f.spec)])),
      structure: 'cif/si.cif',
      ecutwfc: '40',
      occupations: 'fixed',
    };
    expect(calcArgv(loaded, fields, texts, FIXTURES)).toEqual([
      'calc',
      '--template',
      'qe-scf',
      '--set',
      'ecutwfc=40',
      '--structure',
      join(FIXTURES, 'cif', 'si.cif'),
      '--label',
      'template qe-scf',
    ]);
    // The values the preview renders with give what --set and --structure give.
    const preview = renderLoaded(loaded, renderValues(loaded, fields, texts, FIXTURES), {
      baseDir: FIXTURES,
    });
    const byName = renderLoaded(
      loaded,
      { ecutwfc: '40', structure: join(FIXTURES, 'cif', 'si.cif') },
      { baseDir: REPO_ROOT },
    );
    expect(preview.text).toBe(byName.text);
    expect(preview.text).toContain('ecutwfc = 40');
  });
});
