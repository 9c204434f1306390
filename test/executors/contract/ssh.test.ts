import { join } from 'node:path';
import { LocalTransport } from '../../../src/executors/remote/local-transport.js';
import { remoteCalcDir } from '../../../src/executors/remote/remote-calc.js';
import { SshExecutor } from '../../../src/executors/ssh/ssh-executor.js';
import { executorContract } from './executor-contract.js';

// The ssh executor over the local transport: the same remote scripts, staging and polling as
// over ssh, with "the host" this machine (no sshd).
const CAMPAIGN = 'contract';

executorContract({
  name: 'ssh (over the local transport)',
  make: (root) =>
    new SshExecutor({
      name: 'ssh:here',
      transport: new LocalTransport(),
      scratch: join(root, 'scratch'),
      campaignId: CAMPAIGN,
      maxCalcs: 4,
      pollS: 0.2,
      killGraceS: 1,
      cleanup: false,
    }),
  runDir: (root, job) => remoteCalcDir(join(root, 'scratch'), CAMPAIGN, job),
});
