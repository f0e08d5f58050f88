#!/usr/bin/env bash
# Create ./.venv and install TrialMatch with everything it needs (idempotent).
# Usage: bash scripts/setup.sh [--test]   (--test also installs test tools, Chromium, PostgreSQL)
# Then compiles the criteria parser with mypyc (scripts/build_native.py; a no-op when up to date,
# skipped with TRIALMATCH_PURE=1); if that fails, the same parser runs as pure Python.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e ".[test,native]"
  # Debian packages for the browser and PostgreSQL tests (skipped when already there).
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
  fi
  if [ -f package.json ] && command -v npm >/dev/null 2>&1 && [ ! -d node_modules ]; then
    npm install --silent --no-audit --no-fund >/dev/null
  fi
else
  .venv/bin/python -m pip install -q -e ".[native]"
fi
if [ "${TRIALMATCH_PURE:-0}" = 0 ]; then
  .venv/bin/python scripts/build_native.py build || echo "warning: the parser runs as pure Python (slower)" >&2
fi
