"""Verdicts per requirement (docs/architecture.md, "Verdicts"), the summary and the exit status."""

from __future__ import annotations

from conformance import records
from conformance.records import CheckResult
from conformance.report import build_report, exit_status

from .fakes import fake_catalogue, fake_records, fake_run


def _verdicts(report: dict) -> dict[str, str]:
    return {q["id"]: q["verdict"] for q in report["requirements"]}


def _report(records, strict=False, baseline=None, profile="groove-2016"):
    return build_report(
        fake_run(profile=profile), records, strict=strict, baseline=baseline, catalogue=fake_catalogue()
    )


def test_every_verdict_from_the_synthetic_run() -> None:
    report = _report(fake_records())
    assert _verdicts(report) == {
        "ADD-LIMIT-101": "failed",  # a MUST check failed
        "ERR-ENVELOPE": "passed",  # passing checks, nothing failed (also in a failing test)
        "ERR-CODE-UNDERSCORE": "advisory-failed",  # a SHOULD check failed
        "PCRE-NAME-256": "passed",
        "PCRE-NAME-ASTRAL": "advisory-failed",  # SHOULD, test failed outside its checks
        "BROWSE-MAXITEMS": "skipped",
        "REORDER-END": "failed",  # the test errored: counts against its marker
        "AUTH-MISSING": "not-tested",
    }
    assert report["not_applicable"] == ["AUTH-XBL"]  # an xbox-2013 requirement in a groove-2016 run
    assert exit_status(report) == 1
    assert report["overall"]["verdict"] == "failed" and report["overall"]["exit_status"] == 1


def test_profile_specific_requirement_is_judged_in_its_profile() -> None:
    report = _report(fake_records(), profile="xbox-2013")
    assert _verdicts(report)["AUTH-XBL"] == "not-tested"
    assert report["not_applicable"] == []


def test_strict_turns_should_failures_into_failures() -> None:
    report = _report(fake_records(), strict=True)
    v = _verdicts(report)
    assert v["ERR-CODE-UNDERSCORE"] == "failed"
    assert v["PCRE-NAME-ASTRAL"] == "failed"
    assert all(f["blocking"] for q in report["requirements"] for f in q["failures"])


def test_skip_reasons_reach_the_report() -> None:
    q = {q["id"]: q for q in _report(fake_records())["requirements"]}["BROWSE-MAXITEMS"]
    assert q["skip_reasons"] == [
        {
            "test": "conformance/suite/test_browse.py::test_maxitems_26",
            "reason": "the target has no browse endpoint",
        }
    ]


def test_failure_outside_checks_counts_against_every_requirement_of_the_marker() -> None:
    rec = records.TestRecord(
        "t.py::test_x",
        ["ADD-LIMIT-101", "ERR-ENVELOPE", "ERR-CODE-UNDERSCORE"],
        "failed",
        0.1,
        "AssertionError: precondition did not hold",
        checks=[CheckResult("ADD-LIMIT-101", True, "ok")],
    )
    report = _report([rec])
    v = _verdicts(report)
    assert v["ADD-LIMIT-101"] == "failed"  # even though its own check passed
    assert v["ERR-ENVELOPE"] == "failed"
    assert v["ERR-CODE-UNDERSCORE"] == "advisory-failed"  # SHOULD: advisory unless strict
    failure = {q["id"]: q for q in report["requirements"]}["ERR-ENVELOPE"]["failures"][0]
    assert failure["kind"] == "test"
    assert failure["message"] == "AssertionError: precondition did not hold"


def test_a_test_failed_by_one_check_does_not_fail_the_other_requirements() -> None:
    rec = records.TestRecord(
        "t.py::test_x",
        ["ADD-LIMIT-101", "ERR-ENVELOPE"],
        "failed",
        0.1,
        "check failed",
        checks=[CheckResult("ADD-LIMIT-101", False, "status 200", "400", "200")],
    )
    v = _verdicts(_report([rec]))
    assert v["ADD-LIMIT-101"] == "failed"
    assert v["ERR-ENVELOPE"] == "passed"  # the test ran to its end; nothing about it failed


def test_a_test_failed_only_by_an_advisory_check_counts_as_failing_outside_checks() -> None:
    # An advisory check does not fail a test; if the test failed anyway, something else did it.
    rec = records.TestRecord(
        "t.py::test_x",
        ["ERR-CODE-UNDERSCORE", "ERR-ENVELOPE"],
        "failed",
        0.1,
        "KeyError: 'Error'",
        checks=[CheckResult("ERR-CODE-UNDERSCORE", False, "hyphens", "_", "-")],
    )
    v = _verdicts(_report([rec]))
    assert v["ERR-ENVELOPE"] == "failed"
    assert v["ERR-CODE-UNDERSCORE"] == "advisory-failed"


def test_skipped_and_passed_is_passed_with_the_reason_kept() -> None:
    recs = [
        records.TestRecord("t.py::a", ["BROWSE-MAXITEMS"], "skipped", 0.0, "no browse"),
        records.TestRecord(
            "t.py::b",
            ["BROWSE-MAXITEMS"],
            "passed",
            0.1,
            checks=[CheckResult("BROWSE-MAXITEMS", True, "400")],
        ),
    ]
    q = {q["id"]: q for q in _report(recs)["requirements"]}["BROWSE-MAXITEMS"]
    assert q["verdict"] == "passed"
    assert [s["reason"] for s in q["skip_reasons"]] == ["no browse"]
    assert [t["outcome"] for t in q["tests"]] == ["skipped", "passed"]


def test_one_failing_check_among_passing_ones_fails() -> None:
    recs = [
        records.TestRecord(
            f"t.py::t{i}",
            ["BROWSE-MAXITEMS"],
            "passed",
            0.1,
            checks=[CheckResult("BROWSE-MAXITEMS", True, "ok")],
        )
        for i in range(3)
    ]
    recs.append(
        records.TestRecord(
            "t.py::bad",
            ["BROWSE-MAXITEMS"],
            "failed",
            0.1,
            "check failed",
            checks=[CheckResult("BROWSE-MAXITEMS", False, "200", "400", "200")],
        )
    )
    assert _verdicts(_report(recs))["BROWSE-MAXITEMS"] == "failed"


def test_only_advisory_failures_exit_zero() -> None:
    rec = records.TestRecord(
        "t.py::x",
        ["ERR-CODE-UNDERSCORE"],
        "passed",
        0.1,
        checks=[CheckResult("ERR-CODE-UNDERSCORE", False, "hyphens", "_", "-")],
    )
    report = _report([rec])
    assert _verdicts(report)["ERR-CODE-UNDERSCORE"] == "advisory-failed"
    assert exit_status(report) == 0
    assert report["overall"]["verdict"] == "passed"
    assert "1 advisory failure" in report["overall"]["line"]


def test_unknown_requirement_named_by_a_test_is_reported_with_a_warning() -> None:
    rec = records.TestRecord("t.py::x", ["NOPE-THING"], "passed", 0.1)
    report = _report([rec])
    assert _verdicts(report)["NOPE-THING"] == "passed"
    assert any("NOPE-THING" in w for w in report["warnings"])


def test_summary_counts_add_up() -> None:
    report = _report(fake_records())
    s = report["summary"]
    assert sum(s["by_verdict"].values()) == len(report["requirements"]) == s["requirements"]
    assert sum(sum(c.values()) for c in s["by_level"].values()) == len(report["requirements"])
    # ERR-ENVELOPE names two operations and counts under both.
    assert s["by_operation"]["collection_add"]["passed"] == 1
    assert s["by_operation"]["playlist_create"]["passed"] == 2
    assert s["by_operation"]["general"]["not-tested"] == 1
    assert s["by_level"]["SHOULD"]["advisory-failed"] == 2
    assert s["tests"] == {"total": 6, "passed": 2, "failed": 2, "skipped": 1, "error": 1}


def test_failures_carry_expected_actual_transcript_and_repro() -> None:
    q = {q["id"]: q for q in _report(fake_records())["requirements"]}["ADD-LIMIT-101"]
    [f] = q["failures"]
    assert (f["expected"], f["actual"], f["kind"]) == ("400", "200", "check")
    [x] = f["exchanges"]
    assert x["status"] == 200 and x["method"] == "POST"
    assert x["repro"].startswith("curl ")
    assert q["source"] == {
        "file": "seeds/000_49ef52240da7cdbc.txt",
        "heading": "Add tracks",
        "quote": "quote for ADD-LIMIT-101",
    }
