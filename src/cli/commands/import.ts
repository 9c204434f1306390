import type { Command } from 'commander';
import { findCampaignRoot, openCampaign } from '../../runtime/campaign.js';
import { importDataset, type ImportSummary } from '../../pipelines/pm7/import-dataset.js';
import { formatDuration } from '../format.js';

const SHOWN = 10;
const PROGRESS_EVERY = 5000;

export function registerImport(program: Command): void {
  program
    .command('import')
    .summary('load a dataset of molecules (CSV) into the campaign')
    .description(
      `Loads FILE.csv into the campaign's store as molecules of the PM7 pipeline. Ids come from the file's unnamed first column (the ThermoCBS layout: index 8 becomes MOL00008) or its mol_id column. Requires a smiles column; charge and multiplicity default to 0 and 1. RDKit computes nheavy, nrotbonds, tpsa, aromatic_rings and has_heteroatoms; a SMILES it cannot read is kept as Skip (INVALID_SMILES), and a molecule on which RDKit itself fails stays Pending and is described again before the next batch. Every other column is kept as reference data. Ids already in the campaign or repeated in the file refuse the whole import.`,
    )
    .argument('<file>', 'the dataset, CSV with a header row')
    .option(
      '--reference <column>',
      'the column holding the reference values (default: the first numeric column named H298… or …_cbs/_ref/reference)',
    )
    .action(async (file: string, options: { reference?: string }, command: Command) => {
      const { campaign: dir } = command.optsWithGlobals<{ campaign?: string }>();
      const campaign = openCampaign(findCampaignRoot(dir, process.cwd()));
      let summary: ImportSummary;
      try {
        summary = await importDataset(campaign, file, {
          ...(options.reference === undefined ? {} : { reference: options.reference }),
          progressEvery: PROGRESS_EVERY,
          progress: (done, total) => {
            if (total > PROGRESS_EVERY)
              process.stderr.write(`import: ${count(done)} / ${count(total)} molecules read\n`);
          },
        });
      } finally {
        campaign.close();
      }
      process.stdout.write(text(summary));
    });
}

function text(s: ImportSummary): string {
  const ids = (list: readonly string[]): string =>
    list.slice(0, SHOWN).join(', ') +
    (list.length > SHOWN ? `, … (${list.length - SHOWN} more)` : '');
  const out = [
    `imported ${count(s.imported)} molecules from ${s.source} (ids from the ${s.id_column === 'index' ? 'index column' : 'mol_id column'})`,
    `  pending           ${count(s.imported - s.skipped_invalid)}`,
    `  invalid SMILES    ${count(s.skipped_invalid)}${s.skipped_invalid > 0 ? ` (Skip: ${ids(s.invalid_ids)})` : ''}`,
    ...(s.retry_ids.length > 0
      ? [
          `  RDKit failed      ${count(s.retry_ids.length)} (Pending, described again before the next batch: ${ids(s.retry_ids)})`,
        ]
      : []),
    `  reference column  ${s.reference_column ?? '(none found; choose one with --reference COLUMN)'}`,
    `  time              ${formatDuration(s.time_s)}`,
  ];
  if (s.suspicious.length > 0) {
    out.push(
      `check charge/multiplicity of ${count(s.suspicious.length)} molecule(s) (imported as the file states them):`,
    );
    for (const { mol_id, why } of s.suspicious.slice(0, SHOWN)) out.push(`  ${mol_id}: ${why}`);
    if (s.suspicious.length > SHOWN) out.push(`  … (${s.suspicious.length - SHOWN} more)`);
  }
  return `${out.join('\n')}\n`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
