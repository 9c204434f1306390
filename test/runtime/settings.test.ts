import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, parseSettings, SETTINGS_TEMPLATE } from '../../src/runtime/settings.js';

describe('retort.yaml', () => {
  it('gives the defaults for the template that init writes', () => {
    expect(parseSettings(SETTINGS_TEMPLATE, 'retort.yaml')).toEqual(DEFAULT_SETTINGS);
  });

  it('reads every setting', () => {
    const s = parseSettings(
      'workers: 3\nprograms:\n  mopac: /opt/mopac/MOPAC2016.exe\ndefaults:\n  walltime_s: 60\ncontrol:\n  failure_threshold: 0\n',
      'retort.yaml',
    );
    expect(s.workers).toBe(3);
    expect(s.programs).toEqual({ mopac: '/opt/mopac/MOPAC2016.exe' });
    expect(s.defaults.walltime_s).toBe(60);
    expect(s.control.failure_threshold).toBe(0);
  });

  it('names the line of an unknown key', () => {
    expect(() =>
      parseSettings('executor: local\ndefaults:\n  walltime: 60\n', 'retort.yaml'),
    ).toThrow('retort.yaml:3: unknown setting "defaults.walltime"');
  });

  it('names the line and what was expected for a bad value', () => {
    expect(() => parseSettings('workers: two\n', 'retort.yaml')).toThrow(
      'retort.yaml:1: workers: expected a whole number ≥ 1, found "two"',
    );
    expect(() => parseSettings('control:\n  retries: -1\n', 'c.yaml')).toThrow(
      'c.yaml:2: control.retries',
    );
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => parseSettings('workers: 2\nprograms: [unclosed\n', 'retort.yaml')).toThrow(
      /^retort\.yaml:\d+: not valid YAML/,
    );
  });
});
