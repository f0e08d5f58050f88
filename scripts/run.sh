#!/usr/bin/env bash
# Install TrialMatch, load trials and start the web app on http://127.0.0.1:8000
# Trials: the seed pages and real records from ../shared when that folder sits beside the repo,
# otherwise neuroendocrine trials synced from ClinicalTrials.gov.
# Usage: bash scripts/run.sh [--host H] [--port P]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TRIALMATCH_DB=${TRIALMATCH_DB:-$PWD/data/trialmatch.db}
mkdir -p "$(dirname "$TRIALMATCH_DB")"
TM=.venv/bin/trialmatch
if [ -d ../shared/seeds ]; then
  $TM import ../shared/seeds ../shared/data/ctgov_api_v2 ../shared/data/ctgov_legacy_xml ../shared/data/trials/trial_info || true
else
  $TM sync --condition "neuroendocrine" --status RECRUITING --status NOT_YET_RECRUITING || true
fi
exec $TM serve "$@"
