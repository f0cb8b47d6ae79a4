"""Stopping a run early: ``--max-transport-failures`` and ``--run-deadline`` (``plugin.bound.RunBound``).

The counting and the deadline are judged on given times (no clock); the options' values are judged
like every other option (a bad one is a usage error, exit 4, in both forms and from the
environment); one real run with a tiny deadline proves the run stops after its first test with the
reason in report.json, the report's line and the terminal, cleans up, and exits 1. No assertion
here is about how long anything took. The transport bound meets real hostile targets in
``tests/hostile``.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conformance.plugin import DEFAULT_MAX_TRANSPORT_FAILURES
from conformance.plugin.bound import RunBound
from conformance.records import RunInfo
from conformance.report import build_report, exit_status
from conformance.report.markdown import render_markdown

from .test_usage_errors import ENTRY_POINTS, assert_usage_error, run

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "report.json"


# --- the bound itself ------------------------------------------------------------------------------
def test_consecutive_transport_failures_stop_the_run():
    bound = RunBound(3, None, started=0.0)
    assert bound.test_ended("failed", True, now=1) is None
    assert bound.test_ended("failed", True, now=2) is None
    reason = bound.test_ended("error", True, now=3)
    assert reason and "3 consecutive tests" in reason and "--max-transport-failures 3" in reason


@pytest.mark.parametrize("outcome", ["passed", "failed"])
def test_a_test_that_got_its_answers_resets_the_count(outcome):
    bound = RunBound(2, None, started=0.0)
    bound.test_ended("failed", True, now=1)
    bound.test_ended(outcome, False, now=2)  # passed, or failed on a check
    assert bound.test_ended("failed", True, now=3) is None
    assert bound.test_ended("failed", True, now=4) is not None


def test_a_skip_neither_counts_nor_resets():
    bound = RunBound(2, None, started=0.0)
    bound.test_ended("failed", True, now=1)
    assert bound.test_ended("skipped", False, now=2) is None
    assert bound.test_ended("failed", True, now=3) is not None


def test_zero_never_stops_for_transport_failures():
    bound = RunBound(0, None, started=0.0)
    assert all(bound.test_ended("failed", True, now=i) is None for i in range(100))


def test_the_deadline_is_judged_when_a_test_ends_and_the_first_reason_stays():
    bound = RunBound(1, 10.0, started=100.0)
    assert RunBound(0, 10.0, started=100.0).test_ended("passed", False, now=109.9) is None
    assert (
        bound.test_ended("passed", False, now=110.0) == "stopped at the run deadline (10 s, --run-deadline)"
    )
    assert bound.test_ended("failed", True, now=111.0) == bound.reason  # not replaced


def test_the_default_bound_is_documented():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "`--max-transport-failures N` | `GROOVE_MAX_TRANSPORT_FAILURES` | " in readme
    assert f"default {DEFAULT_MAX_TRANSPORT_FAILURES}" in readme


# --- the report ------------------------------------------------------------------------------------
def test_a_stopped_run_says_so_everywhere_and_exits_1():
    reason = "stopped at the run deadline (5 s, --run-deadline)"
    run_info = RunInfo(
        tool_version="0",
        target="http://127.0.0.1:1",
        embedded=True,
        profile="groove-2016",
        options={},
        started_at="2026-01-01T00:00:00+00:00",
        finished_at="2026-01-01T00:00:01+00:00",
        capabilities={},
    )
    full = build_report(run_info, [], strict=False, baseline=None, catalogue={})
    report = build_report(run_info, [], strict=False, baseline=None, catalogue={}, stopped=reason)
    assert full["stopped"] is None and report["stopped"] == reason
    assert Draft202012Validator(json.loads(SCHEMA.read_text())).is_valid(json.loads(json.dumps(report)))
    assert report["overall"]["line"].startswith(f"RUN STOPPED EARLY, not every test ran: {reason}.")
    assert report["overall"]["line"].endswith(full["overall"]["line"])
    assert report["overall"]["exit_status"] == exit_status(report) == 1
    assert reason in render_markdown(report)


# --- the options -------------------------------------------------------------------------------------
@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--max-transport-failures", "-1"),
        ("--max-transport-failures", "many"),
        ("--max-transport-failures", "2.5"),
        ("--run-deadline", "0"),
        ("--run-deadline", "soon"),
        ("--run-deadline", "inf"),
    ],
)
def test_bad_values_are_usage_errors(entry, option, value, tmp_path):
    assert_usage_error(run(entry, tmp_path, f"{option}={value}"), tmp_path, option, value)


@pytest.mark.parametrize(
    ("var", "value"), [("GROOVE_MAX_TRANSPORT_FAILURES", "-3"), ("GROOVE_RUN_DEADLINE", "x")]
)
def test_bad_values_from_the_environment_are_usage_errors(var, value, tmp_path):
    assert_usage_error(run("pytest", tmp_path, **{var: value}), tmp_path, var, value)


# --- a real run -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("form", ["--run-deadline 0.001", "--run-deadline=0.001", "GROOVE_RUN_DEADLINE"])
def test_a_tiny_deadline_stops_the_run_after_its_first_test(form, tmp_path):
    """A deadline is judged when a test ends: whatever the machine's speed, one test runs."""
    args, env = (form.split(" ") if " " in form else [form]), {}
    if form == "GROOVE_RUN_DEADLINE":
        args, env = [], {"GROOVE_RUN_DEADLINE": "0.001"}
    proc: subprocess.CompletedProcess[str] = run("pytest", tmp_path, *args, **env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-3000:]
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    reason = "stopped at the run deadline (0.001 s, --run-deadline)"
    assert report["stopped"] == reason
    assert report["options"]["run_deadline_s"] == 0.001
    assert report["summary"]["tests"]["total"] == 1
    assert any(
        line.startswith(f"RUN STOPPED EARLY, not every test ran: {reason}")
        for line in proc.stdout.splitlines()
    )
    assert any(line.startswith("cleanup: removed ") for line in proc.stdout.splitlines()), output[-3000:]
    assert "Traceback" not in output and "INTERNALERROR" not in output
