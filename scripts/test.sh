#!/usr/bin/env bash
# The whole test suite: installs what is missing, then lint (eslint + prettier), typecheck and
# every test (vitest). Ends with one line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check .; exit 1; }
npx tsc -p tsconfig.json --noEmit
mkdir -p .test-output
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.test-output/vitest.json "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".test-output/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
'
exit "$status"
