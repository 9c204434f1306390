import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  campaignLogs,
  cleanupTempDirs,
  commandLines,
  countedCalcs,
  fileLines,
  hasProgram,
  labels,
  RETORT_BIN,
  runCli,
  startCli,
  tempCampaign,
  tempDir,
  untilStarted,
  withStore,
} from '../helpers/cli.js';
import { MOLECULES, heats, mopacList, runJson, type RunLine } from '../helpers/mopac-list.js';
import { survivors } from '../helpers/processes.js';
import {
  killSshd,
  sshdUnavailable,
  startBurstRelay,
  startPrivateSshd,
  startSshd,
  stopPrivateSshd,
  type SshdInfo,
} from '../helpers/sshd.js';

// Real calcs through a real sshd on 127.0.0.1 (scripts/dev/sshd-up.sh), driven through the CLI.
const PORT = 2321;
const skip = sshdUnavailable() ?? (hasProgram('mopac') ? undefined : 'MOPAC is not installed');
let sshd: SshdInfo;

beforeAll(async () => {
  if (skip === undefined) sshd = await startPrivateSshd(PORT, 'retort-sshd-run-');
}, 600_000);

afterAll(async () => {
  if (skip === undefined) {
    await stopPrivateSshd(sshd);
  }
});

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/**
 * A campaign whose retort.yaml has the test sshd as `ssh:dev` (scratch path with a space):
 * by its address with the ssh2 or the system transport, or by the `alias` of its ssh_config.
 */
function sshCampaign(
  transport: 'ssh2' | 'system' | 'alias' = 'ssh2',
  { knownHosts = sshd.knownHosts, port = sshd.port } = {},
): string {
  const dir = tempCampaign();
  const scratch = join(tempDir('retort-remote-'), 'remote scratch');
  const connection =
    transport === 'alias'
      ? [`    alias: ${sshd.alias}`, `    ssh_config: ${sshd.sshConfig}`, '    transport: system']
      : [
          '    hostname: 127.0.0.1',
          `    port: ${String(port)}`,
          `    user: ${sshd.user}`,
          `    identity_file: ${sshd.identityFile}`,
          `    known_hosts: ${knownHosts}`,
          `    transport: ${transport}`,
        ];
  writeFileSync(
    join(dir, 'retort.yaml'),
    [
      'hosts:',
      '  dev:',
      '    type: ssh',
      ...connection,
      `    scratch: "${scratch}"`,
      '    max_calcs: 3',
      '    poll_s: 1',
      '',
    ].join('\n'),
  );
  return dir;
}

describe.skipIf(skip)('retort run --executor ssh:NAME (real sshd, real MOPAC)', () => {
  let localHeats: Record<string, number | undefined>;

  beforeAll(() => {
    if (skip !== undefined) return;
    const dir = tempCampaign();
    const file = join(dir, 'calcs.jsonl');
    writeFileSync(file, mopacList());
    localHeats = heats(runJson(dir, file));
  }, 300_000);

  for (const [transport, name] of [
    ['ssh2', 'ssh2'],
    ['alias', 'system'],
  ] as const) {
    it(`gives the local results through the ${name} transport`, () => {
      const dir = sshCampaign(transport);
      const file = join(dir, 'calcs.jsonl');
      writeFileSync(file, mopacList());
      const lines = runJson(dir, file, ['--executor', 'ssh:dev']);
      expect(lines.map((l) => l.status)).toEqual(MOLECULES.map(() => 'succeeded'));
      const remote = heats(lines);
      for (const [label] of MOLECULES) {
        expect(remote[label]).toBeCloseTo(localHeats[label] ?? NaN, 2);
      }
      const executors = withStore(dir, (db) =>
        db.prepare('SELECT DISTINCT executor FROM attempts').pluck().all(),
      );
      expect(executors).toEqual(['ssh:dev']);
      expect(runCli(['status'], { cwd: dir }).stdout).toMatch(
        /ssh:dev\s+0 submitted, 0 running, 12 done/,
      );
    }, 300_000);
  }

  it('runs retort calc on the host and cleans up the remote directory when asked', () => {
    const dir = sshCampaign();
    const yaml = join(dir, 'retort.yaml');
    writeFileSync(
      yaml,
      readFileSync(yaml, 'utf8').replace('    poll_s: 1\n', '    poll_s: 1\n    cleanup: true\n'),
    );
    const r = runCli(
      [
        'calc',
        '--program',
        'mopac',
        '--method',
        'PM7',
        '--smiles',
        'O',
        '--executor',
        'ssh:dev',
        '--json',
      ],
      { cwd: dir },
    );
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      status: string;
      result: { heat_of_formation_kcal_mol: number };
    };
    expect(out.status).toBe('succeeded');
    expect(out.result.heat_of_formation_kcal_mol).toBeCloseTo(localHeats.water ?? NaN, 2);
    // The outputs are home; nothing of the calcs is left in the remote scratch directory.
    const scratch = /scratch: "(.*)"/.exec(readFileSync(yaml, 'utf8'))?.[1] ?? '';
    const left = execFileSync('find', [scratch, '-name', 'run.sh'], { encoding: 'utf8' });
    expect(left).toBe('');
  }, 120_000);

  it('lists and checks the host', () => {
    const dir = sshCampaign();
    const list = runCli(['hosts', 'list'], { cwd: dir });
    expect(list.stdout).toMatch(/ssh:dev\s+root@127\.0\.0\.1:2321 \(ssh2\)/);
    const check = runCli(['hosts', 'check', 'dev'], { cwd: dir });
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/ok +reached/);
    expect(check.stdout).toMatch(/ok +scratch .* is writable/);
    expect(check.stdout).toMatch(/ok +mopac: \/usr\/bin\/mopac/);
  }, 120_000);

  for (const transport of ['ssh2', 'system'] as const) {
    it(`finds the host reachable through a link that delivers its bytes in bursts (${transport})`, async () => {
      const relay = await startBurstRelay(sshd);
      try {
        const dir = sshCampaign(transport, { port: relay.port, knownHosts: relay.knownHosts });
        const check = await startCli(['hosts', 'check', 'dev'], { cwd: dir }).exit;
        expect(check.stdout).toMatch(/^ok +reached root@127\.0\.0\.1:\d+ \(/m);
        expect(check.stdout).toMatch(/ok +scratch .* is writable/);
        expect(check.status, check.stdout).toBe(0);
      } finally {
        await relay.close();
      }
    }, 120_000);
  }

  it('runs calcs through a link that delivers its bytes in bursts (ssh2)', async () => {
    const relay = await startBurstRelay(sshd);
    try {
      const dir = sshCampaign('ssh2', { port: relay.port, knownHosts: relay.knownHosts });
      const file = join(dir, 'calcs.jsonl');
      writeFileSync(
        file,
        commandLines([
          { label: 'one', argv: ['sh', '-c', 'echo one > out.txt'], outputs: ['out.txt'] },
          { label: 'two', argv: ['sh', '-c', 'exit 3'] },
        ]),
      );
      const run = await startCli(['run', file, '--executor', 'ssh:dev', '--json'], { cwd: dir })
        .exit;
      const lines = JSON.parse(run.stdout) as RunLine[];
      expect(lines.map((l) => [l.label, l.status])).toEqual([
        ['one', 'succeeded'],
        ['two', 'failed'],
      ]);
    } finally {
      await relay.close();
    }
  }, 120_000);

  it('ends quietly when its reader stops after the first line, leaving no master connection and no temp dir', async () => {
    const dir = sshCampaign('alias');
    const tmp = tempDir('retort-tmpdir-');
    const child = spawn(process.execPath, [RETORT_BIN, 'hosts', 'check', 'dev'], {
      cwd: dir,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      first += chunk;
      // As `| head -1` does: read one line, then close the pipe.
      if (first.includes('\n')) child.stdout.destroy();
    });
    const status = await new Promise<number | null>((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
    expect(first).toMatch(/^ok +reached/);
    expect(stderr).toBe('');
    expect(status).not.toBeNull();
    // The ControlMaster names its socket, under TMPDIR, on its command line.
    expect(await survivors(tmp)).toEqual([]);
    expect(readdirSync(tmp)).toEqual([]);
  }, 120_000);

  it('refuses a host whose key is not known, saying what to do', () => {
    const empty = join(tempDir(), 'known_hosts');
    writeFileSync(empty, '');
    const dir = sshCampaign('ssh2', { knownHosts: empty });
    const check = runCli(['hosts', 'check', 'dev'], { cwd: dir });
    expect(check.status).toBe(1);
    expect(check.stdout).toMatch(/FAIL .*host key.*known_hosts/);
  }, 120_000);

  it('enforces the walltime on the host and reports a timeout', () => {
    const dir = sshCampaign();
    const file = join(dir, 'calcs.jsonl');
    writeFileSync(file, commandLines([{ label: 'slow', argv: ['sleep', '60'], walltime_s: 2 }]));
    const [line] = runJson(dir, file, ['--executor', 'ssh:dev']);
    expect(line?.status).toBe('failed');
    expect(line?.failure?.class).toBe('timeout');
  }, 120_000);

  it('carries on when sshd dies mid-run and comes back: each calc runs once', async () => {
    const dir = sshCampaign();
    const { file, counter } = countedCalcs(dir, 5, 'sleep 4; echo ok');
    const run = startCli(['run', file, '--executor', 'ssh:dev', '--json'], { cwd: dir });
    await untilStarted(counter, 2);
    killSshd(sshd);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    sshd = await startSshd({ port: PORT, dir: sshd.dir });
    const result = await run.exit;
    const lines = JSON.parse(result.stdout) as RunLine[];
    expect(lines.map((l) => l.status)).toEqual(lines.map(() => 'succeeded'));
    expect(fileLines(counter).sort()).toEqual(labels(5));
  }, 300_000);

  it('re-adopts remote calcs after the runner is killed: each calc runs once', async () => {
    const dir = sshCampaign();
    const { file, counter } = countedCalcs(dir, 5, 'sleep 4; echo ok');
    const first = startCli(['run', file, '--executor', 'ssh:dev', '--headless'], { cwd: dir });
    await untilStarted(counter, 2);
    first.child.kill('SIGKILL');
    await first.exit;
    const second = runCli(['run', file, '--executor', 'ssh:dev', '--json'], { cwd: dir });
    const lines = JSON.parse(second.stdout) as RunLine[];
    expect(lines.map((l) => l.status)).toEqual(lines.map(() => 'succeeded'));
    expect(fileLines(counter).sort()).toEqual(labels(5));
    expect(campaignLogs(dir)).toMatch(/re-adopted/);
  }, 300_000);
});
