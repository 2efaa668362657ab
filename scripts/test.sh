#!/usr/bin/env bash
# Runs Berth's whole test suite (unit, golden, schema, CLI and end-to-end tests) after installing
# what the tests need. Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build-images.sh
if [ -z "${BERTH_SCHEMAS:-}" ] && [ -d ../shared/schemas ]; then
  export BERTH_SCHEMAS="$(cd ../shared/schemas && pwd)"
fi
swift build --build-tests
swift test 2>&1 | tee /tmp/berth-test.log
