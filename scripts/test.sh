#!/usr/bin/env bash
# Install everything the tests need, then run every test (ruff, mypy, pytest).
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
echo "== ruff"; .venv/bin/ruff check trialmatch tests benchmarks scripts
echo "== mypy"; .venv/bin/mypy
echo "== pytest"; .venv/bin/python -m pytest -n 2 "$@"
