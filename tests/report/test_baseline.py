"""Baselines: expected failures do not fail the run; entries that now pass are reported stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conformance.report import BaselineError, build_report, exit_status, load_baseline, write_reports
from conformance.report.baseline import parse_baseline

from .fakes import fake_catalogue, fake_records, fake_run


def _report(baseline):
    return build_report(
        fake_run(), fake_records(), strict=False, baseline=baseline, catalogue=fake_catalogue()
    )


def test_listed_failures_become_expected_and_do_not_fail_the_run() -> None:
    report = _report({"ADD-LIMIT-101": "gateway answers 413", "REORDER-END": "no playlists yet"})
    q = {q["id"]: q for q in report["requirements"]}
    assert q["ADD-LIMIT-101"]["verdict"] == "expected-failure"
    assert q["ADD-LIMIT-101"]["baseline"] == {"reason": "gateway answers 413", "status": "expected-failure"}
    assert q["ADD-LIMIT-101"]["failures"]  # the evidence stays in the report
    assert exit_status(report) == 0
    assert report["summary"]["by_verdict"]["expected-failure"] == 2


def test_an_unlisted_failure_still_fails_the_run() -> None:
    report = _report({"ADD-LIMIT-101": "gateway answers 413"})
    assert {q["id"]: q["verdict"] for q in report["requirements"]}["REORDER-END"] == "failed"
    assert exit_status(report) == 1


def test_listed_requirements_that_pass_are_stale() -> None:
    report = _report(
        {"PCRE-NAME-256": "was broken in 1.2", "BROWSE-MAXITEMS": "no browse", "NOT-IN-CATALOGUE": "typo"}
    )
    q = {q["id"]: q for q in report["requirements"]}
    assert q["PCRE-NAME-256"]["verdict"] == "passed"
    assert q["PCRE-NAME-256"]["baseline"]["status"] == "stale"
    assert q["BROWSE-MAXITEMS"]["baseline"]["status"] == "unused"  # skipped: neither failed nor passed
    statuses = {e["id"]: e["status"] for e in report["baseline"]["entries"]}
    assert statuses == {"PCRE-NAME-256": "stale", "BROWSE-MAXITEMS": "unused", "NOT-IN-CATALOGUE": "unknown"}
    assert any("NOT-IN-CATALOGUE" in w for w in report["warnings"])


def test_stale_entries_show_in_every_output(tmp_path: Path) -> None:
    write_reports(_report({"PCRE-NAME-256": "was broken in 1.2"}), tmp_path)
    assert "Stale baseline entries" in (tmp_path / "report.md").read_text()
    assert "STALE BASELINE ENTRY" in (tmp_path / "junit.xml").read_text()
    assert "stale (it passes now" in (tmp_path / "report.html").read_text()


def test_load_yaml_and_json(tmp_path: Path) -> None:
    y = tmp_path / "baseline.yaml"
    y.write_text("- id: ADD-LIMIT-101\n  reason: gateway answers 413\n- id: REORDER-END\n  reason: later\n")
    j = tmp_path / "baseline.json"
    j.write_text(
        json.dumps(
            [
                {"id": "ADD-LIMIT-101", "reason": "gateway answers 413"},
                {"id": "REORDER-END", "reason": "later"},
            ]
        )
    )
    expected = {"ADD-LIMIT-101": "gateway answers 413", "REORDER-END": "later"}
    assert load_baseline(y) == expected
    assert load_baseline(j, known_ids=fake_catalogue()) == expected
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_baseline(empty) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("ADD-LIMIT-101: reason", "expected a list"),
        ("- ADD-LIMIT-101\n", "entry 1 is not a mapping"),
        ("- id: ADD-LIMIT-101\n", "has no 'reason'"),
        ("- id: ADD-LIMIT-101\n  reason: '  '\n", "has no 'reason'"),
        ("- reason: why\n", "has no requirement 'id'"),
        ("- id: ADD-LIMIT-101\n  reason: a\n  owner: me\n", "unknown keys: owner"),
        ("- id: ADD-LIMIT-101\n  reason: a\n- id: ADD-LIMIT-101\n  reason: b\n", "listed twice"),
        ("- id: ADD-LIMT-101\n  reason: typo\n", "not a requirement of the catalogue"),
        ("- id: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_baselines_are_clear_errors(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "baseline.yaml"
    path.write_text(content)
    with pytest.raises(BaselineError, match="baseline.yaml") as info:
        load_baseline(path, known_ids=fake_catalogue())
    assert message in str(info.value)


def test_missing_baseline_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="cannot read baseline"):
        load_baseline(tmp_path / "nope.yaml")


def test_bad_json_baseline(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("[{")
    with pytest.raises(BaselineError, match="not valid JSON"):
        load_baseline(path)
    assert parse_baseline(None) == {}
