"""The GitHub Action (action.yml): what it declares, and its run step run for real.

The run step is taken from action.yml itself and executed with bash as the runner would: its
``env:`` evaluated for the inputs given here (only ``${{ inputs.NAME }}`` and
``${{ steps.ID.outputs.NAME }}`` are understood; anything else fails the test), its ``run:``
line as written. So the tests run the same script, with the same input-to-variable mapping, as
the action; what is left to GitHub is setup-python, pip and upload-artifact. The suite runs
against the embedded emulator, restricted to one scenario with ``PYTEST_ADDOPTS`` (the action's
line takes no pytest arguments), at ``quick``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.plugin import DEFAULT_EFFORT, EFFORTS, EXIT_USAGE_ERROR
from conformance.profiles import DEFAULT_PROFILE, PROFILES
from conformance.report.markdown import headline
from conformance.report.pr_summary import render_summary
from conformance.runner import DEFAULT_REPORT_DIR

ROOT = Path(__file__).resolve().parents[2]
ACTION = ROOT / "action.yml"
SCRIPT = ROOT / "scripts" / "action.sh"
README = ROOT / "README.md"
# The inputs the README's "In GitHub Actions" section documents, and action.yml must declare.
INPUTS = {
    "target",
    "profile",
    "level",
    "user-token",
    "other-user-token",
    "developer-token",
    "baseline",
    "report-dir",
    "artifact-name",
}
SUITE_STEP = "suite"  # the id of the step that runs the suite
USER = "action-user-token-5f3a91"
OTHER = "action-other-token-c20e77"
RUN_TIMEOUT_S = 600
EXPRESSION = re.compile(r"\$\{\{\s*(inputs|steps\.([\w-]+)\.outputs)\.([\w-]+)\s*\}\}")
INPUT_REFERENCE = re.compile(r"\binputs\.([\w-]+)")  # anywhere in an expression (`inputs.x || 'y'`)
EARLIER = "an earlier step's summary\n"


def action() -> dict[str, Any]:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in action()["runs"]["steps"] if s.get("id") == step_id)


def evaluate(value: str, inputs: Mapping[str, str], outputs: Mapping[str, Mapping[str, str]]) -> str:
    """One ``env:`` value of a step, for these inputs and earlier steps' outputs."""
    match = EXPRESSION.fullmatch(value.strip())
    assert match, f"the test cannot evaluate {value!r}"
    kind, step_id, name = match.groups()
    if kind == "inputs":
        assert name in action()["inputs"], f"{name} is not an input"
        return inputs.get(name, action()["inputs"][name].get("default", ""))
    return outputs[step_id][name]


@dataclass
class StepRun:
    proc: subprocess.CompletedProcess[str]
    summary: str  # what the step appended to $GITHUB_STEP_SUMMARY
    outputs: dict[str, str]  # what it wrote to $GITHUB_OUTPUT
    report_dir: Path


def run_suite_step(tmp_path: Path, inputs: Mapping[str, str], pytest_addopts: str) -> StepRun:
    """The action's suite step, run by bash in ``tmp_path`` (the workspace) as the runner would."""
    suite = step(SUITE_STEP)
    assert suite["shell"] == "bash"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("GROOVE_", "GITHUB_", "PYTEST_", "INPUT_"))
    }
    summary_file, output_file = tmp_path / "step-summary.md", tmp_path / "github-output"
    summary_file.write_text(EARLIER, encoding="utf-8")
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_STEP_SUMMARY=str(summary_file),
        GITHUB_OUTPUT=str(output_file),
        GROOVE_STATE_DIR=str(tmp_path / "state"),
        PYTEST_ADDOPTS=pytest_addopts,
    )
    # the install step's output: the bin directory of the environment groove-conformance is in
    outputs = {"install": {"bin": str(Path(sys.executable).parent)}}
    env.update({name: evaluate(value, inputs, outputs) for name, value in suite["env"].items()})
    proc = subprocess.run(
        ["bash", "-c", suite["run"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    text = summary_file.read_text(encoding="utf-8")
    assert text.startswith(EARLIER), "the step must append to $GITHUB_STEP_SUMMARY, not replace it"
    written = output_file.read_text(encoding="utf-8") if output_file.exists() else ""
    pairs = dict(line.split("=", 1) for line in written.splitlines())
    return StepRun(proc, text[len(EARLIER) :], pairs, tmp_path / pairs.get("report-dir", "-"))


@pytest.fixture(scope="module")
def passing_run(tmp_path_factory: pytest.TempPathFactory) -> StepRun:
    tmp_path = tmp_path_factory.mktemp("action")
    inputs = {"level": "quick", "report-dir": "rep", "user-token": USER, "other-user-token": OTHER}
    return run_suite_step(tmp_path, inputs, "-k test_smoke_add")


# --- what action.yml declares ---------------------------------------------------------------------
def test_action_declares_exactly_the_documented_inputs():
    declared = action()["inputs"]
    assert set(declared) == INPUTS
    section = README.read_text(encoding="utf-8").split("## In GitHub Actions", 1)[1].split("\n## ", 1)[0]
    assert set(re.findall(r"^\| `([\w-]+)` \|", section, re.MULTILINE)) == INPUTS
    # each variable the table names is the one the suite step sets from that input
    documented = dict(re.findall(r"^\| `([\w-]+)` \| `(GROOVE_\w+)` \|", section, re.MULTILINE))
    assert documented and all(
        step(SUITE_STEP)["env"][var] == f"${{{{ inputs.{name} }}}}" for name, var in documented.items()
    )
    for name, spec in declared.items():
        assert spec.get("required") is False and spec.get("default") == "", name  # empty means default
    # the defaults and choices they name are the suite's own
    assert DEFAULT_PROFILE in declared["profile"]["description"]
    assert all(p in declared["profile"]["description"] for p in PROFILES)
    assert DEFAULT_EFFORT in declared["level"]["description"]
    assert all(e in declared["level"]["description"] for e in EFFORTS)
    assert str(DEFAULT_REPORT_DIR) in declared["report-dir"]["description"]


def test_every_input_reaches_a_step_through_env_or_with_never_a_run_line():
    steps = action()["runs"]["steps"]
    assert action()["runs"]["using"] == "composite"
    used: set[str] = set()
    for s in steps:
        # an expression spliced into a shell line is an injection, and puts tokens on a command line
        assert "${{" not in s.get("run", ""), s.get("name")
        for value in [*s.get("env", {}).values(), *s.get("with", {}).values()]:
            used.update(INPUT_REFERENCE.findall(str(value)))
    assert used == INPUTS
    tokens = {v for k, v in step(SUITE_STEP)["env"].items() if k.endswith("_TOKEN")}
    assert tokens == {
        "${{ inputs.user-token }}",
        "${{ inputs.other-user-token }}",
        "${{ inputs.developer-token }}",
    }
    for s in steps:
        if "uses" in s:
            assert re.fullmatch(r"actions/[\w-]+@v\d+", s["uses"]), s["uses"]  # pinned major


def test_the_suite_step_runs_the_script_the_tests_run():
    assert SCRIPT.is_file()
    line = step(SUITE_STEP)["run"]
    assert '"$GITHUB_ACTION_PATH/scripts/action.sh"' in line
    assert SCRIPT.relative_to(ROOT).as_posix() == "scripts/action.sh"
    upload = next(
        s for s in action()["runs"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact")
    )
    assert upload["if"].startswith("always()")  # the report is kept when the run failed too
    assert upload["with"]["path"] == f"${{{{ steps.{SUITE_STEP}.outputs.report-dir }}}}"


# --- the step run for real ----------------------------------------------------------------------------
def test_a_passing_run_writes_the_report_and_the_summary(passing_run: StepRun):
    proc = passing_run.proc
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert passing_run.outputs == {"report-dir": "rep", "exit-code": "0"}
    report = json.loads((passing_run.report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["embedded"] is True and report["summary"]["tests"]["total"] >= 1
    assert report["summary"]["tests"]["failed"] == 0
    # the summary is the pull-request Markdown of this run's report, headline first
    assert passing_run.summary == render_summary(report)
    assert passing_run.summary.startswith(headline(report)[0] + "\n")
    assert (passing_run.report_dir / "summary.md").read_text(encoding="utf-8") == passing_run.summary


def test_tokens_given_by_environment_appear_nowhere(passing_run: StepRun):
    assert passing_run.proc.returncode == 0
    written = [p.read_text(encoding="utf-8") for p in passing_run.report_dir.iterdir() if p.is_file()]
    texts = [passing_run.proc.stdout, passing_run.proc.stderr, passing_run.summary, *written]
    assert len(written) >= 5  # report.json, .html, .md, junit.xml, summary.md
    assert not [t for t in texts if USER in t or OTHER in t]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"profile": "groove-2015"}, "unknown profile 'groove-2015'"),
        ({"baseline": "no-such-baseline.yaml"}, "no such file no-such-baseline.yaml"),
    ],
    ids=["bad-profile", "missing-baseline"],
)
def test_a_usage_error_fails_with_its_status_and_no_misleading_summary(tmp_path, inputs, message):
    # a report.json an earlier run left in the report directory must not be taken for this run's
    stale_dir = tmp_path / DEFAULT_REPORT_DIR
    stale_dir.mkdir()
    stale = stale_dir / "report.json"
    stale.write_text('{"left": "by an earlier run"}', encoding="utf-8")
    os.utime(stale, (stale.stat().st_atime - 60, stale.stat().st_mtime - 60))
    result = run_suite_step(tmp_path, inputs, "-k test_smoke_add")
    proc = result.proc
    assert proc.returncode == EXIT_USAGE_ERROR, proc.stdout[-4000:] + proc.stderr[-2000:]
    assert message in proc.stderr
    assert "::error title=groove-conformance::the run wrote no report (exit status 4)" in proc.stdout
    assert result.outputs == {"report-dir": str(DEFAULT_REPORT_DIR), "exit-code": str(EXIT_USAGE_ERROR)}
    assert result.summary.startswith("### groove-conformance: no report\n")
    assert "exit status 4" in result.summary and "Groove conformance:" not in result.summary
    assert "passed" not in result.summary.lower()
    assert sorted(p.name for p in stale_dir.iterdir()) == ["report.json"]  # no summary.md of the stale one
    assert "Traceback" not in proc.stdout + proc.stderr
