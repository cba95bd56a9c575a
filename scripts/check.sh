#!/usr/bin/env bash
# Runs every test and check: lint, format, types, import contracts, then the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"

echo "== ruff";          ruff check src tests benchmarks
echo "== ruff format";   ruff format --check src tests benchmarks
echo "== mypy";          mypy
echo "== import contracts"; lint-imports
echo "== pytest"
set +e
pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests" >&2
fi
exit "$rc"
