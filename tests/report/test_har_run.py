"""``--har FILE`` on a real run: every exchange of the run, a valid HAR 1.2 file, no credential.

A short run (the four tests of ``*-LIMIT-100``) of the scenario suite against the embedded
emulator, with the user's token given in the environment as a user would; the run also counts
its records' exchanges apart from the HAR writer (``exchange_count``), so that "every exchange"
is checked against the run itself, alone and under pytest-xdist.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .exchange_count import COUNT_FILE_VAR
from .suite_run import run_suite
from .test_credentials_end_to_end import forms
from .test_har import har_problems

REPO = Path(__file__).resolve().parents[2]
TOKEN = "HARCHECK-user-5e1d0b"
OTHER = "HARCHECK-other-a7c3f2"


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_har_holds_every_exchange_of_the_run_and_no_token(tmp_path: Path, workers: list[str]) -> None:
    har_path = tmp_path / "out" / "run.har"
    count_file = tmp_path / "count.txt"
    proc = run_suite(
        [
            "-p",
            "tests.report.exchange_count",
            "--requirement",
            "*-LIMIT-100",
            f"--har={har_path}",
            *workers,
        ],
        tmp_path,
        PYTHONPATH=str(REPO),
        GROOVE_USER_TOKEN=TOKEN,
        GROOVE_OTHER_USER_TOKEN=OTHER,
        GROOVE_STATE_DIR=str(tmp_path / "state"),
        **{COUNT_FILE_VAR: str(count_file)},
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "4 passed" in proc.stdout
    text = har_path.read_text(encoding="utf-8")
    har = json.loads(text)
    assert har_problems(har) == []
    exchanges, records = map(int, count_file.read_text().split())
    entries = har["log"]["entries"]
    assert records == 4 and len(entries) == exchanges > 0
    assert f"har: {har_path} ({exchanges} exchanges)" in proc.stdout
    assert {e["pageref"] for e in entries} == {p["id"] for p in har["log"]["pages"]}
    assert all(
        p["id"].startswith("test_batch_limits.py::test_batch_within_limit[") for p in har["log"]["pages"]
    )
    assert "none is missing" in har["log"]["comment"]
    # Each entry starts when its request was sent, not all at the run's start.
    assert len({e["startedDateTime"] for e in entries}) > 1
    # The token was sent (the emulator accepts only it) and is in no form in the file.
    assert all(e["response"]["status"] != 401 for e in entries)
    for secret in (TOKEN, OTHER):
        for form in forms(secret):
            assert form not in text, form
