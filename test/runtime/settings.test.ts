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
    ).toThrow(
      'retort.yaml:3: defaults.walltime: unknown field (did you mean "walltime_s"?); expected one of: cores, walltime_s, memory_mb',
    );
  });

  it('names the line and what was expected for a bad value', () => {
    expect(() => parseSettings('workers: two\n', 'retort.yaml')).toThrow(
      'retort.yaml:1: workers: expected a whole number ≥ 1, found "two"',
    );
    expect(() => parseSettings('control:\n  retries: -1\n', 'c.yaml')).toThrow(
      'c.yaml:2: control.retries',
    );
  });

  it('reads the retry backoff and the log level, and names the line of a bad one', () => {
    const s = parseSettings(
      'log_level: debug\ncontrol:\n  retry_base_s: 2.5\n  retry_max_s: 60\n  retry_jitter: 0\n',
      'retort.yaml',
    );
    expect(s.log_level).toBe('debug');
    expect(s.control.backoff).toEqual({ base_s: 2.5, max_s: 60, jitter: 0 });
    expect(DEFAULT_SETTINGS.control.backoff).toEqual({ base_s: 10, max_s: 600, jitter: 0.2 });
    expect(() => parseSettings('log_level: loud\n', 'r.yaml')).toThrow(/^r\.yaml:1: log_level: /);
    expect(() => parseSettings('control:\n  retry_jitter: 1.5\n', 'r.yaml')).toThrow(
      'r.yaml:2: control.retry_jitter: expected a number between 0 and 0.9, found 1.5',
    );
  });

  it('names the line of a YAML syntax error', () => {
    expect(() => parseSettings('workers: 2\nprograms: [unclosed\n', 'retort.yaml')).toThrow(
      /^retort\.yaml:\d+: not valid YAML/,
    );
  });
});

describe('retort.yaml hosts', () => {
  const base = `hosts:
  server:
    type: ssh
    hostname: 127.0.0.1
    port: 2222
    user: root
    identity_file: ~/.ssh/id_ed25519
    scratch: /scratch/me/retort runs/
    max_calcs: 3
  cluster:
    type: slurm
    via: server
    scratch: /scratch/me/retort
    partition: short
    setup: ["module load mopac"]
    submit: array
    pack_size: 20
`;

  it('reads ssh hosts and slurm clusters with their defaults', () => {
    const s = parseSettings(`executor: slurm:cluster\n${base}`, 'retort.yaml');
    expect(s.executor).toBe('slurm:cluster');
    const server = s.hosts.server;
    expect(server).toMatchObject({
      type: 'ssh',
      hostname: '127.0.0.1',
      port: 2222,
      transport: 'ssh2',
      scratch: '/scratch/me/retort runs',
      max_calcs: 3,
      max_sessions: 10,
      cleanup: false,
    });
    expect(server?.type === 'ssh' && server.identity_file?.endsWith('/.ssh/id_ed25519')).toBe(true);
    expect(s.hosts.cluster).toMatchObject({
      type: 'slurm',
      via: 'server',
      partition: 'short',
      setup: ['module load mopac'],
      submit: 'array',
      pack_size: 20,
      max_jobs: 20,
      submit_interval_s: 0,
      poll_s: 10,
    });
  });

  it('names the line of every mistake', () => {
    const cases: [string, string][] = [
      [
        base.replace('submit: array', 'submit: bunch'),
        'retort.yaml:16: hosts.cluster.submit: expected one of single, array, packed, found "bunch"',
      ],
      [
        base.replace('via: server', 'via: nowhere'),
        'retort.yaml:12: hosts.cluster.via: expected the name of an ssh host',
      ],
      [
        base.replace('    port: 2222\n', '    port: 2222\n    colour: blue\n'),
        'retort.yaml:6: hosts.server.colour: unknown field; expected one of: type, hostname',
      ],
      [
        base.replace('scratch: /scratch/me/retort runs/', 'scratch: relative/dir'),
        'retort.yaml:8: hosts.server.scratch: expected an absolute directory path',
      ],
      [
        base.replace('    hostname: 127.0.0.1\n', ''),
        'retort.yaml:3: hosts.server.hostname or hosts.server.alias: give exactly one',
      ],
      [
        `executor: ssh:cluster\n${base}`,
        'retort.yaml:1: executor: no ssh host "cluster" in retort.yaml (hosts: ssh:server, slurm:cluster)',
      ],
      [
        base.replace('setup: ["module load mopac"]', 'setup: "module load mopac"'),
        'retort.yaml:15: hosts.cluster.setup: expected a list, found "module load mopac"',
      ],
    ];
    for (const [text, message] of cases) {
      expect(() => parseSettings(text, 'retort.yaml')).toThrow(message);
    }
  });
});
