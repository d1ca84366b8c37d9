#!/usr/bin/env bash
# Runs the whole test suite (the README's test command). Extra arguments go to the test platform.
set -euo pipefail
cd "$(dirname "$0")"
extra=()
if [ "${1:-}" = "--results-directory" ]; then
  extra=(--results-directory "$2" --report-trx)
fi
dotnet test --solution Riposte.slnx -c Release -- "${extra[@]}"
