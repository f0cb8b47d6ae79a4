#!/usr/bin/env bash
# Regenerate the published conformance reports of the reference emulator (reports/<profile>/).
# Usage: bash scripts/publish_reports.sh   (after `python -m pip install -e '.[dev]'`)
set -euo pipefail
cd "$(dirname "$0")/.."
for profile in groove-2016 xbox-2013; do
  rm -rf "reports/$profile"
  groove-conformance run --profile "$profile" --conformance-level standard --report-dir "reports/$profile"
done
for profile in groove-2016 xbox-2013; do
  groove-conformance badge "reports/$profile/report.json" --out "reports/$profile/badge.svg"
done
groove-conformance matrix reports/groove-2016/report.json reports/xbox-2013/report.json --html reports/matrix.html
