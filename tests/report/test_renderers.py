"""report.md, junit.xml and report.html as files: content, structure, escaping, self-containment."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import defusedxml.ElementTree as SafeET
import pytest

from conformance.records import CheckResult, TestRecord
from conformance.report import build_report, write_reports
from conformance.report.html import render_html
from conformance.report.junit import render_junit
from conformance.report.markdown import md_escape, render_markdown

from .fakes import TOKENS, fake_catalogue, fake_records, fake_run

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def report() -> dict:
    return build_report(
        fake_run(),
        fake_records(),
        strict=False,
        baseline={"BROWSE-MAXITEMS": "no browse endpoint"},
        catalogue=fake_catalogue(),
        secrets=TOKENS,
    )


# --- Markdown ------------------------------------------------------------------------------------


def test_markdown_summary(report: dict) -> None:
    md = render_markdown(report)
    lines = md.splitlines()
    assert lines[0].startswith("## Groove conformance: ❌ FAILED: 2 requirements not met")
    for op in ("collection_add", "playlist_create", "collection_browse", "playlist_update", "general"):
        assert f"### {op}" in md
    failures = md.split("### Failures")[1].split("###")[0]
    assert "`ADD-LIMIT-101`" in failures and "`REORDER-END`" in failures
    assert "`ERR-CODE-UNDERSCORE`" not in failures
    advisory = md.split("### Advisory failures")[1]
    assert "`ERR-CODE-UNDERSCORE`" in advisory and "`PCRE-NAME-ASTRAL`" in advisory
    assert "| failed | 1 | `ADD-LIMIT-101` |" in md


def test_markdown_escapes_what_the_target_said() -> None:
    assert "<" not in md_escape(HOSTILE)
    assert md_escape("a | b\nc [link](http://x)") == "a \\| b c \\[link\\](http://x)"
    assert md_escape("x" * 300, 20).endswith("…")


# --- JUnit ---------------------------------------------------------------------------------------


def test_junit_has_one_case_per_requirement(report: dict) -> None:
    root = SafeET.fromstring(render_junit(report))
    cases = {c.get("name").split(":")[0]: c for c in root.iter("testcase")}
    # One case per judged requirement, plus one (skipped) per requirement of another profile.
    assert set(cases) == {q["id"] for q in report["requirements"]} | set(report["not_applicable"])
    suite = root.find("testsuite")
    assert suite.get("tests") == str(len(cases)) and suite.get("failures") == "2"

    def props(case):
        return {p.get("name"): p.get("value") for p in case.find("properties")}

    add = cases["ADD-LIMIT-101"]
    assert add.get("classname") == "collection_add"
    assert add.get("name") == "ADD-LIMIT-101: A batch of 101 track IDs is rejected with 400."
    assert props(add)["level"] == "MUST"
    assert props(add)["source"] == "seeds/000_49ef52240da7cdbc.txt § Add tracks"
    failure = add.find("failure")
    assert failure is not None and "expected: 400" in failure.text and "curl " in failure.text

    advisory = cases["ERR-CODE-UNDERSCORE"]
    assert advisory.find("failure") is None and advisory.find("skipped") is None
    assert props(advisory)["advisory-failure"] == "true"
    assert "ADVISORY FAILURE" in advisory.find("system-out").text

    assert cases["AUTH-MISSING"].find("skipped") is not None  # not-tested
    assert cases["AUTH-MISSING"].get("classname") == "general"
    xfail = cases["BROWSE-MAXITEMS"].find("skipped")  # baselined, and skipped in the first place
    assert xfail is not None
    assert cases["PCRE-NAME-256"].find("failure") is None and cases["PCRE-NAME-256"].find("skipped") is None


def test_junit_expected_failure_is_skipped_with_its_reason() -> None:
    report = build_report(
        fake_run(),
        fake_records(),
        strict=False,
        baseline={"ADD-LIMIT-101": "gateway 413"},
        catalogue=fake_catalogue(),
    )
    root = SafeET.fromstring(render_junit(report))
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("ADD-LIMIT-101"))
    assert case.find("failure") is None
    assert case.find("skipped").get("message") == "expected failure (baseline): gateway 413"


def test_junit_survives_hostile_bodies() -> None:
    report = build_report(
        fake_run(),
        fake_records(leaky=True),
        strict=False,
        baseline=None,
        catalogue=fake_catalogue(),
        secrets=TOKENS,
    )
    data = render_junit(report)
    assert b"\x00" not in data
    root = SafeET.fromstring(data)  # well-formed despite NUL, ]]> and markup in a body
    text = "".join(root.itertext())
    assert HOSTILE in text  # as text, escaped in the file
    assert HOSTILE.encode() not in data


# --- HTML ----------------------------------------------------------------------------------------


def test_html_is_self_contained_and_locked_down(report: dict) -> None:
    page = render_html(report)
    assert not re.search(r"<(link|img|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"<[^>]*\s(src|href)\s*=", page, re.I)
    assert "@import" not in page and "url(" not in page
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # the page's one script is the only one allowed to run


def test_html_escapes_hostile_content() -> None:
    report = build_report(
        fake_run(),
        fake_records(leaky=True),
        strict=False,
        baseline=None,
        catalogue=fake_catalogue(),
        secrets=TOKENS,
    )
    page = render_html(report)
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "\x00" not in page


def test_html_shows_every_requirement_with_filters(report: dict) -> None:
    page = render_html(report)
    rows = re.findall(r'<tr class="req" id="req-([A-Z0-9-]+)" data-verdict="([a-z-]+)"', page)
    assert {rid: v for rid, v in rows} == {q["id"]: q["verdict"] for q in report["requirements"]}
    assert [v for _, v in rows].index("failed") == 0  # worst first
    for select in ("filter-verdict", "filter-level", "filter-operation"):
        assert f'id="{select}"' in page
    assert page.count('<details class="failure') == sum(len(q["failures"]) for q in report["requirements"])


def test_write_reports_creates_the_directory(tmp_path: Path, report: dict) -> None:
    target = tmp_path / "a" / "b"
    write_reports(report, target)
    assert (target / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert (target / "junit.xml").read_bytes().startswith(b"<?xml")


# --- not applicable, and markers that check nothing ------------------------------------------------


@pytest.fixture
def unchecked_report() -> dict:
    """A groove-2016 run: a test names AUTH-XBL (not applicable) and PCRE-NAME-256 (never checked)."""
    rec = TestRecord(
        "t.py::test_both",
        ["ADD-LIMIT-101", "PCRE-NAME-256", "AUTH-XBL"],
        "passed",
        0.1,
        checks=[CheckResult("ADD-LIMIT-101", True, "400")],
    )
    return build_report(fake_run(), [rec], strict=False, baseline=None, catalogue=fake_catalogue())


def test_not_applicable_in_every_renderer(unchecked_report: dict) -> None:
    assert unchecked_report["not_applicable"] == ["AUTH-XBL"]
    page = render_html(unchecked_report)
    assert 'id="req-AUTH-XBL"' not in page  # not a judged row, not in the filters' counts
    section = page.split('id="not-applicable"')[1]
    assert "<code>AUTH-XBL</code>" in section.split("</ul>")[0]
    assert "not applicable to profile <code>groove-2016</code>" in page  # header line
    assert "another profile (dialect)" in page  # legend
    md = render_markdown(unchecked_report)
    assert "Not applicable to profile `groove-2016`" in md and "`AUTH-XBL`" in md
    assert "AUTH-XBL" not in md.split("Not applicable")[0]  # in no verdict table
    root = SafeET.fromstring(render_junit(unchecked_report))
    [case] = [c for c in root.iter("testcase") if c.get("name").startswith("AUTH-XBL")]
    assert case.get("classname") == "not-applicable"
    assert case.find("failure") is None and "not applicable" in case.find("skipped").get("message")
    assert {p.get("name"): p.get("value") for p in case.find("properties")}["verdict"] == "not-applicable"


def test_a_marker_that_checks_nothing_is_visible_in_every_renderer(unchecked_report: dict) -> None:
    q = {q["id"]: q for q in unchecked_report["requirements"]}["PCRE-NAME-256"]
    assert q["verdict"] == "not-tested" and q["note"] == "named by 1 test, none checked it"
    page = render_html(unchecked_report)
    row = page.split('id="req-PCRE-NAME-256"')[1].split('<tr class="req"')[0]
    assert "Note: named by 1 test, none checked it." in row
    assert "<code>t.py::test_both</code> — passed, no check of it" in row
    md = render_markdown(unchecked_report)
    assert "- `PCRE-NAME-256` (MUST): named by 1 test, none checked it" in md
    root = SafeET.fromstring(render_junit(unchecked_report))
    [case] = [c for c in root.iter("testcase") if c.get("name").startswith("PCRE-NAME-256")]
    assert case.find("skipped").get("message") == "named by 1 test, none checked it"


def test_a_report_written_before_notes_existed_still_renders(report: dict) -> None:
    old = dict(
        report, requirements=[{k: v for k, v in q.items() if k != "note"} for q in report["requirements"]]
    )
    from conformance.contract import validate

    assert validate("report", old) == []
    assert render_html(old) and render_markdown(old) and render_junit(old)
