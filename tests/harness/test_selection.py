"""``--requirement`` and ``--rerun-failed`` on real runs of the scenario suite, and their usage errors.

The runs are narrow (the tests of the ``*-LIMIT-100`` requirements: one each), against the
embedded emulator or, to have something to re-run, a reference emulator with the fault
``batch-limit-off-by-one`` on (it refuses a batch of exactly 100 entries, breaking all four).
What ran is read from pytest's own ``-rA`` lines and from report.json.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

from conformance.emulator import EmulatorConfig, builtin_catalog, start_in_thread
from conformance.plugin import EXIT_USAGE_ERROR

from .test_suite_runs import OTHER, USER, pytest_suite, run

WITHIN_LIMIT = "test_batch_limits.py::test_batch_within_limit"
LIMIT_100 = {  # requirement -> the one test naming it
    "ADD-LIMIT-100": f"{WITHIN_LIMIT}[collection_add-100]",
    "CDEL-LIMIT-100": f"{WITHIN_LIMIT}[collection_delete-100]",
    "PCRE-LIMIT-100": f"{WITHIN_LIMIT}[playlist_create-100]",
    "PUPD-LIMIT-100": f"{WITHIN_LIMIT}[playlist_update-100]",
}


def ran(stdout: str) -> set[str]:
    """The tests pytest's ``-rA`` short summary says ran (passed or failed)."""
    return set(re.findall(r"^(?:PASSED|FAILED) (\S+)", stdout, re.MULTILINE))


def groove_run(*args: str) -> list[str]:
    return [sys.executable, "-m", "conformance.cli", "run", *args]


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_a_glob_and_an_id_run_exactly_the_tests_naming_them(tmp_path: Path, workers: list[str]) -> None:
    proc = run(
        pytest_suite(
            "-rA",
            "--requirement",
            "PCRE-*-100,PUPD-LIMIT-100",
            "--requirement",
            "ADD-LIMIT-100",
            "--report-dir",
            "rep",
            *workers,
        ),
        tmp_path,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    want = {LIMIT_100[r] for r in ("ADD-LIMIT-100", "PCRE-LIMIT-100", "PUPD-LIMIT-100")}
    assert ran(proc.stdout) == want
    # Deselected, not skipped (pytest-xdist's controller does not count deselections in its line).
    assert re.search(r"3 passed, \d+ deselected" if not workers else r"3 passed in", proc.stdout)
    assert "skipped" not in proc.stdout.splitlines()[-1]
    report = json.loads((tmp_path / "rep" / "report.json").read_text())
    assert {t["nodeid"] for r in report["requirements"] for t in r["tests"]} == want
    verdicts = {r["id"]: r["verdict"] for r in report["requirements"]}
    assert verdicts["CDEL-LIMIT-100"] == "not-tested" and verdicts["ADD-LIMIT-100"] == "passed"
    selected = ["ADD-LIMIT-100", "PCRE-LIMIT-100", "PUPD-LIMIT-100"]
    assert report["options"]["selection"]["requirements"] == selected
    assert report["overall"]["line"].endswith(
        "(partial run: 3 requirements selected via --requirement PCRE-*-100,PUPD-LIMIT-100,ADD-LIMIT-100)"
    )


def test_the_variable_and_groove_conformance_run_select_alike(tmp_path: Path) -> None:
    proc = run(
        pytest_suite("--collect-only", "-q"), tmp_path, GROOVE_REQUIREMENT="ADD-LIMIT-100, CDEL-LIMIT-100"
    )
    assert set(re.findall(r"^(\S+::\S+)$", proc.stdout, re.MULTILINE)) == {
        LIMIT_100["ADD-LIMIT-100"],
        LIMIT_100["CDEL-LIMIT-100"],
    }
    proc = run(groove_run("--requirement", "cdel-limit-100", "--report-dir", "rep", "--", "-rA"), tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert ran(proc.stdout) == {LIMIT_100["CDEL-LIMIT-100"]}
    assert "partial run: 1 requirement selected" in proc.stdout


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("ADD-LIMIT-10O", "'ADD-LIMIT-10O' is not a requirement ID of the catalogue"),
        ("NOPE-*", "'NOPE-*' matches no requirement ID of the catalogue"),
    ],
)
def test_an_id_or_glob_naming_nothing_is_a_usage_error(tmp_path: Path, value: str, said: str) -> None:
    for command in (pytest_suite("--requirement", value), groove_run("--requirement", value)):
        proc = run(command, tmp_path)
        assert proc.returncode == EXIT_USAGE_ERROR, proc.stdout[-2000:] + proc.stderr[-2000:]
        assert said in proc.stderr and "--requirement / GROOVE_REQUIREMENT" in proc.stderr
    if value == "ADD-LIMIT-10O":
        assert "did you mean" in proc.stderr and "ADD-LIMIT-100" in proc.stderr.split("did you mean")[1]


def test_rerun_failed_runs_the_tests_of_the_failed_requirements_only(tmp_path: Path) -> None:
    emu = start_in_thread(EmulatorConfig(users={"alice": USER, "bob": OTHER}, fault="batch-limit-off-by-one"))
    catalog = tmp_path / "catalog.txt"
    catalog.write_text("\n".join(builtin_catalog()) + "\n")
    env = {
        "GROOVE_TARGET": emu.url,
        "GROOVE_USER_TOKEN": USER,
        "GROOVE_OTHER_USER_TOKEN": OTHER,
        "GROOVE_CATALOG": str(catalog),
        "GROOVE_CONFORMANCE_LEVEL": "quick",  # what is selected is the point, not how hard it tries
    }
    baseline = tmp_path / "baseline.yaml"
    # Everything the fault breaks but ADD-LIMIT-100 is an expected failure: only it is re-run.
    expected = ("CDEL-LIMIT-100", "CDEL-READBACK", "BATCH-ONE-RESULT", "BATCH-ITEM-OK")
    baseline.write_text(yaml.safe_dump([{"id": rid, "reason": "known: off by one"} for rid in expected]))
    try:
        first = run(
            pytest_suite(
                "-rA",
                "--requirement",
                "ADD-LIMIT-100,CDEL-LIMIT-100",
                "--baseline",
                str(baseline),
                "--report-dir",
                "first",
            ),
            tmp_path,
            **env,
        )
        assert first.returncode == 1, first.stdout[-3000:] + first.stderr[-2000:]
        verdicts = {
            r["id"]: r["verdict"]
            for r in json.loads((tmp_path / "first/report.json").read_text())["requirements"]
        }
        assert [rid for rid, v in verdicts.items() if v == "failed"] == ["ADD-LIMIT-100"]
        assert verdicts["CDEL-LIMIT-100"] == "expected-failure"
        # Only `failed` is re-run: expected (baseline) and advisory failures are not.
        for workers in ([], ["-n", "2"]):
            again = run(
                pytest_suite("-rA", "--rerun-failed", "first/report.json", "--report-dir", "again", *workers),
                tmp_path,
                **env,
            )
            assert again.returncode == 1, again.stdout[-3000:] + again.stderr[-2000:]
            assert ran(again.stdout) == {LIMIT_100["ADD-LIMIT-100"]}
            assert re.search(r"1 failed, \d+ deselected" if not workers else r"1 failed in", again.stdout)
            line = json.loads((tmp_path / "again/report.json").read_text())["overall"]["line"]
            assert line.endswith("(partial run: 1 requirement selected via --rerun-failed first/report.json)")
        # Another profile's run cannot be re-run as this one; neither can a file that is no report.
        other = run(
            pytest_suite("--rerun-failed", "first/report.json", "--profile", "xbox-2013"), tmp_path, **env
        )
        assert other.returncode == EXIT_USAGE_ERROR and "is a report of profile groove-2016" in other.stderr
        broken = run(groove_run("--rerun-failed", str(baseline)), tmp_path, **env)
        assert broken.returncode == EXIT_USAGE_ERROR and "is not JSON" not in broken.stdout
        assert "--rerun-failed / GROOVE_RERUN_FAILED" in broken.stderr
        missing = run(pytest_suite(), tmp_path, GROOVE_RERUN_FAILED="nowhere.json", **env)
        assert missing.returncode == EXIT_USAGE_ERROR and "cannot read nowhere.json" in missing.stderr
    finally:
        emu.stop()
