import type { JobSpec } from '../../core/job-spec.js';

/**
 * Resolves program names in argv[0] to the paths where the executor runs calcs (a host's
 * `programs:`, or retort.yaml's top-level `programs:` for this machine); unknown names stay.
 */
export class ProgramPaths {
  constructor(private readonly programs: Readonly<Record<string, string>>) {}

  argv(argv: readonly string[]): string[] {
    const [program, ...rest] = argv;
    if (program === undefined) return [];
    return [this.programs[program] ?? program, ...rest];
  }

  job(job: JobSpec): JobSpec {
    return { ...job, argv: this.argv(job.argv) };
  }
}
