import type { CalcSpec } from '../core/calc-spec.js';
import type { JobOutputs, JobSpec, Outcome } from '../core/job-spec.js';

/**
 * The adapter for one program. Pure: an engine never starts a process, touches the network or
 * reads files; it turns a spec into a job and a job's outputs into an outcome.
 *
 * - `program`: the name used in specs (`mopac`) and, by default, as argv[0].
 * - `adapterVersion`: part of every calc key of this engine. Bump it whenever a change to
 *   `prepare` or `parse` could change a result, so stored results of the old adapter are not
 *   taken for results of the new one.
 * - `tasks`: the tasks `prepare` accepts.
 * - `resultFields`: per task, every field a successful result of that task may hold (some only
 *   when the program prints them), so that a workflow reading `steps.X.result.F` is checked
 *   before anything runs. Keep it in step with `parse` (test/engines/result-fields.test.ts
 *   checks real outputs against it).
 * - `prepare(spec)`: the job to run. Throws `InputError` naming the spec field when the spec
 *   cannot be run (unknown task, missing geometry, inconsistent charge and multiplicity …), so
 *   the mistake is caught before anything is recorded as submitted.
 * - `parse(outputs, spec)`: the outcome. Never throws for bad program output: garbage is a
 *   `parse_error` failure, a missing program `program_missing`, a walltime kill `timeout`.
 * - `versionProbe`: argv printing the program's version and how to read it, for programs whose
 *   outputs do not state their version (the runner runs it once per run and program).
 */
export interface Engine {
  readonly program: string;
  readonly adapterVersion: string;
  readonly tasks: readonly string[];
  readonly resultFields: Readonly<Record<string, readonly string[]>>;
  prepare(spec: CalcSpec): JobSpec;
  parse(outputs: JobOutputs, spec: CalcSpec): Outcome;
  readonly versionProbe?: {
    readonly argv: readonly string[];
    parse(stdout: string, stderr: string): string | undefined;
  };
}
