import { coordinate } from '../coordinate.js';
import { renderedInput } from '../rendered-input.js';
import type { Atom } from '../../chem/molecule.js';
import { normalizeSymbol } from '../../chem/elements.js';
import { THERMO_PRESSURE_PA, THERMO_TEMPERATURE_K } from '../../chem/thermochemistry.js';
import type { CalcSpec, JsonValue } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import type { JobSpec } from '../../core/job-spec.js';
import {
  basisName,
  refuseEmbeddingFor,
  refuseUnknownOptions,
  requireGeometry,
  requireTask,
} from '../spec-checks.js';
import {
  EXTERNAL_CHARGES_OPTION,
  type ExternalCharge,
  externalCharges,
} from '../external-charges.js';

export const PSI4_TASKS = ['energy', 'gradient', 'hessian', 'optimize', 'frequencies'] as const;
export const PSI4_INPUT = 'input.dat';
export const PSI4_OUTPUT = 'output.dat';
/** The JSON file the input's own Python writes: exact doubles, no text parsing of numbers. */
export const PSI4_RESULT = 'result.json';

/** Option holding psi4 keywords: `{ key: value }`, written into the input's `set { … }` block. */
export const PSI4_KEYWORDS_OPTION = 'psi4_keywords';

const REFERENCES = ['rhf', 'uhf', 'rohf', 'cuhf', 'rks', 'uks'] as const;
const CLOSED_SHELL_REFERENCES = ['rhf', 'rks'];
// Keys the spec's own fields decide: a keyword would contradict them.
const OWNED_KEYS: Readonly<Record<string, string>> = {
  basis: 'set the basis in the spec field basis',
};
// Thermochemistry is reported at 298.15 K and 1 atm: the field names say so.
const THERMO_KEYS: Readonly<Record<string, string>> = {
  t: 'task frequencies reports thermochemistry at 298.15 K; the temperature cannot be changed',
  p: 'task frequencies reports thermochemistry at 1 atm; the pressure cannot be changed',
};

/**
 * `input.dat` (Psithon) and argv `psi4 input.dat output.dat -n <cores>`.
 *
 * The input: `memory N mb` (from resources.memory_mb, when set); one molecule block in Å with
 * `no_reorient`, `no_com` and `symmetry c1`, so psi4 keeps the spec's frame and atom order and
 * gradients and Hessians come back in that frame and order; `<charge> <multiplicity>`; ghost
 * atoms as `Gh(El)`; a `set { … }` block with `basis` (spec.basis), `reference` (from the
 * multiplicity unless given: `rhf` for singlets, `uhf` otherwise, never RHF for a radical) and
 * every entry of option `psi4_keywords`; the driver call `energy()`, `gradient()`, `hessian()`,
 * `optimize()` or `frequencies()` with spec.method; and a few lines of Python that write
 * `result.json`: `{psi4_version, energy, gradient?, hessian?}` (Eh, Eh/bohr, Eh/bohr², flat
 * row-major lists of exact doubles, ghost atoms included; task `hessian` writes the gradient
 * too, the one psi4's `hessian()` computes at the same geometry before the Hessian); for `optimize`
 * `{energy, optimization_steps, geometry_angstrom}` (the final energy, the number of gradient
 * evaluations, the final geometry flat in Å, converted with psi4's own bohr-to-Å constant); for
 * `frequencies` `{energy, frequencies_cm1, zpve, enthalpy_correction, gibbs_correction}` (the
 * vibrations of psi4's harmonic analysis with translations and rotations projected out, an
 * imaginary one as a negative number; psi4's thermo at `t 298.15` and `p 101325`, written into the
 * `set` block; `t` and `p` are refused in `psi4_keywords`). An optimisation that does not
 * converge within `geom_maxiter` (a `psi4_keywords` entry) raises, and writes no result.json.
 * Ghost atoms and external charges are refused for `optimize` and `frequencies`.
 *
 * Options: `psi4_keywords`: `{ key: value }`, value a string (no line breaks, braces, quotes,
 * `#` or backslashes), a number, a boolean or a list of those (`docc: [3, 0, 1, 1]`). `basis` is
 * refused there (it is spec.basis); `reference` may be given (`rohf` for a radical) but
 * `rhf`/`rks` only for singlets. spec.keywords is refused: psi4 keywords are key-value pairs.
 *
 * `external_charges`: point charges `[[charge_e, x_Å, y_Å, z_Å], …]` (electrostatic embedding),
 * each a list of 4 finite numbers. Written with psi4 1.3's QMMM API after the `set` block:
 * `retort_charges = QMMM()`, `retort_charges.extern.addCharge(q, x, y, z)` per charge and
 * `psi4.set_global_option_python('EXTERN', retort_charges.extern)`. Units: psi4 1.3–1.5's
 * `ExternalPotential` stores the positions as given and reads them in the units of the molecule
 * (libmints/extern.cc: `if (mol->units() == Molecule::Angstrom) convfac /= pc_bohr2angstroms`,
 * in the potential matrix, its gradient and the nuclear energy alike); the molecule block is in
 * Å, so the Å positions are written unchanged. psi4 1.6 made them bohr always (psi4 PR #2515),
 * so the input refuses to run on a psi4 other than 1.3–1.5 rather than misplace the charges.
 * Energy: the SCF adds the charges' potential to the one-electron Hamiltonian and their
 * interaction with the nuclei to the nuclear repulsion (`Additional nuclear repulsion`), so the
 * total energy is electrons + nuclei + nuclei–charges (the charges' own mutual energy is not
 * included), as QCManyBody's EE-MBE expects; gradients include both terms (forces on the
 * molecule's atoms only). A Hessian with charges is always by finite differences of gradients
 * (`dertype=1`): psi4 1.3's analytic SCF Hessian leaves the external potential out.
 *
 * Open-shell SCF Hessians: psi4 1.3 has analytic Hessians for RHF only, so an `hf`/`scf`
 * Hessian with another reference is asked for by finite differences of gradients (`dertype=1`).
 *
 * With spec.input (rendered from a template, tasks `energy`, `optimize` and `frequencies`)
 * `input.dat` is that text between two blocks of retort's Python: before it, `energy`,
 * `optimize`/`opt` and `frequencies`/`frequency`/`freq` are wrapped so that each call also keeps
 * its wavefunction (and an optimisation its history), returning what the caller asked for;
 * after it, result.json is written as above from the last call of the task's driver, with the
 * `method` that call named, psi4's `basis` and the molecule's `charge` and `multiplicity` as
 * run. A rendered input that never calls the task's driver writes no result.json (a parse
 * error); one that sets thermo `t` or `p` away from 298.15 K and 1 atm stops with an error.
 * The spec's molecule is required (the parser reads the geometry in its atom order).
 */
export function preparePsi4(spec: CalcSpec): JobSpec {
  requireTask(spec, 'psi4', PSI4_TASKS);
  const rendered = renderedInput(spec);
  if (rendered !== undefined) return renderedJob(spec, rendered);
  refuseUnknownOptions(spec, [PSI4_KEYWORDS_OPTION, EXTERNAL_CHARGES_OPTION]);
  if (spec.keywords !== undefined && spec.keywords.length > 0) {
    throw new InputError(
      'keywords',
      `psi4 keywords are key-value pairs: give them as options.${PSI4_KEYWORDS_OPTION} ({"scf_type": "pk"}), not as keywords`,
    );
  }
  const { atoms, charge, multiplicity } = requireGeometry(spec);
  requireRealAtom(atoms);
  const method = psi4Method(spec.method);
  const basis = basisName(spec.basis, 'psi4');
  const keywords = psi4Keywords(spec.options?.[PSI4_KEYWORDS_OPTION]);
  const reference = psi4Reference(keywords.reference, multiplicity);
  delete keywords.reference;
  const charges = externalCharges(spec.options?.[EXTERNAL_CHARGES_OPTION]);
  refuseEmbeddingFor(
    spec,
    ['optimize', 'frequencies'],
    atoms,
    charges.length,
    EXTERNAL_CHARGES_OPTION,
  );
  if (spec.task === 'frequencies') {
    for (const key of Object.keys(keywords)) {
      const owned = THERMO_KEYS[key];
      if (owned !== undefined)
        throw new InputError(`options.${PSI4_KEYWORDS_OPTION}.${key}`, owned);
    }
    keywords.t = String(THERMO_TEMPERATURE_K);
    keywords.p = String(THERMO_PRESSURE_PA);
  }

  const lines: string[] = [];
  const memory = spec.resources.memory_mb;
  if (memory !== undefined) lines.push(`memory ${Math.max(1, Math.floor(memory))} mb`, '');
  lines.push(
    'molecule retort {',
    'units angstrom',
    'no_reorient',
    'no_com',
    'symmetry c1',
    `${charge} ${multiplicity}`,
    ...atoms.map(atomLine),
    '}',
    '',
    'set {',
    `  basis ${basis}`,
    `  reference ${reference}`,
    ...Object.entries(keywords).map(([key, value]) => `  ${key} ${value}`),
    '}',
    '',
    ...externLines(charges),
    ...driverLines(spec.task, method, reference, charges.length > 0),
    '',
  );
  return psi4Job(spec, lines.join('\n'));
}

function psi4Job(spec: CalcSpec, input: string): JobSpec {
  const cores = String(Math.max(1, Math.floor(spec.resources.cores)));
  return {
    argv: ['psi4', PSI4_INPUT, PSI4_OUTPUT, '-n', cores],
    files: { [PSI4_INPUT]: input },
    env: {},
    outputs: [PSI4_OUTPUT, PSI4_RESULT],
    captureStdout: 'tail',
    resources: spec.resources,
  };
}

const RENDERED_TASKS: Readonly<Record<string, string>> = {
  energy: 'energy',
  optimize: 'optimize',
  frequencies: 'frequency',
};

/** A rendered input wrapped in the Python that keeps its results (see preparePsi4). */
function renderedJob(spec: CalcSpec, input: string): JobSpec {
  const kind = RENDERED_TASKS[spec.task];
  if (kind === undefined) {
    throw new InputError(
      'task',
      `a psi4 template runs task ${Object.keys(RENDERED_TASKS).join(', ')}, not ${spec.task}`,
    );
  }
  requireGeometry(spec);
  const prologue = [
    'retort_calls = {}',
    'def retort_wrap(retort_kind, retort_driver):',
    '    def retort_call(name, **kwargs):',
    "        want_wfn = kwargs.pop('return_wfn', False)",
    "        want_history = kwargs.pop('return_history', False) if retort_kind == 'optimize' else False",
    "        extra = {'return_history': True} if retort_kind == 'optimize' else {}",
    '        out = retort_driver(name, return_wfn=True, **extra, **kwargs)',
    "        retort_calls[retort_kind] = {'name': name, 'energy': float(out[0]), 'wfn': out[1], 'history': out[2] if len(out) > 2 else None}",
    '        answer = (out[0],) + ((out[1],) if want_wfn else ()) + ((out[2],) if want_history else ())',
    '        return answer if len(answer) > 1 else answer[0]',
    '    return retort_call',
    "energy = retort_wrap('energy', energy)",
    "optimize = opt = retort_wrap('optimize', optimize)",
    "frequencies = frequency = freq = retort_wrap('frequency', frequencies)",
    '',
  ];
  const result = [
    '',
    'import json, os',
    `retort_last = retort_calls.get('${kind}')`,
    'if retort_last is not None:',
    '    retort_wfn = retort_last["wfn"]',
    '    retort_mol = retort_wfn.molecule()',
    '    retort_result = {"psi4_version": psi4.__version__, "energy": retort_last["energy"], "method": retort_last["name"], "basis": core.get_global_option("BASIS"), "charge": retort_mol.molecular_charge(), "multiplicity": retort_mol.multiplicity()}',
  ];
  if (spec.task === 'optimize') {
    result.push(
      '    retort_result["optimization_steps"] = len(retort_last["history"]["energy"])',
      '    retort_result["geometry_angstrom"] = [float(v) * psi4.constants.bohr2angstroms for v in core.get_active_molecule().geometry().np.ravel()]',
    );
  }
  if (spec.task === 'frequencies') {
    result.push(
      `    if abs(core.get_option("THERMO", "T") - ${String(THERMO_TEMPERATURE_K)}) > 1e-9 or abs(core.get_option("THERMO", "P") - ${String(THERMO_PRESSURE_PA)}) > 1e-6:`,
      '        raise ValidationError("retort reports thermochemistry at 298.15 K and 101325 Pa: the template may not set t or p")',
      '    retort_vib = retort_wfn.frequency_analysis',
      '    retort_result["frequencies_cm1"] = [float(-w.imag if w.imag > w.real else w.real) for w, kind in zip(retort_vib["omega"].data, retort_vib["TRV"].data) if kind == "V"]',
      ...[
        ['zpve', 'ZPVE'],
        ['enthalpy_correction', 'ENTHALPY CORRECTION'],
        ['gibbs_correction', 'GIBBS FREE ENERGY CORRECTION'],
      ].map(
        ([key = '', variable = '']) =>
          `    retort_result["${key}"] = float(core.variable("${variable}"))`,
      ),
    );
  }
  result.push(
    `    with open("${PSI4_RESULT}.tmp", "w") as retort_file:`,
    '        json.dump(retort_result, retort_file)',
    `    os.replace("${PSI4_RESULT}.tmp", "${PSI4_RESULT}")`,
    '',
  );
  return psi4Job(spec, [...prologue, input.replace(/\n?$/, '\n'), ...result].join('\n'));
}

/** The psi4 method name, lower case; InputError('method') when absent or not a plain name. */
export function psi4Method(method: string | undefined): string {
  if (method === undefined || method.trim() === '') {
    throw new InputError('method', 'psi4 needs a method (hf, mp2, b3lyp, ccsd …)');
  }
  const name = method.trim().toLowerCase();
  if (!/^[a-z0-9][a-z0-9()+\-_*,.]*$/.test(name)) {
    throw new InputError(
      'method',
      `expected a psi4 method name such as hf, mp2, b3lyp-d3bj or ccsd(t), got ${JSON.stringify(method)}`,
    );
  }
  return name;
}

function psi4Reference(given: string | undefined, multiplicity: number): string {
  if (given === undefined) return multiplicity === 1 ? 'rhf' : 'uhf';
  const reference = REFERENCES.find((r) => r === given.toLowerCase());
  if (reference === undefined) {
    throw new InputError(
      `options.${PSI4_KEYWORDS_OPTION}.reference`,
      `expected one of ${REFERENCES.join(', ')}, got ${JSON.stringify(given)}`,
    );
  }
  if (multiplicity !== 1 && CLOSED_SHELL_REFERENCES.includes(reference)) {
    throw new InputError(
      `options.${PSI4_KEYWORDS_OPTION}.reference`,
      `${reference} is only for singlets; multiplicity ${multiplicity} needs uhf, rohf or uks`,
    );
  }
  return reference;
}

/** The checked keywords, key lower case → value as written in the `set` block. */
function psi4Keywords(option: JsonValue | undefined): Record<string, string> {
  const where = `options.${PSI4_KEYWORDS_OPTION}`;
  if (option === undefined) return {};
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new InputError(where, `expected an object {key: value}, got ${JSON.stringify(option)}`);
  }
  const keywords: Record<string, string> = {};
  for (const [rawKey, value] of Object.entries(option)) {
    const key = rawKey.toLowerCase();
    if (!/^[a-z_][a-z0-9_]*$/.test(key)) {
      throw new InputError(`${where}.${rawKey}`, 'a psi4 keyword is a plain name (scf_type)');
    }
    const owned = OWNED_KEYS[key];
    if (owned !== undefined) throw new InputError(`${where}.${rawKey}`, owned);
    if (key in keywords) {
      throw new InputError(`${where}.${rawKey}`, `keyword "${key}" is given twice`);
    }
    keywords[key] = keywordValue(value, `${where}.${rawKey}`, true);
  }
  return keywords;
}

function keywordValue(value: JsonValue, where: string, listAllowed: boolean): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InputError(where, 'expected a finite number');
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') {
    const text = value.trim();
    // The set block ends at `}`; a line break, quote, `#` or backslash would escape the value.
    if (text === '' || /[\r\n{}"'#\\]/.test(text)) {
      throw new InputError(
        where,
        `expected a value without line breaks, braces, quotes, # or backslashes, got ${JSON.stringify(value)}`,
      );
    }
    return text;
  }
  if (Array.isArray(value) && listAllowed) {
    return `[${value.map((v) => keywordValue(v, where, true)).join(', ')}]`;
  }
  throw new InputError(
    where,
    `expected a string, number, boolean or list, got ${JSON.stringify(value)}`,
  );
}

function requireRealAtom(atoms: readonly Atom[]): void {
  if (atoms.every((a) => a.ghost === true)) {
    throw new InputError('molecule.atoms', 'every atom is a ghost: there is nothing to compute');
  }
}

function atomLine(atom: Atom): string {
  const symbol = normalizeSymbol(atom.element) ?? atom.element;
  const label = atom.ghost === true ? `Gh(${symbol})` : symbol;
  return `${label} ${coordinate(atom.x)} ${coordinate(atom.y)} ${coordinate(atom.z)}`;
}

/** psi4 1.3's QMMM lines for the charges (positions in Å, the molecule's units); none without. */
function externLines(charges: readonly ExternalCharge[]): string[] {
  if (charges.length === 0) return [];
  return [
    "if not psi4.__version__.startswith(('1.3', '1.4', '1.5')):",
    '    raise Exception("retort writes external charges in Angstrom, as psi4 1.3 to 1.5 read them for an Angstrom molecule; this is psi4 " + psi4.__version__)',
    'retort_charges = QMMM()',
    ...charges.map(
      (c) =>
        `retort_charges.extern.addCharge(${coordinate(c.charge)}, ${coordinate(c.x)}, ${coordinate(c.y)}, ${coordinate(c.z)})`,
    ),
    "psi4.set_global_option_python('EXTERN', retort_charges.extern)",
    '',
  ];
}

function driverLines(task: string, method: string, reference: string, charged: boolean): string[] {
  const name = `'${method}'`;
  const lines = ['import json, os', 'retort_result = {"psi4_version": psi4.__version__}'];
  // Finite differences of gradients where psi4 1.3 has no analytic Hessian that fits.
  const fd =
    charged || ((method === 'hf' || method === 'scf') && reference !== 'rhf') ? ', dertype=1' : '';
  if (task === 'energy') {
    lines.push(`retort_result["energy"] = float(energy(${name}))`);
  } else if (task === 'gradient') {
    lines.push(
      `retort_gradient = gradient(${name})`,
      'retort_result["energy"] = float(core.variable("CURRENT ENERGY"))',
      'retort_result["gradient"] = [float(v) for v in retort_gradient.np.ravel()]',
    );
  } else if (task === 'optimize') {
    lines.push(
      `retort_energy, retort_wfn, retort_history = optimize(${name}, return_wfn=True, return_history=True)`,
      'retort_result["energy"] = float(retort_energy)',
      'retort_result["optimization_steps"] = len(retort_history["energy"])',
      'retort_result["geometry_angstrom"] = [float(v) * psi4.constants.bohr2angstroms for v in core.get_active_molecule().geometry().np.ravel()]',
    );
  } else if (task === 'frequencies') {
    lines.push(
      `retort_energy, retort_wfn = frequencies(${name}${fd}, return_wfn=True, project_trans=True, project_rot=True)`,
      'retort_vib = retort_wfn.frequency_analysis',
      'retort_result["energy"] = float(retort_energy)',
      'retort_result["frequencies_cm1"] = [float(-w.imag if w.imag > w.real else w.real) for w, kind in zip(retort_vib["omega"].data, retort_vib["TRV"].data) if kind == "V"]',
      ...[
        ['zpve', 'ZPVE'],
        ['enthalpy_correction', 'ENTHALPY CORRECTION'],
        ['gibbs_correction', 'GIBBS FREE ENERGY CORRECTION'],
      ].map(
        ([key = '', variable = '']) =>
          `retort_result["${key}"] = float(core.variable("${variable}"))`,
      ),
    );
  } else {
    // hessian() computes the gradient at the same geometry first (to judge whether the point is
    // stationary) and keeps it on the wavefunction: a many-body Hessian needs it at every level.
    lines.push(
      `retort_hessian, retort_wfn = hessian(${name}${fd}, return_wfn=True)`,
      'retort_result["energy"] = float(core.variable("CURRENT ENERGY"))',
      'retort_result["gradient"] = [float(v) for v in retort_wfn.gradient().np.ravel()]',
      'retort_result["hessian"] = [float(v) for v in retort_hessian.np.ravel()]',
    );
  }
  lines.push(
    `with open("${PSI4_RESULT}.tmp", "w") as retort_file:`,
    '    json.dump(retort_result, retort_file)',
    `os.replace("${PSI4_RESULT}.tmp", "${PSI4_RESULT}")`,
  );
  return lines;
}
