#!/usr/bin/env bash
# Run one test suite (test/<suite>/) with node's test runner: readable output on stdout, JUnit XML
# in $FACTORY_REPORT_DIR/<suite>.xml (factory test sets it to the run's artifact dir; by hand it is
# test-results/).
# Usage: test.sh <suite>
set -euo pipefail
cd "$(dirname "$0")/.."
suite="${1:?usage: test.sh <suite>}"
out="${FACTORY_REPORT_DIR:-test-results}"
mkdir -p "$out"
exec node --test --test-concurrency=1 \
  --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=junit --test-reporter-destination="$out/$suite.xml" \
  "test/$suite/"
