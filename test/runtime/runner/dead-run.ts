import { calcKey, keyedSpec } from '../../../src/core/calc-key.js';
import type { CalcSpec } from '../../../src/core/calc-spec.js';
import { calcWorkdir } from '../../../src/core/campaign-layout.js';
import { getEngine } from '../../../src/engines/registry.js';
import type { Campaign } from '../../../src/runtime/campaign.js';

/**
 * Records a `command` calc as submitted by a runner that then died (run `dead-run`, pid 999999),
 * as the store would show it after a crash between submission and the job's start.
 */
export function recordSubmittedByDeadRun(campaign: Campaign, spec: CalcSpec) {
  const engine = getEngine('command');
  const key = calcKey(spec, engine.adapterVersion);
  campaign.runs.create({
    id: 'dead-run',
    pid: 999999,
    hostname: 'h',
    command: ['retort'],
    executor: 'local',
    workers: 1,
  });
  campaign.calcs.want(
    {
      key,
      program: 'command',
      task: 'run',
      adapterVersion: engine.adapterVersion,
      spec: keyedSpec(spec),
      label: spec.label,
    },
    () => false,
  );
  const job = engine.prepare(spec);
  const workdir = calcWorkdir(campaign.paths, key);
  const attempt = campaign.calcs.submit(key, {
    runId: 'dead-run',
    executor: 'local',
    workdir,
    argv: job.argv,
    env: job.env,
    inputs: job.files,
    resources: spec.resources,
    submittedAt: new Date().toISOString(),
  });
  return { key, attempt, workdir, job };
}
