"""Per-operation verdicts: a requirement of several operations is judged on each from that
operation's own evidence, so a failure on browse shows under browse and nowhere else.

The records are canned: each check carries the operation of the request it judged
(``CheckResult.operation``, which ``verify`` takes from the test's request log).
"""

from __future__ import annotations

import re

from conformance.records import CheckResult, Exchange, TestRecord
from conformance.report import build_report
from conformance.report.html import render_html
from conformance.report.markdown import render_markdown
from conformance.report.verdicts import verdicts_by_operation
from conformance.verify import Verify, operation_of

from .fakes import FakeRequirement, FakeSource, fake_run

ALL = (
    "collection_add",
    "collection_delete",
    "playlist_create",
    "playlist_update",
    "playlist_delete",
    "collection_browse",
    "playlist_tracks_browse",
)
XML = "FMT-ACCEPT-XML"
LIMIT = "ADD-LIMIT-101"


def catalogue() -> dict[str, FakeRequirement]:
    source = FakeSource("reference/groove-docs/common-parameters.md", "Parameters", "the Accept header")
    return {
        XML: FakeRequirement(
            XML, "MUST", ALL, 'A request with "Accept: application/xml" is answered in XML.', source
        ),
        LIMIT: FakeRequirement(LIMIT, "MUST", ("collection_add",), "101 IDs are refused.", source),
    }


def check(passed: bool, operation: str | None, rid: str = XML) -> CheckResult:
    return CheckResult(
        rid, passed, "the answer's format", "xml", "xml" if passed else "json", operation=operation
    )


def record(
    nodeid: str, checks: list[CheckResult], outcome: str = "passed", message: str | None = None
) -> TestRecord:
    return TestRecord(nodeid, [XML], outcome, 0.1, message, checks=checks)


def xml_records() -> list[TestRecord]:
    """FMT-ACCEPT-XML checked on add and browse: it fails on collection_browse only."""
    return [
        record("t.py::test_answer_format[collection_add-accept-xml]", [check(True, "collection_add")]),
        record(
            "t.py::test_answer_format[collection_browse-accept-xml]",
            # the browse test set its data up with an add first: the check is about the browse
            [check(False, "collection_browse")],
            "failed",
            "1 failed check",
        ),
        record(
            "t.py::test_answer_format[playlist_tracks_browse-accept-xml]",
            [check(True, "playlist_tracks_browse")],
        ),
    ]


def report_of(records: list[TestRecord], **kwargs) -> dict:
    return build_report(
        fake_run(),
        records,
        strict=False,
        baseline=kwargs.pop("baseline", None),
        catalogue=catalogue(),
        **kwargs,
    )


def test_a_failure_on_browse_counts_under_browse_only() -> None:
    report = report_of(xml_records())
    req = {r["id"]: r for r in report["requirements"]}[XML]
    assert req["verdict"] == "failed"  # the requirement's own verdict is unchanged
    assert req["by_operation"] == {
        "collection_add": "passed",
        "collection_delete": "not-tested",
        "playlist_create": "not-tested",
        "playlist_update": "not-tested",
        "playlist_delete": "not-tested",
        "collection_browse": "failed",
        "playlist_tracks_browse": "passed",
    }
    by_op = report["summary"]["by_operation"]
    assert [op for op, counts in by_op.items() if counts["failed"]] == ["collection_browse"]
    assert by_op["collection_delete"]["not-tested"] == 1 and by_op["collection_delete"]["passed"] == 0
    assert by_op["collection_add"]["passed"] == 1  # FMT-ACCEPT-XML; ADD-LIMIT-101 is not tested
    [failure] = req["failures"]
    assert failure["operation"] == "collection_browse"


def _md_table(md: str, op: str) -> str:
    return md.split(f"### {op}\n", 1)[1].split("###", 1)[0]


def test_markdown_and_html_tables_show_it_under_browse_only() -> None:
    report = report_of(xml_records())
    md = render_markdown(report)
    assert f"| failed | 1 | `{XML}` |" in _md_table(md, "collection_browse")
    for op in set(ALL) - {"collection_browse"}:
        assert "| failed |" not in _md_table(md, op), op
    assert f"| not-tested | 1 | `{XML}` |" in _md_table(md, "collection_delete")
    assert f"**`{XML}`** (MUST, failed on collection_browse)" in md

    html = render_html(report)
    failed_buttons = re.findall(r'data-set-operation="([a-z_]+)" data-set-verdict="failed"', html)
    assert failed_buttons == ["collection_browse"]
    assert "collection_browse=failed" in html and "collection_add=passed" in html


def test_a_test_that_fails_outside_its_checks_counts_where_its_checks_were() -> None:
    records = [
        record(
            "t.py::test_browse_then_crash",
            [check(True, "collection_browse", LIMIT)],
            "error",
            "KeyError: 'Items'",
        )
    ]
    records[0].requirements = [XML, LIMIT]
    req = {r["id"]: r for r in report_of(records)["requirements"]}[XML]
    assert req["verdict"] == "failed"
    assert [op for op, v in req["by_operation"].items() if v == "failed"] == ["collection_browse"]


def test_evidence_tied_to_no_operation_counts_under_all_of_them() -> None:
    """Old records (no operation) or a test that sent nothing: never hide the failure."""
    req = {
        r["id"]: r for r in report_of([record("t.py::x", [check(False, None)], "failed")])["requirements"]
    }[XML]
    assert set(req["by_operation"].values()) == {"failed"}


def test_a_read_back_check_counts_under_the_requirement_operations_the_test_judged() -> None:
    """A check made after a read-back browse is about the operation the requirement names."""
    recs = [
        TestRecord(
            "t.py::test_add_then_read_back",
            [LIMIT],
            "failed",
            checks=[CheckResult(LIMIT, False, "still listed", operation="collection_browse")],
        )
    ]
    req = {r["id"]: r for r in report_of(recs)["requirements"]}[LIMIT]
    assert req["by_operation"] == {"collection_add": "failed"}


def test_a_baselined_failure_is_expected_on_its_operation_only() -> None:
    report = report_of(xml_records(), baseline={XML: "our gateway answers browse in JSON"})
    req = {r["id"]: r for r in report["requirements"]}[XML]
    assert req["verdict"] == "expected-failure"
    assert req["by_operation"]["collection_browse"] == "expected-failure"
    assert req["by_operation"]["collection_add"] == "passed"


def test_reports_written_before_per_operation_verdicts_still_render() -> None:
    report = report_of(xml_records())
    for r in report["requirements"]:
        del r["by_operation"]
    old = {r["id"]: r for r in report["requirements"]}[XML]
    assert set(verdicts_by_operation(old).values()) == {"failed"}
    assert "### collection_browse" in render_markdown(report) and "<table" in render_html(report)


def test_verify_ties_each_check_to_the_request_sent_last() -> None:
    def sent(method: str, path: str) -> Exchange:
        return Exchange(method, f"http://gw.example/groove{path}?accept=xml", {}, None, 200, {}, "{}", 1.0)

    log: list[Exchange] = []
    checks: list[CheckResult] = []
    verify = Verify([XML], checks, level_of=lambda _: "MUST", transcript=log)
    verify.that(XML, True, "nothing sent yet")
    log.append(sent("POST", "/1/content/music/collection/add"))
    verify.that(XML, True, "after the add")
    log.append(sent("GET", "/1/content/music/collection/tracks/browse"))
    verify.that(XML, False, "after the browse")
    assert [c.operation for c in checks] == [None, "collection_add", "collection_browse"]
    assert operation_of(sent("GET", "/not/an/operation")) is None
