"""Verdicts per requirement (docs/architecture.md, "Verdicts"), the summary and the exit status."""

from __future__ import annotations

import pytest

from conformance import records
from conformance.records import CheckResult, TestRecord
from conformance.report import build_report, exit_status
from conformance.report.verdicts import VERDICT_HELP

from .fakes import fake_catalogue, fake_records, fake_run


def _verdicts(report: dict) -> dict[str, str]:
    return {q["id"]: q["verdict"] for q in report["requirements"]}


def _by_id(report: dict) -> dict[str, dict]:
    return {q["id"]: q for q in report["requirements"]}


def _report(records, strict=False, baseline=None, profile="groove-2016"):
    return build_report(
        fake_run(profile=profile), records, strict=strict, baseline=baseline, catalogue=fake_catalogue()
    )


def test_every_verdict_from_the_synthetic_run() -> None:
    report = _report(fake_records())
    assert _verdicts(report) == {
        "ADD-LIMIT-101": "failed",  # a MUST check failed
        "ERR-ENVELOPE": "passed",  # a passing check (in a test failed by another check), nothing failed
        "ERR-CODE-UNDERSCORE": "advisory-failed",  # a SHOULD check failed
        "PCRE-NAME-256": "passed",
        "PCRE-NAME-ASTRAL": "advisory-failed",  # SHOULD, test failed outside its checks
        "BROWSE-MAXITEMS": "skipped",
        "REORDER-END": "failed",  # the test errored: counts against its marker
        "AUTH-MISSING": "not-tested",
    }
    assert report["not_applicable"] == ["AUTH-XBL"]  # an xbox-2013 requirement in a groove-2016 run
    # test_name_256 names ERR-ENVELOPE and checks only PCRE-NAME-256: it counts for nothing.
    assert _by_id(report)["ERR-ENVELOPE"]["note"].startswith(
        "also named by 1 test that ran and made no check"
    )
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


def test_a_test_failed_by_one_check_neither_passes_nor_fails_the_other_requirements() -> None:
    # Case 3 of the "passed means checked" rule: a fault breaks A; the test's marker also names B,
    # which it never checks.  B must not pass on the strength of that test (nor fail: the test
    # stopped where its checks said, not on a precondition).
    rec = records.TestRecord(
        "t.py::test_x",
        ["ADD-LIMIT-101", "ERR-ENVELOPE"],
        "failed",
        0.1,
        "check failed",
        checks=[CheckResult("ADD-LIMIT-101", False, "status 200", "400", "200")],
    )
    q = _by_id(_report([rec]))
    assert q["ADD-LIMIT-101"]["verdict"] == "failed"
    assert q["ERR-ENVELOPE"]["verdict"] == "not-tested"
    assert q["ERR-ENVELOPE"]["failures"] == []
    assert q["ERR-ENVELOPE"]["note"] == "named by 1 test, none checked it"


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
    rec = records.TestRecord(
        "t.py::x", ["NOPE-THING"], "passed", 0.1, checks=[CheckResult("NOPE-THING", True, "ok")]
    )
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


# --- "passed" means checked ---------------------------------------------------------------------


def _passing(nodeid: str, marker: list[str], *checked: str, outcome: str = "passed") -> TestRecord:
    return TestRecord(
        nodeid, marker, outcome, 0.1, checks=[CheckResult(rid, True, "held") for rid in checked]
    )


def test_case_1_requirement_of_the_other_profile_is_not_applicable_whatever_names_it() -> None:
    # A groove-2016 run; the test is written for both dialects and names AUTH-XBL (xbox-2013 only).
    rec = _passing("t.py::test_valid_credential", ["AUTH-MISSING", "AUTH-XBL"], "AUTH-MISSING")
    report = _report([rec])
    assert "AUTH-XBL" not in _verdicts(report)
    assert report["not_applicable"] == ["AUTH-XBL"]
    assert _verdicts(report)["AUTH-MISSING"] == "passed"
    counted = report["summary"]["by_verdict"]
    assert report["summary"]["requirements"] == len(fake_catalogue()) - 1
    assert sum(counted.values()) == report["summary"]["requirements"]
    assert sum(sum(c.values()) for c in report["summary"]["by_level"].values()) == len(fake_catalogue()) - 1


def test_case_1_a_check_of_a_not_applicable_requirement_is_ignored_with_a_warning() -> None:
    rec = records.TestRecord(
        "t.py::test_x",
        ["AUTH-MISSING", "AUTH-XBL"],
        "failed",
        0.1,
        "check failed",
        checks=[
            CheckResult("AUTH-MISSING", True, "401"),
            CheckResult("AUTH-XBL", False, "refused", "200", "401"),
        ],
    )
    report = _report([rec])
    assert report["not_applicable"] == ["AUTH-XBL"] and "AUTH-XBL" not in _verdicts(report)
    assert exit_status(report) == 0  # the failed check does not concern this run
    assert any("AUTH-XBL" in w and "does not apply to profile groove-2016" in w for w in report["warnings"])


def test_case_1_an_outside_failure_does_not_judge_a_not_applicable_requirement() -> None:
    rec = records.TestRecord("t.py::test_x", ["AUTH-MISSING", "AUTH-XBL"], "error", 0.1, "setup: boom")
    report = _report([rec])
    assert _verdicts(report)["AUTH-MISSING"] == "failed"
    assert "AUTH-XBL" not in _verdicts(report) and report["not_applicable"] == ["AUTH-XBL"]


def test_case_1_with_the_project_catalogue_xbox_requirements_are_not_applicable_to_groove_2016() -> None:
    from conformance.catalogue import load_catalogue

    catalogue = load_catalogue()
    xbox_only = sorted(rid for rid, r in catalogue.items() if r.profiles and "groove-2016" not in r.profiles)
    if not xbox_only:
        pytest.skip("the catalogue has no xbox-2013-only requirement")
    rid = xbox_only[0]
    rec = _passing("t.py::test_both_dialects", [rid])
    for profile, applicable in (("groove-2016", False), ("xbox-2013", True)):
        report = build_report(
            fake_run(profile=profile), [rec], strict=False, baseline=None, catalogue=catalogue
        )
        assert (rid in report["not_applicable"]) is not applicable
        assert (rid in _verdicts(report)) is applicable
        if applicable:  # named, run, never checked: not passed either
            assert _verdicts(report)[rid] == "not-tested"
        judged = set(_verdicts(report)) | set(report["not_applicable"])
        assert judged == set(catalogue)
        assert all(profile in catalogue[i].profiles or not catalogue[i].profiles for i in _verdicts(report))


def test_case_2_dedicated_test_skipped_and_a_passing_test_names_it_without_a_check() -> None:
    recs = [
        records.TestRecord(
            "t.py::test_maxitems_26", ["BROWSE-MAXITEMS"], "skipped", 0.0, "no browse endpoint"
        ),
        _passing("t.py::test_other", ["ADD-LIMIT-101", "BROWSE-MAXITEMS"], "ADD-LIMIT-101"),
    ]
    q = _by_id(_report(recs))["BROWSE-MAXITEMS"]
    assert q["verdict"] == "skipped"
    assert q["skip_reasons"] == [{"test": "t.py::test_maxitems_26", "reason": "no browse endpoint"}]
    assert q["note"].startswith("also named by 1 test that ran and made no check of it")
    assert [(t["nodeid"], t["checks"]) for t in q["tests"]] == [
        ("t.py::test_maxitems_26", []),
        ("t.py::test_other", []),
    ]


def test_named_by_tests_that_ran_and_never_checked_it_is_not_tested_with_a_note() -> None:
    recs = [_passing(f"t.py::t{i}", ["ADD-LIMIT-101", "PCRE-NAME-256"], "ADD-LIMIT-101") for i in range(2)]
    q = _by_id(_report(recs))
    assert q["ADD-LIMIT-101"]["verdict"] == "passed" and q["ADD-LIMIT-101"]["note"] is None
    assert q["PCRE-NAME-256"]["verdict"] == "not-tested"
    assert q["PCRE-NAME-256"]["note"] == "named by 2 tests, none checked it"
    assert q["PCRE-NAME-256"]["skip_reasons"] == [] and q["PCRE-NAME-256"]["failures"] == []
    assert q["AUTH-MISSING"]["note"] is None  # no test names it at all


def test_a_passing_check_passes() -> None:
    q = _by_id(_report([_passing("t.py::x", ["PCRE-NAME-256"], "PCRE-NAME-256")]))["PCRE-NAME-256"]
    assert q["verdict"] == "passed" and q["failures"] == [] and q["note"] is None


def test_a_failed_check_in_one_test_and_a_passing_one_in_another_fails() -> None:
    recs = [
        _passing("t.py::good", ["ADD-LIMIT-101"], "ADD-LIMIT-101"),
        records.TestRecord(
            "t.py::bad",
            ["ADD-LIMIT-101"],
            "failed",
            0.1,
            "check failed",
            checks=[CheckResult("ADD-LIMIT-101", False, "status 200", "400", "200")],
        ),
    ]
    q = _by_id(_report(recs))["ADD-LIMIT-101"]
    assert q["verdict"] == "failed"
    assert [f["test"] for f in q["failures"]] == ["t.py::bad"]


def test_a_failed_precondition_still_counts_against_an_unchecked_requirement_of_the_marker() -> None:
    # The one way a marker without a check weighs: a test that stops on an assert or an exception.
    recs = [
        _passing("t.py::good", ["PCRE-NAME-256"], "PCRE-NAME-256"),
        records.TestRecord(
            "t.py::broken", ["ADD-LIMIT-101", "PCRE-NAME-256"], "failed", 0.1, "KeyError: 'Id'"
        ),
    ]
    q = _by_id(_report(recs))["PCRE-NAME-256"]
    assert q["verdict"] == "failed"
    assert [(f["test"], f["kind"]) for f in q["failures"]] == [("t.py::broken", "test")]


def test_a_check_made_before_the_test_skipped_counts() -> None:
    rec = _passing("t.py::x", ["ADD-LIMIT-101", "REORDER-END"], "ADD-LIMIT-101", outcome="skipped")
    rec.message = "no second playlist"
    q = _by_id(_report([rec]))
    assert q["ADD-LIMIT-101"]["verdict"] == "passed" and q["ADD-LIMIT-101"]["skip_reasons"] == []
    assert q["REORDER-END"]["verdict"] == "skipped"
    assert q["REORDER-END"]["skip_reasons"] == [{"test": "t.py::x", "reason": "no second playlist"}]


def test_the_legend_says_what_the_rules_do() -> None:
    assert "check of this very requirement passed" in VERDICT_HELP["passed"]
    assert "no check of it was made" in VERDICT_HELP["skipped"]
    assert "made no check of it" in VERDICT_HELP["not-tested"]


def test_a_baseline_entry_for_a_not_applicable_requirement_is_warned_about() -> None:
    report = _report(fake_records(), baseline={"AUTH-XBL": "xbox only"})
    assert "AUTH-XBL" not in _verdicts(report)
    assert any("AUTH-XBL" in w and "does not apply to profile groove-2016" in w for w in report["warnings"])
