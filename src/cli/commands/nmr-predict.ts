import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { formalChargeFromSmiles } from '../../chem/smiles-charge.js';
import { parseXyz } from '../../chem/xyz.js';
import { campaignPaths } from '../../core/campaign-layout.js';
import { InputError } from '../../core/errors.js';
import { readFactorsFile, lookUpFactors } from '../../pipelines/nmr/factors.js';
import {
  fileWord,
  functionalName,
  NMR_PRESETS,
  NUCLEI,
  NUCLEUS_ELEMENT,
  solventName,
  type NmrLevel,
} from '../../pipelines/nmr/levels.js';
import {
  predictShifts,
  spectrumSticks,
  type Prediction,
  type ShiftReference,
} from '../../pipelines/nmr/predict.js';
import { stickSpectrum } from '../../plots/stick-spectrum.js';
import { findCampaignRoot } from '../../runtime/campaign.js';
import { readInputFile } from '../../runtime/input-file.js';
import { readSettings } from '../../runtime/settings.js';
import { table } from '../format.js';
import {
  checkRunFlags,
  openRunSession,
  parseCount,
  parsePositive,
  type RunFlags,
} from '../session.js';
import { executorOption, headlessOption, workersOption } from '../run-options.js';

interface PredictOptions extends RunFlags {
  readonly smiles?: string;
  readonly xyz?: string;
  readonly solvent: string;
  readonly preset: string;
  readonly functional?: string;
  readonly basis?: string;
  readonly nmrBasis?: string;
  readonly opt: boolean;
  readonly conformers: string;
  readonly reference: string;
  readonly factors?: string;
  readonly charge?: string;
  readonly multiplicity?: string;
  readonly walltime?: string;
  readonly searchBudget: string;
  readonly plots?: string;
  readonly json?: boolean;
}

/** `retort nmr predict`. */
export function registerNmrPredict(nmr: Command): void {
  nmr
    .command('predict')
    .summary('predicted 1H and 13C shifts of a molecule')
    .description(
      `Predicts the 1H and 13C shifts of a molecule (--smiles or --xyz) in a solvent: optionally a conformer ensemble (--conformers N, the PM7 pipeline's conformer search), a DFT optimisation of each conformer (NWChem, off with --no-opt), conformers more than 3 kcal/mol above the lowest dropped and the rest Boltzmann-weighted at 298.15 K, NWChem GIAO shieldings with COSMO solvent, and shifts from linear scaling factors (looked up by functional, shielding basis, nucleus and solvent in --factors FILE, else in the built-in factors) or, with --reference tms, from TMS computed at the same level. Presets: draft = B3LYP, 6-31G* optimisation and shielding; production = B3LYP, 6-31G* optimisation, 6-311+G(2d,p) shielding. Every calc is recorded in the campaign; a repeated prediction is answered from the store.`,
    )
    .option('-s, --smiles <smiles>', 'the molecule as SMILES (3D from Open Babel)')
    .option('-x, --xyz <file>', 'the molecule as an XYZ file (Å)')
    .option(
      '--solvent <name>',
      'COSMO solvent of the shielding calc (chcl3, dmso, water, vacuum …)',
      'chcl3',
    )
    .option('--preset <name>', 'draft or production', 'draft')
    .option('--functional <name>', "functional (default: the preset's)")
    .option('--basis <basis>', "basis of the optimisation (default: the preset's)")
    .option('--nmr-basis <basis>', "basis of the shielding calc (default: the preset's)")
    .option('--no-opt', 'no DFT optimisation: shieldings on the given (or built) geometries')
    .option('--conformers <n>', 'conformers of the ensemble (1: one geometry)', '1')
    .option(
      '--reference <kind>',
      'factors (scaling factors) or tms (TMS at the same level)',
      'factors',
    )
    .option(
      '--factors <file>',
      'a factors file from `retort nmr bench analyze` (default: the built-in one)',
    )
    .option('-c, --charge <e>', "total charge (default: the SMILES' formal charges, else 0)")
    .option('--multiplicity <2S+1>', 'spin multiplicity', '1')
    .option('--walltime <seconds>', 'walltime per calc (default from retort.yaml)')
    .option('--search-budget <seconds>', 'walltime of the whole conformer search', '600')
    .addOption(workersOption('calcs'))
    .addOption(executorOption())
    .addOption(headlessOption())
    .option(
      '--json',
      'print one JSON object: atoms [{index, element, shielding_ppm, shift_ppm}], groups, conformers, spectra …',
    )
    .action(async (options: PredictOptions, command: Command) => {
      const flags = { ...command.optsWithGlobals<PredictOptions>(), ...options };
      process.exitCode = await predict(flags);
    });
}

/** The level of a prediction: the preset, overridden by --functional, --basis, --nmr-basis. */
function levelOf(o: PredictOptions): NmrLevel {
  const preset = Object.hasOwn(NMR_PRESETS, o.preset) ? NMR_PRESETS[o.preset] : undefined;
  if (preset === undefined) {
    throw new InputError(
      '--preset',
      `expected ${Object.keys(NMR_PRESETS).join(' or ')}, found "${o.preset}"`,
    );
  }
  return {
    functional:
      o.functional === undefined ? preset.functional : functionalName(o.functional, '--functional'),
    basis: o.basis?.trim() ?? preset.basis,
    nmr_basis: o.nmrBasis?.trim() ?? preset.nmr_basis,
    solvent: solventName(o.solvent, '--solvent'),
  };
}

async function predict(o: PredictOptions): Promise<number> {
  if ((o.smiles === undefined) === (o.xyz === undefined)) {
    throw new InputError('--smiles', 'give the molecule as --smiles S or --xyz FILE (one of them)');
  }
  const level = levelOf(o);
  const conformers = parseCount(o.conformers, '--conformers') ?? 1;
  const multiplicity = parseCount(o.multiplicity, '--multiplicity') ?? 1;
  const walltime = parsePositive(o.walltime, '--walltime');
  const searchBudget = parsePositive(o.searchBudget, '--search-budget') ?? 600;
  let reference: ShiftReference;
  if (o.reference === 'tms') {
    reference = { kind: 'tms' };
  } else if (o.reference === 'factors') {
    const table = readFactorsFile(o.factors === undefined ? undefined : resolve(o.factors));
    const where = o.factors === undefined ? 'built-in factors' : `--factors ${o.factors}`;
    const [h, c] = NUCLEI.map((nucleus) =>
      lookUpFactors(
        table,
        { functional: level.functional, basis: level.nmr_basis, solvent: level.solvent, nucleus },
        where,
      ),
    );
    if (h === undefined || c === undefined) throw new InputError(where, 'no factors');
    reference = { kind: 'factors', factors: { '1H': h, '13C': c } };
  } else {
    throw new InputError('--reference', `expected factors or tms, found "${o.reference}"`);
  }
  let atoms;
  if (o.xyz !== undefined) {
    const text = readInputFile(resolve(o.xyz), '--xyz');
    const [frame] = parseXyz(text, o.xyz);
    if (frame === undefined)
      throw new InputError(`--xyz ${o.xyz}`, 'expected an XYZ file with one molecule');
    atoms = frame.atoms;
  }
  const charge =
    parseCount(o.charge, '--charge', -100) ??
    (o.smiles === undefined ? 0 : formalChargeFromSmiles(o.smiles));
  const root = findCampaignRoot(o.campaign, process.cwd());
  const settings = readSettings(campaignPaths(root).settings);
  checkRunFlags(o, settings);
  const session = await openRunSession(o, ['retort', 'nmr', 'predict', ...process.argv.slice(4)], {
    quiet: o.json === true,
  });
  const label =
    o.xyz !== undefined ? basename(o.xyz).replace(/\.xyz$/i, '') : (o.smiles ?? 'molecule');
  const outcome = await predictShifts(
    {
      label,
      ...(atoms === undefined ? {} : { atoms }),
      ...(o.smiles === undefined ? {} : { smiles: o.smiles }),
      charge,
      multiplicity,
    },
    {
      level,
      optimize: o.opt,
      conformers,
      reference,
      resources: {
        cores: settings.defaults.cores,
        walltime_s: walltime ?? settings.defaults.walltime_s,
        ...(settings.defaults.memory_mb === undefined
          ? {}
          : { memory_mb: settings.defaults.memory_mb }),
      },
      searchBudgetS: searchBudget,
    },
    (spec) => session.runner.request(spec),
    session.campaign.paths,
  ).finally(() => session.finish());
  if (!outcome.ok) {
    process.stderr.write(
      `retort: nmr predict ${outcome.interrupted ? 'stopped' : 'failed'}: ${outcome.reason}\n`,
    );
    return 1;
  }
  const plotDir = o.plots === undefined ? join(root, 'exports', 'nmr') : resolve(o.plots);
  mkdirSync(plotDir, { recursive: true });
  const plots: Record<string, string> = {};
  for (const nucleus of NUCLEI) {
    const sticks = spectrumSticks(outcome.prediction, nucleus);
    if (sticks.length === 0) continue;
    const file = join(plotDir, `${fileWord(label)}-${nucleus}.svg`);
    writeFileSync(
      file,
      await stickSpectrum({
        title: `${label}: predicted ${nucleus} (${level.functional}/${level.nmr_basis}, ${level.solvent})`,
        sticks: sticks.map((s) => ({
          shift_ppm: s.shift_ppm,
          intensity: s.intensity,
          label: s.atoms.map((a) => `${NUCLEUS_ELEMENT[nucleus]}${a}`).join(','),
        })),
      }),
    );
    plots[nucleus] = file;
  }
  process.stdout.write(
    o.json === true
      ? `${JSON.stringify({ ...predictionJson(outcome.prediction), plots }, null, 2)}\n`
      : `${predictionText(outcome.prediction)}${Object.values(plots)
          .map((f) => `plot: ${f}\n`)
          .join('')}`,
  );
  return 0;
}

/** `--json`: the prediction; `atoms` holds exactly index (1-based), element, shielding_ppm, shift_ppm. */
function predictionJson(p: Prediction): Record<string, unknown> {
  return {
    level: p.level,
    optimized: p.optimized,
    reference: p.reference,
    conformers: p.conformers.map(({ geometry: _g, ...c }) => c),
    atoms: p.atoms.map((a) => ({
      index: a.index,
      element: a.element,
      shielding_ppm: a.shielding_ppm,
      shift_ppm: a.shift_ppm,
    })),
    groups: p.groups,
    spectra: Object.fromEntries(NUCLEI.map((n) => [n, spectrumSticks(p, n)])),
    notes: p.notes,
  };
}

function predictionText(p: Prediction): string {
  const l = p.level;
  const out = [
    `${l.functional}/${l.nmr_basis} shieldings in ${l.solvent}${p.optimized ? ` on ${l.functional}/${l.basis} geometries` : ' without optimisation'}; shifts from ${p.reference.kind === 'tms' ? `TMS at the same level (σ 1H ${p.reference.shielding_ppm['1H'].toFixed(3)}, 13C ${p.reference.shielding_ppm['13C'].toFixed(3)} ppm)` : 'scaling factors'}`,
  ];
  if (p.conformers.length > 1) {
    out.push(
      '',
      table(
        ['conformer', 'ΔE (kcal/mol)', 'weight'],
        p.conformers.map((c) => [
          String(c.index),
          c.relative_kcal_mol.toFixed(2),
          c.kept ? c.weight.toFixed(3) : 'dropped',
        ]),
      ),
    );
  }
  out.push(
    '',
    table(
      ['atom', 'element', 'shielding (ppm)', 'shift (ppm)', 'equivalent atoms', 'mean shift (ppm)'],
      p.atoms.map((a) => {
        const g = p.groups[a.group];
        return [
          String(a.index),
          a.element,
          a.shielding_ppm.toFixed(3),
          a.shift_ppm === null ? '' : a.shift_ppm.toFixed(2),
          g === undefined || g.atoms.length === 1 ? '' : g.atoms.join(','),
          g?.shift_ppm == null ? '' : g.shift_ppm.toFixed(2),
        ];
      }),
    ),
  );
  for (const note of p.notes) out.push(`note: ${note}`);
  return `${out.join('\n')}\n`;
}
