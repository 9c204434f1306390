import { initCampaign, openCampaign, type Campaign } from '../../src/runtime/campaign.js';

/** What one seeded calc ends as. */
export type SeededState = 'queued' | 'running' | 'succeeded' | 'failed';

export interface SeedCalc {
  readonly key: string;
  readonly program: string;
  readonly method?: string;
  readonly label?: string;
  readonly state: SeededState;
  /** When its attempt ended (succeeded, failed) or started (running); default now. */
  readonly at?: Date;
  readonly executor?: string;
}

/**
 * A campaign in `dir` whose store holds `calcs` in the given states, recorded through the calc
 * store's own operations (one run `seed`), as a runner would have left them. Returns it open.
 */
export function seedCampaign(dir: string, calcs: readonly SeedCalc[]): Campaign {
  initCampaign(dir);
  const campaign = openCampaign(dir);
  campaign.runs.create({
    id: 'seed',
    pid: process.pid,
    hostname: 'h',
    command: ['retort', 'run', 'seed.jsonl'],
    executor: 'local',
    workers: 1,
  });
  addCalcs(campaign, calcs);
  return campaign;
}

/** Records more calcs in an open campaign (as {@link seedCampaign}). */
export function addCalcs(campaign: Campaign, calcs: readonly SeedCalc[]): void {
  const store = campaign.calcs;
  for (const c of calcs) {
    const at = (c.at ?? new Date()).toISOString();
    store.want(
      {
        key: c.key,
        program: c.program,
        task: 'energy',
        adapterVersion: '1',
        spec: {
          program: c.program,
          task: 'energy',
          ...(c.method === undefined ? {} : { method: c.method }),
        },
        label: c.label,
      },
      () => false,
    );
    if (c.state === 'queued') continue;
    const attempt = store.submit(c.key, {
      runId: 'seed',
      executor: c.executor ?? 'local',
      workdir: `/nonexistent/${c.key}`,
      argv: ['true'],
      env: {},
      inputs: {},
      resources: { cores: 1, walltime_s: 60 },
      submittedAt: at,
    });
    store.started(c.key, attempt, { pid: 1 }, at);
    const end = { endedAt: at, startedAt: at, exitCode: 0, signal: null, programVersion: '1' };
    if (c.state === 'succeeded') store.succeeded(c.key, attempt, { energy: -1.5 }, end);
    else if (c.state === 'failed')
      store.failed(c.key, attempt, { class: 'crash', message: 'it broke' }, end);
  }
}
