#!/usr/bin/env bash
# Regenerate the published conformance reports of the reference emulator (reports/<profile>/).
# Usage: bash scripts/publish_reports.sh   (after `python -m pip install -e '.[dev]'`)
set -euo pipefail
cd "$(dirname "$0")/.."
for profile in groove-2016 xbox-2013; do
  rm -rf "reports/$profile"
  groove-conformance run --profile "$profile" --conformance-level standard --report-dir "reports/$profile"
done
