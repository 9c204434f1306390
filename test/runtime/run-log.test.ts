import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunLog } from '../../src/runtime/run-log.js';
import { tempDir } from '../helpers/temp-dir.js';

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.remove();
});

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('RunLog', () => {
  it('writes one JSON object per event with time, level, event and run id', () => {
    const path = join(tmp.dir, 'logs', 'r1.jsonl');
    const log = new RunLog(path, 'r1', 'info');
    log.write('info', 'calc_finished', { key: 'k', duration_s: 1.5 });
    log.close();
    const [event] = lines(path);
    expect(event).toMatchObject({
      level: 'info',
      event: 'calc_finished',
      run_id: 'r1',
      key: 'k',
      duration_s: 1.5,
    });
    expect(Date.parse(String(event?.time))).not.toBeNaN();
  });

  it('leaves out events below its level', () => {
    const path = join(tmp.dir, 'r2.jsonl');
    const log = new RunLog(path, 'r2', 'warn');
    log.write('debug', 'calc_queued', {});
    log.write('info', 'calc_started', {});
    log.write('warn', 'retry_scheduled', {});
    log.write('error', 'run_ended', {});
    log.close();
    expect(lines(path).map((e) => e.event)).toEqual(['retry_scheduled', 'run_ended']);
  });

  it('says once that it cannot write, and never throws', () => {
    const said: string[] = [];
    const log = new RunLog(join(tmp.dir, 'no', '\0bad'), 'r3', 'debug', (l) => said.push(l));
    log.write('info', 'notice', { message: 'x' });
    log.close();
    expect(said).toHaveLength(1);
    expect(said[0]).toMatch(/cannot write the structured log/);
  });
});
