import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExecutorUnavailableError } from '../../../src/core/errors.js';
import { Ssh2Transport } from '../../../src/executors/remote/ssh2-transport.js';
import { SystemSshTransport } from '../../../src/executors/remote/system-ssh-transport.js';
import type { SshTarget, Transport } from '../../../src/executors/remote/transport.js';
import { SshExecutor } from '../../../src/executors/ssh/ssh-executor.js';
import { sshdUnavailable, startSshd, stopSshd, type SshdInfo } from '../../helpers/sshd.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { makeJob } from '../local/make-job.js';

// The ssh executor's infrastructure errors against a real sshd on 127.0.0.1:2303.
const PORT = 2303;
const skip = sshdUnavailable();

describe.skipIf(skip !== undefined)(
  `SshExecutor against a real sshd${skip === undefined ? '' : ` (skipped: ${skip})`}`,
  () => {
    let sshd: SshdInfo;
    let scratch: ReturnType<typeof tempDir>;
    const opened: SshExecutor[] = [];

    function executor(
      kind: 'ssh2' | 'system',
      changes: Partial<SshTarget> = {},
      options: { scratch?: string; unreachableGiveUpMs?: number } = {},
    ): SshExecutor {
      const target: SshTarget = {
        name: 'box',
        hostname: sshd.host,
        port: sshd.port,
        user: sshd.user,
        identityFile: sshd.identityFile,
        knownHosts: sshd.knownHosts,
        ...changes,
      };
      const transport: Transport =
        kind === 'ssh2' ? new Ssh2Transport(target) : new SystemSshTransport(target);
      const made = new SshExecutor({
        name: 'ssh:box',
        transport,
        scratch: options.scratch ?? join(scratch.dir, 'remote'),
        campaignId: 'campaign',
        maxCalcs: 2,
        pollS: 1,
        killGraceS: 1,
        cleanup: false,
        unreachableGiveUpMs: options.unreachableGiveUpMs ?? 600_000,
      });
      opened.push(made);
      return made;
    }

    /** What submitting a calc throws, which must be an ExecutorUnavailableError. */
    async function refusal(made: SshExecutor): Promise<ExecutorUnavailableError> {
      const job = makeJob(join(scratch.dir, 'local'), ['true']);
      const error: unknown = await made.submit(job).then(
        () => new Error('expected a rejection'),
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(ExecutorUnavailableError);
      return error as ExecutorUnavailableError;
    }

    beforeAll(async () => {
      sshd = await startSshd({ port: PORT });
      scratch = tempDir('retort-ssh-executor-');
    }, 600_000);

    afterAll(async () => {
      await Promise.all(opened.map((e) => e.close()));
      await stopSshd(sshd);
      scratch.remove();
    });

    for (const kind of ['ssh2', 'system'] as const) {
      it(`refuses a host whose key changed, saying which known_hosts entry to check (${kind})`, async () => {
        const key = join(scratch.dir, `other_host_key_${kind}`);
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
        const other = readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
        const knownHosts = join(scratch.dir, `changed_known_hosts_${kind}`);
        writeFileSync(knownHosts, `[127.0.0.1]:${PORT} ${other}\n`);
        const error = await refusal(executor(kind, { knownHosts }));
        expect(error.executor).toBe('ssh:box');
        expect(error.retryable).toBe(false);
        expect(error.message).toMatch(/^ssh:box: .*host key .* has CHANGED/);
        expect(error.fix).toMatch(/check the host/);
        expect(error.fix).toContain(`update or remove its entry in ${knownHosts}`);
      });

      it(`refuses a key the host does not accept, saying where keys come from (${kind})`, async () => {
        const identityFile = join(scratch.dir, `unknown_client_key_${kind}`);
        execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', identityFile]);
        const error = await refusal(executor(kind, { identityFile }));
        expect(error.retryable).toBe(false);
        expect(error.message).toMatch(/^ssh:box: .*authentication .*was refused/);
        expect(error.fix).toMatch(/identity_file/);
        expect(error.fix).toMatch(/ssh-agent/);
        expect(error.fix).toMatch(/authorized_keys/);
      });

      it(`gives up on a host out of reach after waiting, pointing to hosts check (${kind})`, async () => {
        const error = await refusal(executor(kind, { port: 1 }, { unreachableGiveUpMs: 1500 }));
        expect(error.retryable).toBe(true);
        expect(error.message).toMatch(/^ssh:box: .*(ECONNREFUSED|Connection refused)/);
        expect(error.fix).toBe(
          'check its hostname, port and the network, then `retort hosts check box`',
        );
      });

      it(`stops waiting for a host out of reach when it is closed (${kind})`, async () => {
        const made = executor(kind, { port: 1 });
        const waiting = refusal(made);
        // The first failed try: the executor is now waiting for the host.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await made.close();
        const error = await waiting;
        expect(error.retryable).toBe(true);
      });

      it(`refuses a scratch directory it cannot write, before staging any calc (${kind})`, async () => {
        const blocker = join(scratch.dir, `a-file-${kind}`);
        writeFileSync(blocker, '');
        const error = await refusal(executor(kind, {}, { scratch: join(blocker, 'scratch') }));
        expect(error.retryable).toBe(false);
        expect(error.message).toMatch(
          /^ssh:box: the scratch directory .* is not writable \(.*Not a directory/,
        );
        expect(error.fix).toBe(
          'set `scratch:` of host box in retort.yaml to a directory its user can write',
        );
      });
    }
  },
);
