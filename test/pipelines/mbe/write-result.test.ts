import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { analyzeMbe, type MbeResult } from '../../../src/pipelines/mbe/analyze.js';
import { DEFAULT_OUTPUT, type MbeInput } from '../../../src/pipelines/mbe/input.js';
import { Problems } from '../../../src/pipelines/mbe/problems.js';
import { readCaseDocument } from '../../../src/pipelines/mbe/read-case.js';
import {
  renderMbeResult,
  writeMbeResult,
  type MbeTimings,
} from '../../../src/pipelines/mbe/write-result.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { QCMB_DIR, QCMB_SKIP_REASON, readCase } from './qcmb-cases.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const remove of cleanups.splice(0)) remove();
});

/** QCManyBody's water trimer gradient case analysed: a result with energy and gradient. */
function gradientCase(): { input: MbeInput; result: MbeResult; timings: MbeTimings } {
  const read = readCaseDocument(readCase('h2o3_hf_sto3g_gradient_mbe3.json'), new Problems('c'));
  if (read === undefined) throw new Error('case not read');
  const result = analyzeMbe(read.input, read.components);
  const labels = Object.keys(read.components);
  const tasks = Object.fromEntries(
    labels.map((label, i) => [label, { duration_s: i + 0.5, from_store: i % 2 === 0 }]),
  );
  return {
    input: read.input,
    result,
    timings: {
      wall_s: 12.5,
      tasks_run: 9,
      tasks_from_store: 10,
      task_s_total: labels.reduce((sum, _, i) => sum + i + 0.5, 0),
      tasks,
    },
  };
}

describe.skipIf(QCMB_DIR === undefined)(
  `writing the result of mbe run (${QCMB_DIR ?? QCMB_SKIP_REASON})`,
  () => {
    it('writes JSON indented or on one line, with the timings or without', () => {
      const { input, result, timings } = gradientCase();
      const pretty = renderMbeResult(input, result, timings, DEFAULT_OUTPUT);
      expect(pretty.split('\n').length).toBeGreaterThan(100);
      expect(JSON.parse(pretty)).toEqual({ ...result, timings });
      const compact = renderMbeResult(input, result, timings, { ...DEFAULT_OUTPUT, pretty: false });
      expect(compact.trimEnd().split('\n')).toHaveLength(1);
      expect(JSON.parse(compact)).toEqual(JSON.parse(pretty));
      const bare = renderMbeResult(input, result, timings, {
        ...DEFAULT_OUTPUT,
        include_timings: false,
      });
      expect(JSON.parse(bare)).toEqual(result);
    });

    it('writes YAML that reads back as the JSON document', () => {
      const { input, result, timings } = gradientCase();
      const yaml = renderMbeResult(input, result, timings, { ...DEFAULT_OUTPUT, format: 'yaml' });
      expect(parse(yaml)).toEqual({ ...result, timings });
      expect(yaml).toMatch(/^schema_name: qcschema_many_body_result$/m);
    });

    it('writes text: the n-body tables, the return energy and gradient, the timings and slowest tasks', () => {
      const { input, result, timings } = gradientCase();
      const text = renderMbeResult(input, result, timings, { ...DEFAULT_OUTPUT, format: 'text' });
      expect(text.startsWith(result.stdout.trimEnd())).toBe(true);
      expect(text).toContain(`   return_energy: ${result.ret_energy.toFixed(12)} Eh\n`);
      const first = result.ret_gradient?.[0] ?? [];
      expect(text).toContain(`     O  ${first.map((v) => v.toFixed(12).padStart(17)).join(' ')}\n`);
      expect(text).toContain(
        '   timings: 9 tasks run, 10 from the store; 180.5 s of calcs, 12.5 s wall',
      );
      const slowest = Object.keys(timings.tasks)[18] ?? '';
      expect(text).toContain(`        18.5 s  ${slowest} (from the store)`);
      const untimed = renderMbeResult(input, result, timings, {
        ...DEFAULT_OUTPUT,
        format: 'text',
        include_timings: false,
      });
      expect(untimed).not.toContain('timings');
      expect(untimed).toContain('return_gradient');
    });

    it('writes to --output, else output.file beside the input (making its directory), else exports/ with the extension of the format', () => {
      const { input, result, timings } = gradientCase();
      const { dir, remove } = tempDir('retort-mbe-out-');
      cleanups.push(remove);
      mkdirSync(join(dir, 'inputs'));
      const file = join(dir, 'inputs', 'w3.yaml');
      const exportsDir = join(dir, 'exports');
      const text = { ...input, output: { ...DEFAULT_OUTPUT, format: 'text' as const } };
      expect(writeMbeResult(file, text, result, timings, exportsDir, undefined)).toBe(
        join(exportsDir, 'mbe-w3.txt'),
      );
      const yaml = { ...input, output: { ...DEFAULT_OUTPUT, format: 'yaml' as const } };
      expect(writeMbeResult(file, yaml, result, timings, exportsDir, undefined)).toBe(
        join(exportsDir, 'mbe-w3.yaml'),
      );
      const placed = { ...input, output: { ...DEFAULT_OUTPUT, file: 'results/w3.json' } };
      const beside = writeMbeResult(file, placed, result, timings, exportsDir, undefined);
      expect(beside).toBe(join(dir, 'inputs', 'results', 'w3.json'));
      expect(JSON.parse(readFileSync(beside, 'utf8'))).toEqual({ ...result, timings });
      const flag = join(dir, 'flag.json');
      expect(writeMbeResult(file, placed, result, timings, exportsDir, flag)).toBe(flag);
      expect(existsSync(flag)).toBe(true);
    });
  },
);
