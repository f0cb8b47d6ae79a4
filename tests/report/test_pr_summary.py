"""summary.md (conformance/report/pr_summary.py): failures first with their quote, passed collapsed,
GitHub's 1 MiB step-summary limit kept."""

from __future__ import annotations

import copy
from pathlib import Path

from conformance.cli import main
from conformance.report import build_report, write_reports
from conformance.report.markdown import render_markdown
from conformance.report.pr_summary import STEP_SUMMARY_LIMIT, TRUNCATED, render_summary

from .fakes import TOKENS, fake_catalogue, fake_records, fake_run


def _report(leaky: bool = False) -> dict:
    return build_report(
        fake_run(leaky=leaky),
        fake_records(leaky=leaky),
        strict=False,
        baseline={"BROWSE-MAXITEMS": "no browse endpoint on our gateway"},
        catalogue=fake_catalogue(),
        secrets=TOKENS,
    )


def test_failures_come_first_then_advisory_then_passed_collapsed() -> None:
    text = render_summary(_report())
    failures = text.index("### ❌ Failures")
    advisory = text.index("### ⚠️ Advisory failures")
    details = text.index("<summary>✅ Passed")
    assert text.startswith("## Groove conformance: ❌ FAILED")
    assert failures < advisory < details
    # The failed MUST requirement, with its message and the source quote it rests on.
    block = text[failures:advisory]
    assert "`ADD-LIMIT-101`" in block and "status was 200, expected 400" in block
    assert "> quote for ADD-LIMIT-101" in block and "seeds/000_49ef52240da7cdbc.txt" in block
    assert "`ERR-CODE-UNDERSCORE`" in text[advisory:details]
    # Passed requirements only inside the <details> block, which is closed.
    passed = text[details : text.index("</details>", details)]
    assert "`PCRE-NAME-256`" in passed and "`ERR-ENVELOPE`" not in text[:details].split("Failures")[0]
    assert text.count("<details>") == text.count("</details>")
    assert "`AUTH-XBL`" in text  # not applicable, named


def test_a_passing_run_says_no_requirement_failed() -> None:
    report = copy.deepcopy(_report())
    report["requirements"] = [r for r in report["requirements"] if r["verdict"] == "passed"]
    report["overall"]["verdict"] = "passed"
    text = render_summary(report)
    assert "No requirement failed." in text and "Failures" not in text


def test_hostile_text_stays_inert_and_tokens_are_absent() -> None:
    report = copy.deepcopy(_report(leaky=True))
    req = next(r for r in report["requirements"] if r["id"] == "ADD-LIMIT-101")
    req["failures"][0]["message"] = "<img src=x onerror=alert(1)> [link](http://evil) | break"
    text = render_summary(report)
    assert "<img" not in text and "&lt;img" in text
    assert "\\[link\\](http://evil) \\| break" in text  # no link, no table break
    for token in TOKENS:
        assert token not in text


def test_the_summary_fits_githubs_step_summary_limit() -> None:
    report = copy.deepcopy(_report())
    template = next(r for r in report["requirements"] if r["verdict"] == "passed")
    for i in range(12_000):  # about 2 MiB of passed requirements
        extra = copy.deepcopy(template)
        extra["id"] = f"PCRE-BULK-{i}"
        extra["statement"] = "x " * 80
        report["requirements"].append(extra)
    full = "\n".join(render_summary(report, limit=10**9).splitlines())
    assert len(full.encode()) > STEP_SUMMARY_LIMIT
    text = render_summary(report)
    assert len(text.encode("utf-8")) <= STEP_SUMMARY_LIMIT
    assert text.rstrip().endswith(TRUNCATED)
    assert text.count("<details>") == text.count("</details>")  # the cut block is closed
    assert text.index("### ❌ Failures") < text.index(TRUNCATED)  # what matters survived the cut


def test_a_small_limit_is_kept_to_the_byte() -> None:
    report = _report()
    size = len(render_summary(report).encode("utf-8"))
    for limit in (600, 1000, size - 1):
        text = render_summary(report, limit=limit)
        assert len(text.encode("utf-8")) <= limit and TRUNCATED in text


def test_report_command_writes_the_summary_and_leaves_report_md_alone(tmp_path: Path) -> None:
    report = _report()
    write_reports(report, tmp_path)
    before = (tmp_path / "report.md").read_bytes()
    assert main(["report", str(tmp_path / "report.json"), "--summary", str(tmp_path / "summary.md")]) == 0
    assert (tmp_path / "summary.md").read_text(encoding="utf-8") == render_summary(report)
    assert (tmp_path / "report.md").read_bytes() == before == render_markdown(report).encode()
    # An output directory that does not exist: exit 2, nothing written (the report command's rule).
    missing = tmp_path / "nope" / "summary.md"
    args = [
        "report",
        str(tmp_path / "report.json"),
        "--summary",
        str(missing),
        "--md",
        str(tmp_path / "x.md"),
    ]
    assert main(args) == 2
    assert not missing.exists() and not (tmp_path / "x.md").exists()
