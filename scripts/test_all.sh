#!/usr/bin/env bash
# `npm run test:all`: the whole suite — type check, lint, unit and contract suites (with PostgreSQL),
# then the browser tests in headless Chromium against a production build. Installs Chromium and
# PostgreSQL from the system's packages when they are missing and it may (scripts/ci/system-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/ci/system-deps.sh
source scripts/ci/system-deps.sh
# shellcheck source=scripts/ci/postgres.sh
source scripts/ci/postgres.sh
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"

npm run typecheck
npm run lint

mkdir -p test-results
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/unit.json
npm run test:e2e -- --reporter=default --reporter=json --outputFile.json=test-results/e2e.json

# One closing line over both runs.
node -e '
const runs = ["test-results/unit.json", "test-results/e2e.json"].map((f) => JSON.parse(require("fs").readFileSync(f, "utf8")));
const sum = (key) => runs.reduce((n, r) => n + r[key], 0);
console.log(`${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
'
