#!/usr/bin/env bash
# `npm run test:all`: every test — unit and contract suites (with PostgreSQL), then the browser tests
# in headless Chromium against a production build.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/ci/postgres.sh
source scripts/ci/postgres.sh

CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  echo "test:all: Chromium not found at $CHROMIUM_PATH (Debian/Ubuntu: apt-get install -y chromium, or set CHROMIUM_PATH)." >&2
  exit 1
fi
export CHROMIUM_PATH

mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json
npm run test:e2e -- --reporter=default --reporter=json --outputFile.json=test-results/e2e.json

# One closing line over both runs.
node -e '
const runs = ["test-results/unit.json", "test-results/e2e.json"].map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
const sum = (key) => runs.reduce((n, r) => n + r[key], 0);
console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
'
