import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calcKey } from '../../../src/core/calc-key.js';
import { DEFAULT_RESOURCES, type CalcSpec } from '../../../src/core/calc-spec.js';
import type { RunState } from '../../../src/core/run-state.js';
import { getEngine } from '../../../src/engines/registry.js';
import { runWorkflow, type WorkflowItems } from '../../../src/pipelines/workflow/run.js';
import { checkWorkflow } from '../../../src/pipelines/workflow/workflow-check.js';
import { INSTANCE_CODEC, type StepRecord } from '../../../src/pipelines/workflow/workflow-item.js';
import type { CalcResolution, CalcRunner } from '../../../src/runtime/calc-request.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { ItemStore } from '../../../src/store/item-store.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let items: WorkflowItems;

beforeEach(() => {
  tmp = tempDir('retort-wf-run-');
  db = openDatabase(join(tmp.dir, 'retort.db'));
  items = new ItemStore(db).of(INSTANCE_CODEC);
});

afterEach(() => {
  db.close();
  tmp.remove();
});

/**
 * A runner that runs nothing (it keeps whether it was told work was left): each command calc succeeds with `out.txt` holding its last
 * argument, unless that argument is `fail`; it stops (answering `not_run`) once `stopAfter`
 * calcs were asked for. Every spec asked for is kept, with the item it was asked for.
 */
function fakeRunner(stopAfter = Infinity) {
  const asked: { spec: CalcSpec; item: string | undefined }[] = [];
  let state: RunState = 'running';
  let left = false;
  const runner: CalcRunner = {
    get currentState() {
      return state;
    },
    pause: () => undefined,
    workLeft: () => {
      left = true;
    },
    request: (spec, item) => {
      const key = calcKey(spec, getEngine(spec.program).adapterVersion);
      if (asked.length >= stopAfter) {
        state = 'stopped';
        return Promise.resolve({ status: 'not_run', key, reason: 'the run stopped' });
      }
      asked.push({ spec, item });
      const last = spec.command?.argv.at(-1) ?? '';
      const resolution: CalcResolution =
        last === 'fail'
          ? {
              status: 'failed',
              key,
              cached: false,
              failure: { class: 'exit_nonzero', message: 'exit 1' },
            }
          : {
              status: 'succeeded',
              key,
              cached: false,
              result:
                spec.program === 'command' ? { exit_code: 0, files: { 'out.txt': last } } : {},
              programVersion: null,
            };
      return Promise.resolve(resolution);
    },
  };
  return { runner, asked, workLeft: () => left };
}

function workflowFile(text: string): string {
  const file = join(tmp.dir, 'wf.yaml');
  writeFileSync(file, text);
  return file;
}

const noProgress = { step: () => undefined, instance: () => undefined };

describe('runWorkflow', () => {
  it('lets a when: that reads a failed step’s state decide, and fails the other dependants', async () => {
    const checked = await checkWorkflow(
      workflowFile(`name: w
steps:
  a:
    program: command
    argv: [sh, -c, 'exit 1', fail]
  rescue:
    needs: [a]
    when: \${{ steps.a.state == "failed" and steps.a.failure_class == "exit_nonzero" }}
    program: command
    argv: [echo, rescued]
  after:
    needs: [a]
    program: command
    argv: [echo, '\${{ steps.a.key }}']
`),
      [],
      tmp.dir,
      DEFAULT_RESOURCES,
    );
    const { runner, asked } = fakeRunner();
    const [outcome] = await runWorkflow(checked, runner, items, noProgress);
    expect(outcome?.status).toBe('failed');
    expect(outcome?.record.steps.rescue?.state).toBe('succeeded');
    expect(outcome?.record.steps.after).toMatchObject({
      state: 'failed',
      reason: 'needs a, which failed',
    });
    expect(asked.map((a) => a.item)).toEqual(['w/default', 'w/default']);
    const item = items.get('w/default');
    expect(item?.status).toBe('Rerun');
    expect(item?.last_error_message).toBe('a: exit 1');
  });

  it('records every step as it changes, leaves a stopped instance to run, and finishes it on the next run', async () => {
    const checked = await checkWorkflow(
      workflowFile(`name: w
matrix:
  word: [x, y]
steps:
  a:
    program: command
    argv: [echo, '\${{ matrix.word }}']
  b:
    needs: [a]
    program: command
    argv: [echo, '\${{ steps.a.result.files["out.txt"] }}-b']
`),
      [],
      tmp.dir,
      DEFAULT_RESOURCES,
    );
    const seen: string[] = [];
    const progress = {
      step: (instance: string, step: string, record: StepRecord) => {
        // The store already holds what the display is told.
        const stored = items.get(`w/${instance}`)?.result?.steps[step]?.state;
        seen.push(`${instance}/${step}:${record.state}:${stored ?? ''}`);
      },
      instance: () => undefined,
    };
    const first = fakeRunner(3);
    const stopped = await runWorkflow(checked, first.runner, items, progress);
    expect(stopped.map((o) => o.status)).toEqual(['ok', 'stopped']);
    // The run is told that an instance was left: it ends stopped, not complete.
    expect(first.workLeft()).toBe(true);
    expect(seen).toContain('word=x/a:running:running');
    expect(seen).toContain('word=x/b:succeeded:succeeded');
    expect(items.get('w/word=y')?.status).toBe('To run');
    expect(items.get('w/word=x')?.result?.steps.b?.result).toEqual({
      exit_code: 0,
      files: { 'out.txt': 'x-b' },
    });

    const second = fakeRunner();
    const finished = await runWorkflow(checked, second.runner, items, noProgress);
    expect(finished.map((o) => o.status)).toEqual(['ok', 'ok']);
    expect(second.workLeft()).toBe(false);
    expect(items.all().map((i) => i.status)).toEqual(['OK', 'OK']);
    expect(second.asked.at(-1)?.spec.command?.argv).toEqual(['echo', 'y-b']);
  });

  it('gives a step the calc key of the step named in from: as options.parent', async () => {
    const cell = `{cell: [[0, 2.715, 2.715], [2.715, 0, 2.715], [2.715, 2.715, 0]], sites: [{element: Si, fractional: [0, 0, 0]}, {element: Si, fractional: [0.25, 0.25, 0.25]}]}`;
    const checked = await checkWorkflow(
      workflowFile(`name: w
steps:
  scf:
    program: qe
    task: scf
    structure: ${cell}
    options: {ecutwfc: 12}
  bands:
    needs: [scf]
    from: \${{ steps.scf }}
    program: qe
    task: bands
    structure: ${cell}
    options: {ecutwfc: 12}
`),
      [],
      tmp.dir,
      DEFAULT_RESOURCES,
    );
    const { runner, asked } = fakeRunner();
    const [outcome] = await runWorkflow(checked, runner, items, noProgress);
    expect(outcome?.status).toBe('ok');
    const scfKey = outcome?.record.steps.scf?.key;
    expect(scfKey).toMatch(/^[0-9a-f]{64}$/);
    expect(asked.map((a) => a.spec.task)).toEqual(['scf', 'bands']);
    expect(asked[1]?.spec.options?.parent).toBe(scfKey);
  });
});
