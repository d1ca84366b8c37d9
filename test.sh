#!/usr/bin/env bash
# Runs the whole test suite (the README's test command), then says how many tests were skipped and why.
# Extra arguments go to `dotnet test`; RIPOSTE_TEST_RESULTS names the directory for the result files (default: a temp one).
set -uo pipefail
cd "$(dirname "$0")"
results=${RIPOSTE_TEST_RESULTS:-$(mktemp -d)}
RIPOSTE_TEST_TRX=1 dotnet test --solution Riposte.slnx -c Release --results-directory "$results" "$@"
status=$?
if command -v python3 >/dev/null 2>&1; then
  python3 .ci/test-summary.py "$results" skips
fi
[ -n "${RIPOSTE_TEST_RESULTS:-}" ] || rm -rf "$results"
exit "$status"
