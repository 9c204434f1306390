import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRYSTAL_REAL } from '../engines/crystal/crystal-fixtures.js';

/**
 * Stand-ins for CRYSTAL's `crystal` and `properties` that replay real outputs: `crystal` the
 * MgO optimisation when its input has OPTGEOM, else the MgO SCF, and leaves a fort.9;
 * `properties` needs that fort.9 and replays the MgO band run with its BAND.DAT. Each keeps
 * the input it was given.
 */
export function crystalStandIns(dir: string): Record<string, string> {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const real = (path: string): string => join(CRYSTAL_REAL, path);
  writeFileSync(
    join(bin, 'crystal'),
    [
      '#!/bin/sh',
      'cat > input-seen.d12',
      `if grep -q '^OPTGEOM' input-seen.d12; then cat '${real('mgo_opt_hf_c17/main.out')}'; else cat '${real('mgo_scf_hf_c17/main.out')}'; fi`,
      'echo wavefunction > fort.9',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(bin, 'properties'),
    [
      '#!/bin/sh',
      'cat > input-seen.d3',
      "[ -s fort.9 ] || { echo 'fort.9 not found' >&2; exit 1; }",
      `cat '${real('mgo_band_c17/band_mgo.outp')}'`,
      `cp '${real('mgo_band_c17/band_mgo.BAND')}' BAND.DAT`,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'crystal'), 0o755);
  chmodSync(join(bin, 'properties'), 0o755);
  return { PATH: `${bin}:${process.env.PATH ?? ''}` };
}
