import type { Command } from 'commander';
import { registerNmrBench } from './nmr-bench.js';
import { registerNmrPredict } from './nmr-predict.js';

/** `retort nmr predict` and `retort nmr bench …`: 1H/13C shifts with NWChem. */
export function registerNmr(program: Command): void {
  const nmr = program
    .command('nmr')
    .summary(
      'predicted 1H/13C NMR shifts, and the DELTA50 benchmark that gives the scaling factors',
    )
    .description(
      'GIAO shieldings with NWChem (DFT, COSMO solvent), turned into shifts by scaling factors from the DELTA50 benchmark or by a TMS reference computed at the same level.',
    );
  registerNmrPredict(nmr);
  registerNmrBench(nmr);
}
