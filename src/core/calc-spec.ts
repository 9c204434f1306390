import type { Molecule } from '../chem/molecule.js';
import type { PeriodicStructure } from '../chem/structure.js';

/** A JSON value, as stored in specs, options and results. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * What a calc may use. Resources do not change a calc's result, so they are not part of its key:
 * the same calc run with more cores or a longer walltime is the same calc.
 */
export interface Resources {
  /** Cores (threads) the program may use. */
  readonly cores: number;
  /** Memory the program may use, in MB; undefined leaves the program's default. */
  readonly memory_mb?: number;
  /** Walltime in seconds: past it the calc is stopped (TERM, then KILL) and fails as `timeout`. */
  readonly walltime_s: number;
}

/**
 * The `command` engine's description of any program run: argv (never a shell string), files to
 * write into the calc directory first, files to bring back as the result, extra environment.
 */
export interface CommandSpec {
  readonly argv: readonly string[];
  readonly files?: Readonly<Record<string, string>>;
  readonly outputs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * A complete description of one calc: one run of one program on one input.
 *
 * Everything except `resources` and `label` goes into the calc key (see `calc-key.ts`), so two
 * specs that differ only in cores, walltime or label are the same calc and share one result.
 *
 * - `program`: the engine's name (`mopac`, `xtb`, `obabel`, `command`).
 * - `task`: what to compute (`energy`, `optimize`, `gen3d`, `conformers`, `run` …); each engine
 *   lists the tasks it supports.
 * - `molecule`: geometry (Å) or SMILES, with charge and multiplicity always explicit.
 * - `structure`: a periodic crystal (lattice vectors in Å, fractional positions) for engines of
 *   periodic solids (`qe`); absent for molecules, so specs without it key as they always did.
 * - `method`, `basis`: model chemistry (`PM7`, `GFN2`; `6-31G*`).
 * - `keywords`: extra program keywords passed through verbatim (MOPAC `PRECISE`, …).
 * - `options`: engine options with documented meaning per engine (obabel `nconf`, …).
 * - `command`: only for the `command` engine.
 * - `input`: the text of an input file rendered from a template (src/templates/). An engine that
 *   takes it (crystal, qe, mopac, nwchem, psi4, xtb) writes it as its input file instead of writing one itself,
 *   runs it with its usual command line and parses the output as usual, so results are the
 *   engine's fields. It is part of the key: the cache follows the rendered text.
 */
export interface CalcSpec {
  readonly program: string;
  readonly task: string;
  readonly molecule?: Molecule;
  readonly structure?: PeriodicStructure;
  readonly method?: string;
  readonly basis?: string;
  readonly keywords?: readonly string[];
  readonly options?: Readonly<Record<string, JsonValue>>;
  readonly command?: CommandSpec;
  readonly input?: string;
  readonly resources: Resources;
  /** A name for people (a line label, a molecule id); not part of the key. */
  readonly label?: string;
}

export const DEFAULT_RESOURCES: Resources = { cores: 1, walltime_s: 3600 };
