#!/usr/bin/env bash
# Installs what retort needs and is missing: the Debian QC programs (MOPAC, xtb, Open Babel, Psi4,
# NWChem, Quantum ESPRESSO's pw.x and its example pseudopotentials), GNU parallel (the overhead
# benchmark's baseline), Graphviz (its dot reads back the workflow graphs in tests), tmux (the
# terminal UI's end-to-end test) and faketime (its libfaketime seeds Open Babel) through
# apt-get, the npm packages through `npm ci`, then builds.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for pair in mopac:mopac xtb:xtb obabel:openbabel psi4:psi4 nwchem:nwchem pw.x:quantum-espresso parallel:parallel tmux:tmux dot:graphviz faketime:faketime; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
# The qe engine's default pseudopotential directory (Si.pz-vbc.UPF …).
[ -d /usr/share/espresso/pseudo ] || missing+=(quantum-espresso-data)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "installing npm packages (npm ci; better-sqlite3 builds from source, about a minute)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi

npm run --silent build
