import { LocalExecutor } from '../../../src/executors/local/local-executor.js';
import { executorContract } from './executor-contract.js';

executorContract({
  name: 'local',
  make: () => new LocalExecutor({ slots: 4, killGraceMs: 1000 }),
  runDir: (_root, job) => job.workdir,
});
