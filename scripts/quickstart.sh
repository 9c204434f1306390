#!/usr/bin/env bash
# The README's main job: installs what is missing, then runs a real batch of the PM7 pipeline
# (SMILES → 3D → conformers → MOPAC PM7 → most stable heat of formation) on the project's
# sample dataset (examples/sample-dataset.csv) in the campaign ./demo-campaign, and prints the
# batch summary. Run it again: the next molecules of the dataset get their batch.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
retort() { node bin/retort.js --campaign demo-campaign "$@"; }
if [ ! -f demo-campaign/retort.yaml ]; then
  node bin/retort.js init demo-campaign
  retort import examples/sample-dataset.csv
fi
retort batch run --size 12 --crest-timeout 5 --mopac-timeout 10 --workers 2 --with-reference "$@"
