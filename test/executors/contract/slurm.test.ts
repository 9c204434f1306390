import { join } from 'node:path';
import { LocalTransport } from '../../../src/executors/remote/local-transport.js';
import { SlurmExecutor } from '../../../src/executors/slurm/slurm-executor.js';
import { executorContract } from './executor-contract.js';
import { fakeSlurmHost, useFakeSlurm } from './fake-slurm.js';

// The slurm executor over the local transport, with the fake sbatch, squeue, scontrol and
// scancel on PATH: real job scripts run, the executor's parsers read SLURM's formats.
useFakeSlurm();

for (const submit of ['single', 'array', 'packed'] as const) {
  executorContract({
    name: `slurm, ${submit} jobs (fake scheduler)`,
    make: (root) =>
      new SlurmExecutor({
        name: 'slurm:fake',
        transport: new LocalTransport(),
        host: fakeSlurmHost({ submit }),
        campaignId: 'contract',
        localJobRoot: join(root, 'work', 'slurm'),
        killGraceS: 1,
        packWaitMs: 100,
      }),
    runDir: (_root, job) => job.workdir,
  });
}
