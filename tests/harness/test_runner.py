"""``groove-conformance run``: the pytest command line it builds and the summary it prints."""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

from conformance import runner


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    runner.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_tokens_go_through_the_environment_never_the_command_line(monkeypatch):
    monkeypatch.delenv("GROOVE_USER_TOKEN", raising=False)
    monkeypatch.setenv("GROOVE_DEVELOPER_TOKEN", "previous")
    args = parse(
        "--target",
        "http://t",
        "--user-token",
        "u-secret",
        "--developer-token",
        "d-secret",
        "--strict",
        "--conformance-level",
        "quick",
        "--",
        "-n",
        "2",
    )
    argv = runner.pytest_arguments(args, Path("rep"))
    assert "u-secret" not in argv and "d-secret" not in argv
    assert argv[:2] == ["--pyargs", "conformance.suite"]
    assert "--target=http://t" in argv and "--report-dir=rep" in argv  # joined: never read as paths
    assert "--conformance-strict" in argv and argv[-2:] == ["-n", "2"] and "-q" in argv
    with runner._credentials_in_environment(args):
        assert os.environ["GROOVE_USER_TOKEN"] == "u-secret"
        assert os.environ["GROOVE_DEVELOPER_TOKEN"] == "d-secret"
    assert "GROOVE_USER_TOKEN" not in os.environ and os.environ["GROOVE_DEVELOPER_TOKEN"] == "previous"


def test_summary_per_level_and_operation():
    counts = {
        "failed": 1,
        "expected-failure": 0,
        "advisory-failed": 2,
        "passed": 30,
        "skipped": 1,
        "not-tested": 4,
    }
    report = {
        "target": "http://t",
        "profile": "groove-2016",
        "overall": {"line": "FAILED: 1 requirement not met"},
        "summary": {
            "by_level": {"MUST": counts, "SHOULD": counts},
            "by_verdict": counts,
            "by_operation": {"playlist_tracks_browse": counts},
            "tests": {"total": 9, "passed": 8, "failed": 1, "skipped": 0, "error": 0},
        },
    }
    out = io.StringIO()
    runner.print_summary(report, Path("rep"), out)
    text = out.getvalue()
    lines = text.splitlines()
    must = next(line for line in lines if line.startswith("  MUST"))
    assert must.split() == ["MUST", "1", "0", "2", "30", "1", "4"]
    op = next(line for line in lines if "playlist_tracks_browse" in line)
    assert op.split()[1:] == ["1", "0", "2", "30", "1", "4"]
    assert len(op) == len(must)  # columns line up
    assert "FAILED: 1 requirement not met" in text and "report: rep/report.html" in text
