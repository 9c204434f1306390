import type { Atom } from '../../chem/molecule.js';
import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { renderedInput } from '../rendered-input.js';
import type { JobSpec } from '../../core/job-spec.js';
import { refuseUnknownOptions, requireGeometry, requireTask } from '../spec-checks.js';

export const MOPAC_TASKS = ['energy', 'optimize'] as const;

/** Input file name; MOPAC writes `input.out` and `input.arc` next to it. */
export const MOPAC_INPUT = 'input.mop';
export const MOPAC_OUTPUT = 'input.out';
export const MOPAC_ARCHIVE = 'input.arc';

/** The MOPAC Hamiltonians `method` accepts (case-insensitive); PM7 when `method` is absent. */
export const MOPAC_METHODS = [
  'PM7',
  'PM6',
  'PM6-D3',
  'PM6-DH+',
  'PM6-DH2',
  'PM6-DH2X',
  'PM6-D3H4',
  'PM6-D3H4X',
  'PM6-ORG',
  'PM3',
  'AM1',
  'RM1',
  'MNDO',
  'MNDOD',
] as const;

const MULTIPLICITY_WORDS = [
  'SINGLET',
  'DOUBLET',
  'TRIPLET',
  'QUARTET',
  'QUINTET',
  'SEXTET',
  'SEPTET',
];

/** The Hamiltonian of a spec, upper-case; InputError('method') when MOPAC has no such method. */
export function mopacMethod(spec: CalcSpec): string {
  const method = (spec.method ?? 'PM7').toUpperCase();
  if (!(MOPAC_METHODS as readonly string[]).includes(method)) {
    throw new InputError(
      'method',
      `unknown MOPAC Hamiltonian "${spec.method ?? ''}"; known: ${MOPAC_METHODS.join(', ')}`,
    );
  }
  return method;
}

/**
 * `input.mop`: keyword line (Hamiltonian, 1SCF for energies, CHARGE= when not neutral, UHF for
 * an open shell, the multiplicity word always, THREADS=, then `keywords` verbatim), title,
 * comment, and one `El x f y f z f` line per atom (f = 1: optimise, 0: keep).
 *
 * Open shells (multiplicity > 1) run unrestricted: MOPAC's default RHF treats them with a small
 * active space that cannot hold two parallel spins, so every even-electron triplet stops with
 * "SPECIFIED SPIN COMPONENT NOT SPANNED BY ACTIVE SPACE" (MOPAC 22 already runs doublets UHF by
 * itself, so their results are the same). `UHF` in `keywords` is not repeated. `RHF` in
 * `keywords` is the user's choice of the half-electron method and is kept (no UHF added); for
 * multiplicity ≥ 3 it needs an active space (`OPEN(n,m)` or `C.I.=`), without which MOPAC
 * cannot run it, so it is refused.
 *
 * With spec.input (rendered from a template) `input.mop` is that text; the spec's molecule is
 * still required (the parser compares the optimised geometry with it) and takes no options.
 */
export function prepareMopac(spec: CalcSpec): JobSpec {
  requireTask(spec, 'mopac', MOPAC_TASKS);
  const rendered = renderedInput(spec);
  if (rendered !== undefined) {
    requireGeometry(spec);
    return mopacJob(spec, rendered);
  }
  refuseUnknownOptions(spec, []);
  const { atoms, charge, multiplicity } = requireGeometry(spec);
  refuseGhostAtoms(atoms);
  const method = mopacMethod(spec);
  const spinWord = MULTIPLICITY_WORDS[multiplicity - 1];
  if (spinWord === undefined) {
    throw new InputError(
      'molecule.multiplicity',
      `MOPAC accepts multiplicities 1 to 7 (SINGLET … SEPTET), got ${multiplicity}`,
    );
  }
  const extra = checkedKeywords(spec.keywords ?? []);
  const unrestricted = multiplicity > 1 && !hasWord(extra, 'RHF');
  if (multiplicity > 2 && !unrestricted && !extra.some((k) => /\bOPEN\(|\bC\.I\.=/i.test(k))) {
    throw new InputError(
      'keywords',
      `RHF for multiplicity ${multiplicity} needs an active space in MOPAC: add OPEN(n,m) or C.I.=n, or drop RHF (open shells run UHF)`,
    );
  }
  const cores = Math.max(1, Math.floor(spec.resources.cores));

  const words = [method];
  if (spec.task === 'energy') words.push('1SCF');
  if (charge !== 0) words.push(`CHARGE=${charge}`);
  if (unrestricted && !hasWord(extra, 'UHF')) words.push('UHF');
  words.push(spinWord, `THREADS=${cores}`, ...extra);

  const flag = spec.task === 'optimize' ? 1 : 0;
  const atomLines = atoms.map(
    (a) =>
      `${a.element.padEnd(2)} ${coord(a.x)} ${flag} ${coord(a.y)} ${flag} ${coord(a.z)} ${flag}`,
  );
  const input = [words.join(' '), `retort ${spec.task}`, '', ...atomLines, ''].join('\n');
  return mopacJob(spec, input);
}

/** The MOPAC job of an input text (written above or rendered from a template). */
function mopacJob(spec: CalcSpec, input: string): JobSpec {
  return {
    argv: ['mopac', MOPAC_INPUT],
    files: { [MOPAC_INPUT]: input },
    env: {},
    outputs: [MOPAC_OUTPUT, MOPAC_ARCHIVE],
    captureStdout: 'tail',
    resources: spec.resources,
  };
}

function hasWord(keywords: readonly string[], word: string): boolean {
  return keywords.some((k) => k.split(/\s+/).some((w) => w.toUpperCase() === word));
}

function coord(v: number): string {
  return v.toFixed(8).padStart(14);
}

// Charge, spin, Hamiltonian and threads come from the spec's own fields; the same setting in
// `keywords` would contradict them (or silently win), so it is refused.
function checkedKeywords(keywords: readonly string[]): string[] {
  return keywords.map((keyword) => {
    if (/[\r\n]/.test(keyword)) {
      throw new InputError(
        'keywords',
        `a MOPAC keyword cannot contain a line break: ${JSON.stringify(keyword)}`,
      );
    }
    for (const word of keyword.trim().split(/\s+/)) {
      const upper = word.toUpperCase();
      if (word === '+' || word === '&') {
        throw new InputError(
          'keywords',
          `"${word}" would continue the keywords on the title line; give keywords only`,
        );
      }
      if (upper.startsWith('CHARGE=')) {
        throw new InputError(
          'keywords',
          `"${word}": set the charge in molecule.charge, not in keywords`,
        );
      }
      if (MULTIPLICITY_WORDS.includes(upper) || ['OCTET', 'NONET'].includes(upper)) {
        throw new InputError(
          'keywords',
          `"${word}": set the multiplicity in molecule.multiplicity, not in keywords`,
        );
      }
      if ((MOPAC_METHODS as readonly string[]).includes(upper)) {
        throw new InputError(
          'keywords',
          `"${word}": set the Hamiltonian in method, not in keywords`,
        );
      }
      if (upper.startsWith('THREADS=')) {
        throw new InputError('keywords', `"${word}": threads come from resources.cores`);
      }
    }
    return keyword.trim();
  });
}

// A ghost atom lends basis functions to a counterpoise calc; a semi-empirical Hamiltonian has no
// basis set to lend, so running it would silently compute something else.
function refuseGhostAtoms(atoms: readonly Atom[]): void {
  if (atoms.some((a) => a.ghost === true)) {
    throw new InputError(
      'molecule.atoms',
      'MOPAC cannot run ghost atoms: a semi-empirical method has no basis functions to lend, so counterpoise corrections (cp, vmfc) cannot be done with it; use nocp',
    );
  }
}
