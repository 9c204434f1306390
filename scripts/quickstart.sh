#!/usr/bin/env bash
# The README's main job: installs what is missing, then runs a handful of real MOPAC and xtb
# calcs (examples/quickstart.jsonl) through `retort run` in the campaign ./demo-campaign.
# Run it twice: the second time every calc is answered from the store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -f demo-campaign/retort.yaml ] || node bin/retort.js init demo-campaign
node bin/retort.js --campaign demo-campaign run examples/quickstart.jsonl --workers 2 "$@"
echo
node bin/retort.js --campaign demo-campaign status
