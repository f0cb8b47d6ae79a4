#!/usr/bin/env bash
# The GitHub Action's run step (action.yml), and the same run anywhere else:
#
#   scripts/action.sh [PYTEST-ARGS...]
#
# Runs `groove-conformance run` (PYTEST-ARGS go to pytest after `--`), then writes the pull-request
# summary of its report to $report_dir/summary.md and appends it to $GITHUB_STEP_SUMMARY when that
# is set, and exits with the run's own status (0 conforms, 1 does not, 4 usage error, ...).
#
# Every option comes from the environment, in the plugin's own variables: GROOVE_TARGET,
# GROOVE_PROFILE, GROOVE_CONFORMANCE_LEVEL, GROOVE_BASELINE, GROOVE_REPORT_DIR and the tokens
# GROOVE_USER_TOKEN, GROOVE_OTHER_USER_TOKEN, GROOVE_DEVELOPER_TOKEN. An empty one means the
# default. Nothing is validated here: the suite checks every value and names a bad one in one line
# (exit 4), so the action and `groove-conformance run` cannot disagree on what is valid. Tokens are
# never put on a command line, so they stay out of process listings and logs.
#
# `groove-conformance` and `python` must be those of one environment (the action puts its own
# virtualenv first on PATH); `python` is asked only for the runner's default report directory.
set -uo pipefail

say() { echo "groove-conformance action: $*" >&2; }

# A loud failure: an error annotation on GitHub, a plain line elsewhere.
fail() {
  if [ "${GITHUB_ACTIONS:-}" = "true" ]; then
    echo "::error title=groove-conformance::$*"
  fi
  say "$*"
}

# `key=value` lines for the action's outputs; nothing outside GitHub.
output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$1=$2" >>"$GITHUB_OUTPUT"
  fi
}

if ! command -v groove-conformance >/dev/null 2>&1; then
  fail "groove-conformance is not installed (not on PATH)"
  exit 4
fi

report_dir=${GROOVE_REPORT_DIR:-}
if [ -z "$report_dir" ]; then
  if ! report_dir=$(python -c 'from conformance.runner import DEFAULT_REPORT_DIR; print(DEFAULT_REPORT_DIR)'); then
    fail "'python' on PATH is not the one groove-conformance is installed in"
    exit 4
  fi
fi
export GROOVE_REPORT_DIR=$report_dir
report=$report_dir/report.json
output report-dir "$report_dir"

# A report.json left by an earlier run must not be summarised as this one. Every run that gets
# as far as a report takes seconds (pytest's start, the probe of the target), so "newer than a
# file made just before the run" holds for this run's report even where mtimes are whole seconds.
marker=$(mktemp)
trap 'rm -f "$marker"' EXIT

if [ "$#" -gt 0 ]; then
  set -- -- "$@"
fi
groove-conformance run "$@"
status=$?
output exit-code "$status"

if [ ! -f "$report" ] || [ ! "$report" -nt "$marker" ]; then
  fail "the run wrote no report (exit status $status); the reason is in the lines above"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    printf '### groove-conformance: no report\n\nThe run ended with exit status %s without writing a report, so there are no verdicts to show. The reason is in the log of this step.\n' \
      "$status" >>"$GITHUB_STEP_SUMMARY"
  fi
  if [ "$status" -eq 0 ]; then
    exit 1
  fi
  exit "$status"
fi

summary=$report_dir/summary.md
if ! groove-conformance report "$report" --summary "$summary" >/dev/null; then
  fail "could not write the summary of $report"
  # the verdict stands; a run that passed but cannot show it is not a pass
  if [ "$status" -eq 0 ]; then
    exit 1
  fi
  exit "$status"
fi
if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$summary" >>"$GITHUB_STEP_SUMMARY"
  say "summary written to the job summary and to $summary"
else
  say "summary: $summary (GITHUB_STEP_SUMMARY is not set)"
fi
exit "$status"
