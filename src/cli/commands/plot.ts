import { mkdirSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { CalcSpec } from '../../core/calc-spec.js';
import { InputError } from '../../core/errors.js';
import { qeBandStructureSvg } from '../../engines/qe/band-plot.js';
import { writeFileAtomic } from '../../runtime/atomic-write.js';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';

export function registerPlot(program: Command): void {
  const plot = program
    .command('plot')
    .summary("draw a calc's results as SVG")
    .description(
      'Draws plots of results in the store as SVG files (vega-lite, no browser needed; the same data give the same file).',
    );
  plot
    .command('bands')
    .summary('draw the band structure of a qe bands calc')
    .description(
      'Draws the band structure of a finished qe bands calc: every band along the k-path, the high-symmetry points as vertical rules, energies relative to the valence band maximum (or the Fermi level of a metal) drawn dashed, and the band gap marked with its width. Writes exports/bands-<first 12 digits of the key>.svg unless -o names the file.',
    )
    .argument('<calc-key>', "the bands calc's key, as retort calc printed it")
    .option('-o, --output <file>', 'the SVG file to write')
    .option('--title <text>', "the plot's title (default: the calc's label, else its formula)")
    .action(async (key: string, options: { output?: string; title?: string }, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const campaign = openCampaign(findCampaignRoot(dir, process.cwd()));
      try {
        const calc = campaign.calcs.get(key);
        if (calc === undefined) {
          throw new InputError('<calc-key>', `no calc ${key} in this campaign`);
        }
        if (calc.status !== 'succeeded' || calc.result === null) {
          throw new InputError(
            '<calc-key>',
            `calc ${key.slice(0, 12)} is ${calc.status}: only a succeeded bands calc has bands to draw`,
          );
        }
        const attempt = campaign.calcs.latestAttempt(key);
        const spec: CalcSpec = {
          ...calc.spec,
          resources: attempt?.resources ?? { cores: 1, walltime_s: 1 },
        };
        const title = options.title ?? calc.label ?? `${formula(spec)} band structure`;
        const svg = await qeBandStructureSvg(spec, calc.result, title);
        const path =
          options.output === undefined
            ? resolve(campaign.paths.exports, `bands-${key.slice(0, 12)}.svg`)
            : resolve(process.cwd(), options.output);
        mkdirSync(dirname(path), { recursive: true });
        writeFileAtomic(path, svg);
        process.stdout.write(`${relative(process.cwd(), path) || path}\n`);
      } finally {
        campaign.close();
      }
    });
}

/** `Si2`, `GaAs`: the structure's elements with their counts, in order of appearance. */
function formula(spec: CalcSpec): string {
  const sites = spec.structure?.sites ?? [];
  return [...new Set(sites.map((s) => s.element))]
    .map((element) => {
      const n = sites.filter((s) => s.element === element).length;
      return n === 1 ? element : `${element}${String(n)}`;
    })
    .join('');
}
