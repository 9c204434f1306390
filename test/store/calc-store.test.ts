import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/database.js';
import { CalcStore, type NewAttempt } from '../../src/store/calc-store.js';
import { RunStore } from '../../src/store/run-store.js';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { IllegalTransitionError } from '../../src/core/transitions.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;
let db: Db;
let calcs: CalcStore;

const calc = {
  key: 'k1',
  program: 'command',
  task: 'run',
  adapterVersion: '1',
  spec: { program: 'command', task: 'run' },
  label: 'one',
};
const attempt: NewAttempt = {
  runId: 'r1',
  executor: 'local',
  workdir: '/tmp/w',
  argv: ['true'],
  env: {},
  inputs: { 'in.txt': 'x' },
  resources: { cores: 1, walltime_s: 10 },
  submittedAt: new Date().toISOString(),
};
const end = {
  endedAt: new Date().toISOString(),
  startedAt: undefined,
  exitCode: 0,
  signal: null,
  programVersion: '1.0',
};

beforeEach(() => {
  tmp = tempDir();
  db = openDatabase(join(tmp.dir, 'retort.db'));
  calcs = new CalcStore(db);
  new RunStore(db).create({
    id: 'r1',
    pid: process.pid,
    hostname: 'h',
    command: ['retort'],
    executor: 'local',
    workers: 1,
  });
});

afterEach(() => {
  db.close();
  tmp.remove();
});

describe('the store', () => {
  it('applies every migration and uses WAL', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('reopens an existing store without applying migrations twice', () => {
    db.close();
    db = openDatabase(join(tmp.dir, 'retort.db'));
    calcs = new CalcStore(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });
});

describe('CalcStore', () => {
  it('records a calc through submitted and running to succeeded, with its attempt', () => {
    expect(calcs.want(calc, () => false).status).toBe('queued');
    const n = calcs.submit('k1', attempt);
    expect(n).toBe(1);
    expect(calcs.get('k1')?.status).toBe('submitted');
    calcs.started('k1', n, { pid: 42 }, new Date().toISOString());
    expect(calcs.inFlight().map((r) => r.key)).toEqual(['k1']);
    calcs.succeeded('k1', n, { exit_code: 0 }, end);
    const row = calcs.get('k1');
    expect(row?.status).toBe('succeeded');
    expect(row?.result).toEqual({ exit_code: 0 });
    expect(row?.programVersion).toBe('1.0');
    expect(row?.spec).toEqual({ program: 'command', task: 'run' });
    const a = calcs.attempt('k1', 1);
    expect(a?.status).toBe('succeeded');
    expect(a?.argv).toEqual(['true']);
    expect(a?.inputs).toEqual({ 'in.txt': 'x' });
    expect(a?.handle).toEqual({ pid: 42 });
    expect(a?.resources).toEqual({ cores: 1, walltime_s: 10 });
    expect(a?.durationS).not.toBeNull();
  });

  it('answers a key it already has without inserting it again', () => {
    calcs.want(calc, () => false);
    expect(calcs.want(calc, () => true).status).toBe('queued');
    expect(calcs.counts()).toMatchObject({ queued: 1, succeeded: 0 });
  });

  it('refuses to finish a calc that was never submitted', () => {
    calcs.want(calc, () => false);
    expect(() => {
      calcs.succeeded('k1', 1, {}, end);
    }).toThrow(IllegalTransitionError);
    expect(calcs.get('k1')?.status).toBe('queued');
  });

  it('refuses to submit a calc twice while the first attempt may be alive', () => {
    calcs.want(calc, () => false);
    calcs.submit('k1', attempt);
    expect(() => calcs.submit('k1', attempt)).toThrow('submitted → submitted');
  });

  it('queues a failed calc again only when asked, with a new attempt number', () => {
    calcs.want(calc, () => false);
    calcs.submit('k1', attempt);
    calcs.failed('k1', 1, { class: 'killed', message: 'SIGKILL' }, end);
    expect(calcs.want(calc, () => false).status).toBe('failed');
    expect(calcs.want(calc, (failed) => failed.failure?.class === 'killed').status).toBe('queued');
    expect(calcs.submit('k1', attempt)).toBe(2);
    expect(calcs.recentFailures(10)).toEqual([
      expect.objectContaining({ key: 'k1', failure: { class: 'killed', message: 'SIGKILL' } }),
    ]);
  });

  it('returns an in-flight calc to the queue without counting a failure', () => {
    calcs.want(calc, () => false);
    calcs.submit('k1', attempt);
    calcs.started('k1', 1, { pid: 1 }, new Date().toISOString());
    calcs.returned('k1', 1, 'killed by a hard stop');
    expect(calcs.get('k1')?.status).toBe('queued');
    expect(calcs.attempt('k1', 1)?.status).toBe('returned');
    expect(calcs.recentFailures(10)).toEqual([]);
  });

  it('cancels a queued calc without an attempt, and refuses to cancel one in flight that way', () => {
    calcs.want(calc, () => false);
    calcs.want({ ...calc, key: 'k2' }, () => false);
    calcs.submit('k2', attempt);
    const cancelled = { class: 'cancelled', message: 'cancelled by the user' } as const;
    calcs.cancelQueued('k1', cancelled);
    expect(calcs.get('k1')).toMatchObject({ status: 'failed', failure: cancelled, attempts: 0 });
    expect(calcs.attempts('k1')).toEqual([]);
    expect(() => {
      calcs.cancelQueued('k2', cancelled);
    }).toThrow('calc k2 is submitted');
    expect(calcs.get('k2')?.status).toBe('submitted');
  });

  it('finds the keys that start with a prefix, in key order, as many as asked', () => {
    for (const key of ['ab12', 'ab34', 'ac00', 'aa99']) calcs.want({ ...calc, key }, () => false);
    expect(calcs.keysStartingWith('ab', 5)).toEqual(['ab12', 'ab34']);
    expect(calcs.keysStartingWith('a', 2)).toEqual(['aa99', 'ab12']);
    expect(calcs.keysStartingWith('ab3', 2)).toEqual(['ab34']);
    expect(calcs.keysStartingWith('b', 2)).toEqual([]);
  });

  it('reads a failure class this retort does not know as a crash, keeping the stored class', () => {
    calcs.want(calc, () => false);
    calcs.submit('k1', attempt);
    calcs.failed('k1', 1, { class: 'killed', message: 'SIGKILL' }, end);
    db.prepare("UPDATE calcs SET failure_class = 'meltdown' WHERE key = 'k1'").run();
    expect(calcs.get('k1')?.failure).toEqual({ class: 'crash', message: 'meltdown: SIGKILL' });
  });

  it('reports a damaged JSON column as a damaged store, naming the calc and field', () => {
    calcs.want(calc, () => false);
    calcs.submit('k1', attempt);
    db.prepare('UPDATE attempts SET resources_json = \'{"cores": "many"}\'').run();
    expect(() => calcs.attempt('k1', 1)).toThrow(
      /the store is damaged: calc k1 attempt 1: resources is not resources/,
    );
  });
});
