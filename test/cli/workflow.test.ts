import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, REPO_ROOT, runCli, tempCampaign, withStore } from '../helpers/cli.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

/**
 * Three instances (n = 1, 2, 3) of four command steps: `a` writes 10·n (and fails for n = 3),
 * `b` adds 1 to what `a` wrote, `c` runs only when b's number is above 15, `d` needs `c`.
 */
const CHAIN = `name: chain
params:
  limit: {type: int, default: 15, min: 0}
matrix:
  n: [1, 2, 3]
steps:
  a:
    program: command
    argv: [sh, -c, 'test $0 -ne 3 && echo $(($0 * 10)) > out.txt', '\${{ matrix.n }}']
    outputs: [out.txt]
  b:
    needs: [a]
    program: command
    argv: [sh, -c, 'echo $(($0 + 1)) > out.txt', '\${{ int(steps.a.result.files["out.txt"]) }}']
    outputs: [out.txt]
  c:
    needs: [b]
    when: '\${{ int(steps.b.result.files["out.txt"]) > params.limit }}'
    program: command
    argv: [sh, -c, 'echo c > out.txt']
    outputs: [out.txt]
  d:
    needs: [c]
    program: command
    argv: [echo, '\${{ steps.c.key }}']
`;

interface StatusJson {
  readonly instance: string;
  readonly status: string;
  readonly steps: Record<
    string,
    {
      state: string;
      key: string | null;
      cached: boolean;
      reason: string | null;
      result: Record<string, unknown> | null;
    }
  >;
}

function statusJson(dir: string, name?: string): StatusJson[] {
  const r = runCli(['workflow', 'status', ...(name === undefined ? [] : [name]), '--json'], {
    cwd: dir,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson[];
}

function attempts(dir: string): number {
  return withStore(
    dir,
    (db) => db.prepare('SELECT count(*) FROM attempts').pluck().get() as number,
  );
}

describe('retort workflow', () => {
  it('runs a DAG per instance: results pass along, when: skips, a failure fails its dependants only', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'chain.yaml'), CHAIN);
    const r = runCli(['workflow', 'run', 'chain.yaml', '--headless'], { cwd: dir });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^n=1\s+ok\s+a:succeeded b:succeeded c:skipped d:skipped$/m);
    expect(r.stdout).toMatch(/^n=2\s+ok\s+a:succeeded b:succeeded c:succeeded d:succeeded$/m);
    expect(r.stdout).toMatch(/^n=3\s+failed\s+a:failed b:failed c:failed d:failed$/m);

    // status.json counts instances and steps beside the calcs.
    const run = JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as {
      totals: { total: number; failed: number };
      items: Record<string, Record<string, number>>;
    };
    expect(run.totals).toMatchObject({ total: 7, failed: 1 });
    expect(run.items.instances).toEqual({
      total: 3,
      done: 3,
      succeeded: 1,
      failed: 1,
      skipped: 1,
      running: 0,
      pending: 0,
    });
    expect(run.items.steps).toEqual({
      total: 12,
      done: 12,
      succeeded: 6,
      failed: 4,
      skipped: 2,
      running: 0,
      pending: 0,
    });

    const status = statusJson(dir);
    const [one, two, three] = status;
    expect(one?.steps.b?.result?.files).toEqual({ 'out.txt': '11\n' });
    expect(one?.steps.c?.reason).toBe(
      'when: ${{ int(steps.b.result.files["out.txt"]) > params.limit }} is false',
    );
    expect(one?.steps.d?.reason).toBe('needs c, which was skipped');
    expect(two?.steps.b?.result?.files).toEqual({ 'out.txt': '21\n' });
    // d's argv held c's calc key.
    expect(two?.steps.d?.result?.stdout_tail).toBe(`${two?.steps.c?.key ?? 'none'}\n`);
    expect(three?.status).toBe('Rerun');
    expect(three?.steps.a?.state).toBe('failed');
    expect(three?.steps.b?.reason).toBe('needs a, which failed');

    const table = runCli(['workflow', 'status'], { cwd: dir });
    expect(table.stdout).toMatch(/^n=1\s+c\s+skipped\s+when: /m);
    expect(table.stdout).toMatch(/3 instances: 2 finished, 1 failed/);

    const csv = readFileSync(join(dir, 'exports', 'workflow-chain.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe(
      'instance,matrix.n,steps.a.state,steps.b.state,steps.c.state,steps.d.state',
    );
    expect(csv.slice(1, 4)).toEqual([
      'n=1,1,succeeded,succeeded,skipped,skipped',
      'n=2,2,succeeded,succeeded,succeeded,succeeded',
      'n=3,3,failed,failed,failed,failed',
    ]);
  });

  it('runs nothing again on a second run, and a lower --set limit runs only what changed', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'chain.yaml'), CHAIN);
    runCli(['workflow', 'run', 'chain.yaml', '--headless'], { cwd: dir });
    const before = attempts(dir);
    const again = runCli(['workflow', 'run', 'chain.yaml', '--headless'], { cwd: dir });
    expect(again.stdout).toMatch(/calcs: 0 ran ok, 6 from the store, 1 failed/);
    expect(attempts(dir)).toBe(before);

    const lower = runCli(['workflow', 'run', 'chain.yaml', '--set', 'limit=5', '--headless'], {
      cwd: dir,
    });
    expect(lower.stdout).toMatch(/^n=1\s+ok\s+a:stored b:stored c:stored d:stored$/m);
    // n=1's c and d are the only new calcs: c's spec equals n=2's, d reads c's key.
    expect(attempts(dir)).toBe(before);
    expect(lower.stdout).toMatch(/calcs: 0 ran ok/);
  });

  it('gives a second workflow the steps it shares with the first from the store', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'chain.yaml'), CHAIN);
    runCli(['workflow', 'run', 'chain.yaml', '--headless'], { cwd: dir });
    writeFileSync(
      join(dir, 'other.yaml'),
      `name: other
steps:
  first:
    program: command
    argv: [sh, -c, 'test $0 -ne 3 && echo $(($0 * 10)) > out.txt', '2']
    outputs: [out.txt]
  next:
    needs: [first]
    program: command
    argv: [sh, -c, 'echo $0 > out.txt', 'new']
    outputs: [out.txt]
`,
    );
    const r = runCli(['workflow', 'run', 'other.yaml', '--headless'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^default\s+ok\s+first:stored next:succeeded$/m);
    expect(r.stdout).toMatch(/calcs: 1 ran ok, 1 from the store/);
    expect(statusJson(dir, 'other')[0]?.steps.first?.cached).toBe(true);
  });

  it('refuses a file with a mistake before running anything, naming its line', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'bad.yaml'), CHAIN.replace('needs: [b]', 'needs: [bb]'));
    const r = runCli(['workflow', 'run', 'bad.yaml'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      'retort: bad.yaml:17: steps.c.needs[0]: no step "bb" (did you mean "b"?); the steps are a, b, c, d\n',
    );
    expect(withStore(dir, (db) => db.prepare('SELECT count(*) FROM items').pluck().get())).toBe(0);
  });

  it('draws the graph coloured by the states of the last run, and exports chosen columns', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'chain.yaml'), CHAIN);
    const before = runCli(['workflow', 'graph', 'chain.yaml', '--format', 'dot'], { cwd: dir });
    expect(before.status, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/"a" -> "b"|s0 -> s1/);
    runCli(['workflow', 'run', 'chain.yaml', '--headless'], { cwd: dir });
    const mermaid = runCli(['workflow', 'graph', 'chain.yaml', '--format', 'mermaid'], {
      cwd: dir,
    });
    expect(mermaid.stdout).toMatch(/a<br\/>2 succeeded · 1 failed"\]:::failed/);
    const svg = runCli(['workflow', 'graph', 'chain.yaml', '-o', 'g.svg'], { cwd: dir });
    expect(svg.status, svg.stderr).toBe(0);
    expect(readFileSync(join(dir, 'g.svg'), 'utf8')).toMatch(/^<svg[^>]*>/);

    const out = runCli(
      [
        'workflow',
        'export',
        'chain',
        '--columns',
        'matrix.n,int(steps.b.result.files["out.txt"])',
        '-o',
        'x',
      ],
      { cwd: dir },
    );
    expect(out.status, out.stderr).toBe(0);
    expect(readFileSync(join(dir, 'x', 'workflow-chain.csv'), 'utf8')).toBe(
      'instance,matrix.n,"int(steps.b.result.files[""out.txt""])"\nn=1,1,11\nn=2,2,21\nn=3,3,\n',
    );
    const json = JSON.parse(
      readFileSync(join(dir, 'x', 'workflow-chain.json'), 'utf8'),
    ) as StatusJson[];
    expect(json.map((i) => i.instance)).toEqual(['n=1', 'n=2', 'n=3']);
  });

  it('validates and plans the two examples', () => {
    const dir = tempCampaign();
    const examples = join(REPO_ROOT, 'examples', 'workflows');
    for (const example of ['molecule-sweep.yaml', 'crystal-bands.yaml']) {
      const r = runCli(['workflow', 'validate', join(examples, example)], { cwd: dir });
      expect(r.status, r.stderr).toBe(0);
    }
    const plan = runCli(['workflow', 'plan', join(examples, 'crystal-bands.yaml'), '--json'], {
      cwd: dir,
    });
    expect(plan.status, plan.stderr).toBe(0);
    const rows = JSON.parse(plan.stdout) as { instance: string; step: string; state: string }[];
    expect(rows.map((r) => `${r.instance} ${r.step} ${r.state}`)).toEqual([
      'structure=si.cif relax new',
      'structure=si.cif scf later',
      'structure=si.cif bands later',
      'structure=ge.cif relax new',
      'structure=ge.cif scf later',
      'structure=ge.cif bands later',
    ]);
  });
});
