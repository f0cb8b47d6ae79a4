"""The documented command lines work as written: path options with a space or an ``=`` before the
value, run from the checkout or from anywhere, through ``pytest`` and through ``groove-conformance run``.

pytest settles its rootdir, ini file and ``testpaths`` from the raw command line before it loads
this plugin, so ``--catalog FILE`` with FILE an existing path outside the checkout used to be taken
for a test path (pytest issue 8846): the rootdir moved to FILE's directory and plain ``pytest`` from
the checkout collected the project's own ``tests/``. The plugin puts the right setup back
(``conformance.plugin.rootdir``); these runs prove it on the real commands, in subprocesses, against
the embedded emulator. Every path option gets an *existing* path outside the checkout (a report
directory that does not exist yet is never mistaken for a test path, so it is made beforehand).

Each run selects the suite's cheap auth smoke test and one of this project's own unit tests
(``CANARY``) by ``-k``: a run that collected ``tests/`` would run the canary, and says so in ``-v``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import conformance
from conformance.catalog_ids import DOCUMENT_VALID_TRACK_IDS
from conformance.plugin.options import OPTIONS

REPO = Path(conformance.__file__).resolve().parent.parent
SUITE_TEST = "test_smoke_auth"
CANARY = "test_tokens_go_through_the_environment_never_the_command_line"  # tests/harness/test_runner.py
SELECT = ["-k", f"{SUITE_TEST} or {CANARY}", "-v"]
RUN_TIMEOUT_S = 300
# every path-valued option of the plugin but --rerun-failed, which would need an earlier run's
# report.json with a failure and then runs other tests (tests/harness/test_selection.py runs it)
PATH_OPTIONS = tuple(o.flag for o in OPTIONS if o.metavar in ("FILE", "DIR") and o.flag != "--rerun-failed")


def cli() -> list[str]:
    script = Path(sys.executable).with_name("groove-conformance")
    return [str(script)] if script.exists() else [sys.executable, "-m", "conformance.cli"]


def env_for(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GROOVE_", "PYTEST_ADDOPTS"))}
    env["GROOVE_STATE_DIR"] = str(tmp_path / "state")
    return env


def run(args: list[str], cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = env_for(tmp_path)
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, check=False
    )


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """An existing catalog, report directory and baseline, all outside the checkout."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    catalog = inputs / "catalog.txt"
    catalog.write_text("# my server's catalog\n" + "\n".join(DOCUMENT_VALID_TRACK_IDS) + "\n")
    baseline = inputs / "baseline.yaml"
    baseline.write_text("- id: ADD-LIMIT-101\n  reason: our gateway answers 413 first\n")
    report_dir = tmp_path / "reports" / "mine"
    report_dir.mkdir(parents=True)
    har = tmp_path / "har" / "run.har"
    har.parent.mkdir()
    return {"--catalog": catalog, "--report-dir": report_dir, "--baseline": baseline, "--har": har}


def path_options(files: dict[str, Path], form: str) -> list[str]:
    out: list[str] = []
    for option in PATH_OPTIONS:
        out += [option, str(files[option])] if form == "space" else [f"{option}={files[option]}"]
    return out


def assert_ran_the_suite_only(proc: subprocess.CompletedProcess[str], files: dict[str, Path]) -> None:
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    assert f"{SUITE_TEST}.py::" in proc.stdout and " PASSED" in proc.stdout, proc.stdout[-3000:]
    assert CANARY not in proc.stdout, "the project's own tests/ were collected: " + proc.stdout[-3000:]
    assert f"catalog: {len(DOCUMENT_VALID_TRACK_IDS)} IDs" in proc.stdout  # the --catalog file, read
    report = json.loads((files["--report-dir"] / "report.json").read_text())
    assert report["options"]["catalog"] == str(files["--catalog"])
    assert report["options"]["baseline"] == str(files["--baseline"])
    assert report["options"]["report_dir"] == str(files["--report-dir"])
    assert {"report.html", "report.md", "junit.xml"} <= {p.name for p in files["--report-dir"].iterdir()}
    assert json.loads(files["--har"].read_text())["log"]["entries"]  # the --har file, written
    nodeids = {t["nodeid"] for r in report["requirements"] for t in r["tests"]}
    assert nodeids and all(f"{SUITE_TEST}.py::" in n for n in nodeids), nodeids


@pytest.mark.parametrize("form", ["space", "equals"])
@pytest.mark.parametrize("where", ["checkout", "elsewhere"])
def test_pytest_takes_path_options_in_both_forms(form, where, files, tmp_path):
    cwd = REPO if where == "checkout" else tmp_path
    # From the checkout, plain `pytest` (the configured testpaths); elsewhere, the installed suite.
    suite = [] if where == "checkout" else ["--pyargs", "conformance.suite"]
    args = [sys.executable, "-m", "pytest", *suite, "-p", "no:cacheprovider", "--conformance-level", "quick"]
    proc = run([*args, *path_options(files, form), *SELECT], cwd, tmp_path)
    assert_ran_the_suite_only(proc, files)
    assert f"rootdir: {cwd}\n" in proc.stdout, proc.stdout[:1500]
    if where == "checkout":
        assert "configfile: pyproject.toml" in proc.stdout, proc.stdout[:1500]


@pytest.mark.parametrize("form", ["space", "equals"])
@pytest.mark.parametrize("where", ["checkout", "elsewhere"])
def test_groove_conformance_run_takes_path_options_in_both_forms(form, where, files, tmp_path):
    cwd = REPO if where == "checkout" else tmp_path
    args = [*cli(), "run", "--conformance-level", "quick", *path_options(files, form), "--", *SELECT]
    proc = run(args, cwd, tmp_path)
    assert_ran_the_suite_only(proc, files)
    assert f"report: {files['--report-dir'] / 'report.html'}" in proc.stdout


def test_a_misread_value_that_cannot_be_repaired_is_a_usage_error(files, tmp_path):
    """An ini file whose addopts pytest has already skipped cannot be put back: one line says how
    to write the option instead, nothing runs; the ``=`` form then works."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    args = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "--conformance-level", "quick"]
    proc = run([*args, *path_options(files, "space"), *SELECT], project, tmp_path)
    assert proc.returncode == 4, proc.stdout[-3000:] + proc.stderr[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "pytest issue 8846" in lines[0], proc.stderr
    assert f"--catalog={files['--catalog']}" in lines[0]
    assert not (files["--report-dir"] / "report.json").exists()
    proc = run([*args, *path_options(files, "equals"), *SELECT], project, tmp_path)
    assert_ran_the_suite_only(proc, files)
    assert f"rootdir: {project}\n" in proc.stdout and "configfile: pytest.ini" in proc.stdout
