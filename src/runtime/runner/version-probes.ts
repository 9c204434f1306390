import type { Engine } from '../../engines/engine.js';
import type { Executor } from '../../executors/executor.js';
import type { ProgramPaths } from './program-paths.js';

/**
 * The version of each program where the executor runs calcs, probed once per run (for results
 * whose output does not name it). A probe that fails gives no version, never an error.
 */
export class VersionProbes {
  private readonly versions = new Map<string, Promise<string | undefined>>();

  constructor(
    private readonly executor: Executor,
    private readonly paths: ProgramPaths,
  ) {}

  versionOf(engine: Engine): Promise<string | undefined> {
    const probe = engine.versionProbe;
    if (probe === undefined) return Promise.resolve(undefined);
    let version = this.versions.get(engine.program);
    if (version === undefined) {
      version = this.executor.probe(this.paths.argv(probe.argv)).then(
        (r) => probe.parse(r.stdout, r.stderr),
        () => undefined,
      );
      this.versions.set(engine.program, version);
    }
    return version;
  }
}
