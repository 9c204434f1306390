import { describe, expect, it } from 'vitest';
import { programsFor } from '../../src/runtime/create-executor.js';
import { resolveExecutorName } from '../../src/runtime/host-settings.js';
import { parseSettings } from '../../src/runtime/settings.js';

const settings = parseSettings(
  `programs: { mopac: /opt/local/mopac }
hosts:
  server:
    type: ssh
    hostname: example.org
    scratch: /scratch
    programs: { mopac: /opt/remote/mopac }
  cluster:
    type: slurm
`,
  'retort.yaml',
);

describe('--executor', () => {
  it('resolves local and the hosts of retort.yaml by kind', () => {
    expect(resolveExecutorName('local', settings.hosts, '--executor')).toEqual({ kind: 'local' });
    expect(resolveExecutorName('ssh:server', settings.hosts, '--executor')).toMatchObject({
      kind: 'ssh',
      host: { name: 'server' },
    });
    expect(resolveExecutorName('slurm:cluster', settings.hosts, '--executor')).toMatchObject({
      kind: 'slurm',
    });
  });

  it('says which hosts exist when the name or kind is wrong', () => {
    expect(() => resolveExecutorName('slurm:server', settings.hosts, '--executor')).toThrow(
      '--executor: no slurm host "server" in retort.yaml (hosts: ssh:server, slurm:cluster)',
    );
    expect(() => resolveExecutorName('cluster', settings.hosts, '--executor')).toThrow(
      '--executor: expected local, ssh:NAME or slurm:NAME, found "cluster"',
    );
  });

  it('takes program paths from the place where calcs run', () => {
    expect(programsFor('local', settings)).toEqual({ mopac: '/opt/local/mopac' });
    expect(programsFor('ssh:server', settings)).toEqual({ mopac: '/opt/remote/mopac' });
    expect(programsFor('slurm:cluster', settings)).toEqual({});
  });
});
