"""matrix.html in headless Chromium (the harness of test_html_browser.py): it renders, fits a
1280 px window, its cells count right, and a verdict opens that requirement in its run's report."""

from __future__ import annotations

import json
from pathlib import Path

from conformance.cli import main
from conformance.report.verdicts import NOT_APPLICABLE

from .cdp import Browser
from .test_html_browser import _keep, browser, chromium  # noqa: F401 - the session's browser fixtures
from .test_matrix import PUBLISHED, REPO, two_runs

CELLS = """(() => {
    const cols = document.querySelectorAll('#matrix thead th.impl').length;
    const out = [];
    for (let i = 0; i < cols; i++) {
        const counts = {};
        for (const td of document.querySelectorAll(`#matrix td.cell[data-column="${i}"]`)) {
            if (td.getClientRects().length === 0) continue;
            counts[td.dataset.verdict] = (counts[td.dataset.verdict] || 0) + 1;
        }
        const tally = {};
        for (const td of document.querySelectorAll(`#matrix tr.tally td[data-column="${i}"]`)) {
            tally[td.closest('tr').dataset.level] = [+td.dataset.met, +td.dataset.judged];
        }
        out.push({counts, tally});
    }
    return {rows: document.querySelectorAll('#matrix tr.req').length, columns: out};
})()"""

WIDTHS = """({scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth,
             viewport: document.documentElement.clientWidth})"""


def _check_page(b: Browser, reports: list[dict]) -> None:
    """What every matrix page must show: one row per requirement, the report's counts per column."""
    assert b.evaluate("window.innerWidth") == 1280
    widths = b.evaluate(WIDTHS)
    assert widths["scroll"] <= widths["viewport"] and widths["body"] <= widths["viewport"], widths
    seen = b.evaluate(CELLS)
    assert len(seen["columns"]) == len(reports)
    for report, col in zip(reports, seen["columns"], strict=True):
        assert seen["rows"] == len(report["requirements"]) + len(report["not_applicable"])
        expected = {v: n for v, n in report["summary"]["by_verdict"].items() if n}
        if report["not_applicable"]:
            expected[NOT_APPLICABLE] = len(report["not_applicable"])
        assert col["counts"] == expected
        for level, counts in report["summary"]["by_level"].items():
            assert col["tally"][level] == [counts["passed"], sum(counts.values())]
    assert b.console_problems() == []


def test_matrix_renders_counts_and_links(browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    paths = two_runs(tmp_path / "runs")
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    out = tmp_path / "matrix.html"
    assert main(["matrix", *map(str, paths), "--html", str(out)]) == 0
    browser.navigate(out.as_uri())
    _check_page(browser, reports)
    _keep(browser.screenshot(tmp_path / "matrix-fake.png"))
    # A failed verdict links to that requirement's row in its own run's report.html.
    href = browser.evaluate(
        """document.querySelector('#req-ADD-LIMIT-101 td.cell[data-column="0"] a').href"""
    )
    browser.navigate(href)
    assert browser.evaluate("location.hash") == "#req-ADD-LIMIT-101"
    assert browser.evaluate("document.getElementById('req-ADD-LIMIT-101').dataset.verdict") == "failed"
    assert browser.evaluate("location.pathname").endswith("/runs/groove-2016/report.html")


def test_many_implementations_scroll_inside_the_table_not_the_page(
    browser: Browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    paths = two_runs(tmp_path / "runs") * 5
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    out = tmp_path / "wide.html"
    names = [f"--name=implementation number {i} with a long name" for i in range(len(paths))]
    assert main(["matrix", *map(str, paths), "--html", str(out), *names]) == 0
    browser.navigate(out.as_uri())
    _check_page(browser, reports)
    _keep(browser.screenshot(tmp_path / "matrix-ten-columns.png"))


def test_the_published_matrix(browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in PUBLISHED]
    browser.navigate((REPO / "reports" / "matrix.html").as_uri())
    _check_page(browser, reports)
    _keep(browser.screenshot(tmp_path / "matrix-published-top.png"))
    browser.evaluate("document.querySelector('#matrix tbody.tally').scrollIntoView()")
    _keep(browser.screenshot(tmp_path / "matrix-published-tally.png"))
    browser.evaluate("document.getElementById('req-AUTH-XBL').scrollIntoView()")
    _keep(browser.screenshot(tmp_path / "matrix-published-not-applicable.png"))
    _keep(browser.screenshot(tmp_path / "matrix-published-full.png", full_page=True))
