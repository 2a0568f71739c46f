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

npx vitest run
npm run test:e2e
