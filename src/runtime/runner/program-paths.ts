import { programIndex, type JobSpec } from '../../core/job-spec.js';

/**
 * Resolves the program name of an argv (argv[0], or the word after an `env NAME=VALUE …`
 * prefix: programIndex) to the path where the executor runs calcs (a host's `programs:`, or
 * retort.yaml's top-level `programs:` for this machine); unknown names stay.
 */
export class ProgramPaths {
  constructor(private readonly programs: Readonly<Record<string, string>>) {}

  argv(argv: readonly string[]): string[] {
    const at = programIndex(argv);
    const program = argv[at];
    if (program === undefined) return [...argv];
    return [...argv.slice(0, at), this.programs[program] ?? program, ...argv.slice(at + 1)];
  }

  job(job: JobSpec): JobSpec {
    return { ...job, argv: this.argv(job.argv) };
  }
}
