import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupTempDirs, runCli, tempCampaign, withStore } from '../helpers/cli.js';
import { casePath, QCMB_DIR, QCMB_SKIP_REASON } from '../pipelines/mbe/qcmb-cases.js';

afterEach(async () => {
  expect(await cleanupTempDirs()).toEqual([]);
});

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

const HE4_YAML = `molecule:
  units: angstrom
  xyz: |
    He 0 0 0
    --
    He 0 0 2
    --
    He 0 2 0
    --
    He 0 2 2
driver: energy
bsse_type: [cp, nocp]
max_nbody: 3
return_total_data: true
model_chemistries:
  mp2: {program: psi4, method: mp2, basis: aug-cc-pvdz}
execution: {workers: 2}
`;

describe('retort mbe', () => {
  it('validates a correct input with one line on stdout', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'he4.yaml'), HE4_YAML);
    const r = runCli(['mbe', 'validate', 'he4.yaml'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^he4\.yaml: valid \(retort layout; 4 fragments, 4 atoms; energy; bsse cp, nocp; max_nbody 3; 28 tasks\)/,
    );
  });

  it('prints every mistake on its own line, named by its line and field, and exits 2', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'bad.yaml'),
      HE4_YAML.replace('bsse_type: [cp, nocp]', 'bsse_type: [cp, counterpoise]').replace(
        'driver: energy',
        'driver: optimise',
      ),
    );
    const r = runCli(['mbe', 'validate', 'bad.yaml'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(
        /^retort: bad\.yaml:11: driver: expected one of energy, gradient, hessian/,
      ),
      expect.stringMatching(
        /^retort: bad\.yaml:12: bsse_type\[1\]: unknown BSSE treatment "counterpoise"/,
      ),
    ]);
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('refuses in validate what run would refuse, with the same line: an NWChem keyword of the wrong module', () => {
    const dir = tempCampaign();
    writeFileSync(
      join(dir, 'nw.yaml'),
      HE4_YAML.replace(
        'mp2: {program: psi4, method: mp2, basis: aug-cc-pvdz}',
        'mp2: {program: nwchem, method: mp2, basis: aug-cc-pvdz, keywords: {dft__grid: fine}}',
      ),
    );
    const expected =
      /^retort: nw\.yaml:16: model_chemistries\.mp2\.keywords\.dft__grid: a DFT option, and method "mp2" runs NWChem's SCF module/;
    const validate = runCli(['mbe', 'validate', 'nw.yaml'], { cwd: dir });
    expect(validate.status).toBe(2);
    expect(lines(validate.stderr)).toEqual([expect.stringMatching(expected)]);
    const run = runCli(['mbe', 'run', 'nw.yaml', '--headless'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(expected)]);
    expect(
      withStore(
        dir,
        (db) => db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM calcs').get()?.n,
      ),
    ).toBe(0);
    writeFileSync(
      join(dir, 'nw-ok.yaml'),
      HE4_YAML.replace(
        'mp2: {program: psi4, method: mp2, basis: aug-cc-pvdz}',
        'mp2: {program: nwchem, method: mp2, basis: aug-cc-pvdz, keywords: {scf__thresh: 1.0e-9}}',
      ),
    );
    const ok = runCli(['mbe', 'validate', 'nw-ok.yaml'], { cwd: dir });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
  });

  it('refuses a one-fragment input with one line and exit status 2 when planning', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'one.yaml'), HE4_YAML.replace(/\n {4}--/g, ''));
    const r = runCli(['mbe', 'plan', 'one.yaml'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(/^retort: one\.yaml:\d+: molecule\.fragments: missing/),
    ]);
  });

  it('plans: the counts per model chemistry, n-body level and treatment, and with --json the labels', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'he4.yaml'), HE4_YAML);
    const text = runCli(['mbe', 'plan', 'he4.yaml'], { cwd: dir });
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Model chemistry "mp2" (§A):');
    expect(text.stdout).toMatch(
      /Number of 1-body computations:\s+8 \(nocp: 4, cp: 4, vmfc_compute: 0\)/,
    );
    expect(text.stdout).toContain('Unique tasks (calcinfo_nmbe): 28');
    const json = runCli(['mbe', 'plan', 'he4.yaml', '--json'], { cwd: dir });
    expect(json.status).toBe(0);
    const plan = JSON.parse(json.stdout) as {
      calcinfo_nmbe: number;
      task_labels: string[];
      counts: { all: unknown };
    };
    expect(plan.calcinfo_nmbe).toBe(28);
    expect(plan.task_labels).toContain('["mp2", [1, 3], [1, 2, 3, 4]]');
    expect(plan.counts.all).toEqual({ mp2: { '1': 8, '2': 12, '3': 8 } });
    const tasks = runCli(['mbe', 'plan', 'he4.yaml', '--tasks'], { cwd: dir });
    expect(lines(tasks.stdout).filter((l) => l.startsWith('["mp2"'))).toHaveLength(28);
  });

  it('converts to qcschema and yaml, and the results validate to the same plan', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'he4.yaml'), HE4_YAML);
    const q = runCli(['mbe', 'convert', 'he4.yaml', '--to', 'qcschema', '--output', 'he4.json'], {
      cwd: dir,
    });
    expect(q.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'he4.json'), 'utf8')) as { schema_name: string };
    expect(doc.schema_name).toBe('qcschema_many_body_input');
    const y = runCli(['mbe', 'convert', 'he4.json', '--to', 'yaml'], { cwd: dir });
    expect(y.status).toBe(0);
    writeFileSync(join(dir, 'back.yaml'), y.stdout);
    const plans = ['he4.yaml', 'he4.json', 'back.yaml'].map(
      (f) => runCli(['mbe', 'plan', f, '--json'], { cwd: dir }).stdout,
    );
    expect(plans[1]).toBe(plans[0]);
    expect(plans[2]).toBe(plans[0]);
    const bad = runCli(['mbe', 'convert', 'he4.yaml', '--to', 'xml'], { cwd: dir });
    expect(bad.status).toBe(2);
  });

  it.skipIf(QCMB_DIR === undefined)(
    `analyzes a qcmb case: the n-body table and the result JSON (${QCMB_DIR ?? QCMB_SKIP_REASON})`,
    () => {
      const dir = tempCampaign();
      const r = runCli(
        ['mbe', 'analyze', casePath('h2o3_hf_sto3g_gradient_mbe3.json'), '--output', 'out.json'],
        { cwd: dir },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('==> N-Body: Counterpoise Corrected (CP) energies <==');
      expect(r.stdout).toMatch(/FULL\/RTN §A\s+3\s+-224\.894920257647/);
      expect(existsSync(join(dir, 'out.json'))).toBe(true);
      const result = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as {
        properties: Record<string, unknown>;
        return_result: number[][];
        ret_gradient: number[][];
      };
      expect(result.properties.calcinfo_nmbe).toBe(19);
      expect(result.properties.cp_corrected_total_energy_through_2_body).toBeCloseTo(
        -224.89219369888258,
        10,
      );
      expect(result.return_result).toEqual(result.ret_gradient);
      expect(result.return_result).toHaveLength(9);
    },
  );

  it('refuses to analyze an input without components, with one line', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'he4.yaml'), HE4_YAML);
    const r = runCli(['mbe', 'analyze', 'he4.yaml'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(lines(r.stderr)).toEqual([expect.stringMatching(/^retort: he4\.yaml: no components/)]);
  });
});

/** `n` He atoms, one fragment each, expanded through `maxNbody` bodies with cp. */
function heliumCluster(n: number, maxNbody: number, execution = ''): string {
  const atoms = Array.from({ length: n }, (_, i) => `    He 0 0 ${3 * i}`).join('\n    --\n');
  return `molecule:
  units: angstrom
  xyz: |
${atoms}
driver: energy
bsse_type: [cp]
max_nbody: ${maxNbody}
model_chemistries:
  hf: {program: psi4, method: hf, basis: sto-3g}
${execution}`;
}

describe('the size of an expansion', () => {
  it('refuses 30 fragments at max_nbody 30 at once in validate, plan and run, naming the count and the limit', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'huge.yaml'), heliumCluster(30, 30));
    for (const command of ['validate', 'plan', 'run']) {
      const r = runCli(['mbe', command, 'huge.yaml'], { cwd: dir });
      expect(r.status, command).toBe(2);
      expect(lines(r.stderr), command).toEqual([
        expect.stringMatching(
          /^retort: huge\.yaml: 1\.07×10\^9 unique tasks \(30 fragments up to 30-body\), more than the limit of 200,000; .* GB of memory\. .*execution\.max_tasks or --max-tasks$/,
        ),
      ]);
    }
    expect(existsSync(join(dir, 'retort.lock'))).toBe(false);
  });

  it('warns with the count and the memory for a large one, and keeps the limit the user sets', () => {
    const dir = tempCampaign();
    writeFileSync(join(dir, 'large.yaml'), heliumCluster(16, 16));
    const r = runCli(['mbe', 'validate', 'large.yaml'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(lines(r.stderr)).toEqual([
      expect.stringMatching(
        /^retort: warning: large\.yaml: 65,535 unique tasks; planning and preparing them takes about \d+ MB of memory$/,
      ),
    ]);
    expect(r.stdout).toContain('65535 tasks');
    const lowered = runCli(['mbe', 'validate', 'large.yaml', '--max-tasks', '1000'], { cwd: dir });
    expect(lowered.status).toBe(2);
    expect(lowered.stderr).toMatch(/65,535 unique tasks .* more than the limit of 1,000/);
    writeFileSync(join(dir, 'small.yaml'), heliumCluster(4, 2, 'execution: {max_tasks: 5}\n'));
    const byInput = runCli(['mbe', 'plan', 'small.yaml'], { cwd: dir });
    expect(byInput.status).toBe(2);
    expect(byInput.stderr).toMatch(/10 unique tasks .* more than the limit of 5/);
    const raised = runCli(['mbe', 'plan', 'small.yaml', '--max-tasks', '10'], { cwd: dir });
    expect(raised.status, raised.stderr).toBe(0);
    expect(raised.stderr).toBe('');
  });
});
