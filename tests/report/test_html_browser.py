"""report.html in a real headless browser: it renders, the filters work, the console stays clean.

Uses Debian's ``chromium`` (driven over the DevTools protocol on a pipe, see ``cdp.py``).  When it
is missing, the session installs it once (``apt-get``, as root); the test is skipped only when
installation is impossible, and never under CI (``CI`` set), where a skip would hide a missing
install step.  The screenshots stay in the test's temporary directory (``GROOVE_SCREENSHOT_DIR``
copies them elsewhere, for a person to look at).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conformance.report import build_report, write_reports

from .cdp import Browser
from .fakes import TOKENS, fake_catalogue, fake_records, fake_run

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def _find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _install_chromium() -> str:
    """apt-get install chromium, once for all workers (a file lock serialises them)."""
    lock_path = Path(tempfile.gettempdir()) / "groove-conformance-chromium-install.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = _find_chromium()
        if found:
            return found
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (
            ["apt-get", "update"],
            ["apt-get", "install", "-y", "chromium"],
        ):
            done = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(
                    f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()[-500:]}"
                )
    found = _find_chromium()
    if not found:
        raise RuntimeError("apt-get installed chromium but no chromium executable is on PATH")
    return found


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"headless browser test cannot run under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> str:
    found = _find_chromium()
    if found:
        return found
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("apt-get"):
        _unavailable(
            "chromium is not installed and cannot be installed here (needs root and apt-get): "
            "apt-get install chromium"
        )
    try:
        return _install_chromium()
    except RuntimeError as exc:
        _unavailable(f"chromium could not be installed: {exc}")
    raise AssertionError("unreachable")


@pytest.fixture
def browser(chromium: str, tmp_path: Path):
    b = Browser(chromium, tmp_path / "profile")
    try:
        b.open_page()
        yield b
    finally:
        b.close()


@pytest.fixture
def report_page(tmp_path: Path, browser: Browser) -> tuple[Browser, dict, Path]:
    report = build_report(
        fake_run(leaky=True),
        fake_records(leaky=True),
        strict=False,
        baseline={"BROWSE-MAXITEMS": "no browse endpoint on our gateway"},
        catalogue=fake_catalogue(),
        secrets=TOKENS,
    )
    out = tmp_path / "out"
    write_reports(report, out)
    browser.navigate((out / "report.html").as_uri())
    return browser, report, out


VISIBLE_ROWS = """[...document.querySelectorAll('#req-table tr.req')]
    .filter(r => r.getClientRects().length > 0).map(r => r.id.slice(4))"""


def _set_filter(b: Browser, select_id: str, value: str) -> list[str]:
    return b.evaluate(f"""(() => {{
        const s = document.getElementById({json.dumps(select_id)});
        s.value = {json.dumps(value)};
        s.dispatchEvent(new Event('change'));
        return {VISIBLE_ROWS};
    }})()""")


def _keep(path: Path) -> None:
    target = os.environ.get("GROOVE_SCREENSHOT_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def test_report_renders_filters_and_has_a_clean_console(report_page, tmp_path: Path) -> None:
    b, report, _ = report_page
    ids = [q["id"] for q in report["requirements"]]
    by_verdict = {
        v: sorted(q["id"] for q in report["requirements"] if q["verdict"] == v)
        for v in {q["verdict"] for q in report["requirements"]}
    }

    # It renders: title, overall verdict, every requirement visible before any filter.
    assert "FAILED" in b.evaluate("document.title")
    assert b.evaluate("document.getElementById('overall').dataset.verdict") == report["overall"]["verdict"]
    assert sorted(b.evaluate(VISIBLE_ROWS)) == sorted(ids)
    shot = b.screenshot(tmp_path / "report-top.png")
    _keep(shot)

    # The verdict filter shows exactly the requirements with that verdict.
    assert sorted(_set_filter(b, "filter-verdict", "failed")) == by_verdict["failed"]
    assert b.evaluate("document.getElementById('shown-count').textContent") == str(len(by_verdict["failed"]))
    assert sorted(_set_filter(b, "filter-verdict", "advisory-failed")) == by_verdict["advisory-failed"]
    # Level and operation filters combine with it.
    _set_filter(b, "filter-verdict", "")
    should = sorted(q["id"] for q in report["requirements"] if q["level"] == "SHOULD")
    assert sorted(_set_filter(b, "filter-level", "SHOULD")) == should
    _set_filter(b, "filter-level", "")
    create = sorted(q["id"] for q in report["requirements"] if "playlist_create" in q["operations"])
    assert sorted(_set_filter(b, "filter-operation", "playlist_create")) == create
    # A filter that matches nothing says so.
    assert _set_filter(b, "filter-verdict", "not-tested") == []
    assert b.evaluate("document.getElementById('no-match').getClientRects().length > 0")
    b.evaluate("document.getElementById('filter-reset').click()")
    assert sorted(b.evaluate(VISIBLE_ROWS)) == sorted(ids)

    # A count in the summary table filters the requirements table.
    shown = b.evaluate(f"""(() => {{
        document.querySelector('button[data-set-operation="collection_add"][data-set-verdict="failed"]').click();
        return {VISIBLE_ROWS};
    }})()""")
    assert shown == ["ADD-LIMIT-101"]
    b.evaluate("document.getElementById('filter-reset').click()")

    # A failure opens to expected vs actual, transcript and repro; hostile bodies stay text.
    b.evaluate("document.querySelector('#req-ADD-LIMIT-101 details.failure').open = true")
    failure_text = b.evaluate("document.querySelector('#req-ADD-LIMIT-101 details.failure').textContent")
    assert "Expected" in failure_text and "Actual" in failure_text and "curl" in failure_text
    assert '<script>alert("x")</script>' in failure_text
    assert b.evaluate("document.querySelectorAll('img').length") == 0
    assert b.evaluate("document.scripts.length") == 1
    b.evaluate("document.querySelector('#req-ADD-LIMIT-101').scrollIntoView()")
    _keep(b.screenshot(tmp_path / "report-failure.png"))

    assert b.console_problems() == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000  # a real rendering, not a blank page


LONG_NODEID = (
    "conformance/suite/test_content_negotiation.py::test_answer_format"
    "[playlist_tracks_browse-xml-body-content-type-param-json-with-a-very-long-parameter-id-"
    + "x" * 120
    + "]"
)


def _wide_failure_records() -> list:
    """A failure whose every part is one long unbreakable word: node ID, URL, body, actual value."""
    import dataclasses

    from conformance.records import CheckResult

    recs = fake_records(leaky=False)
    first = recs[0]
    long_url = first.exchanges[0].url + "&continuationToken=" + "c" * 400
    long_body = '{"TrackActionResults":[{"InputId":"' + "music." + "A" * 600 + '"}]}'
    exchange = dataclasses.replace(first.exchanges[0], url=long_url, response_body=long_body)
    recs[0] = dataclasses.replace(
        first,
        nodeid=LONG_NODEID,
        checks=[
            CheckResult("ADD-LIMIT-101", False, "status was 200, expected 400", "400", "200" + "9" * 500),
            *first.checks[1:],
        ],
        exchanges=[exchange],
    )
    return recs


def test_an_expanded_failure_fits_a_1280_px_window(browser: Browser, tmp_path: Path) -> None:
    """Long node IDs, URLs and bodies wrap: nothing of an open failure sits off-screen."""
    report = build_report(
        fake_run(), _wide_failure_records(), strict=False, baseline=None, catalogue=fake_catalogue()
    )
    out = tmp_path / "wide"
    write_reports(report, out)
    browser.navigate((out / "report.html").as_uri())
    assert browser.evaluate("window.innerWidth") == 1280
    browser.evaluate("""(() => {
        const d = document.querySelector('#req-ADD-LIMIT-101 details.failure');
        d.open = true;
        d.querySelector('summary').scrollIntoView();
    })()""")
    widths = browser.evaluate("""({
        scroll: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
        viewport: document.documentElement.clientWidth,
    })""")
    _keep(browser.screenshot(tmp_path / "report-wide-failure.png"))
    assert widths["scroll"] <= widths["viewport"] and widths["body"] <= widths["viewport"], widths
    boxes = browser.evaluate("""[...document.querySelectorAll(
            '#req-ADD-LIMIT-101 details.failure pre, #req-ADD-LIMIT-101 details.failure summary')]
        .map(e => { const r = e.getBoundingClientRect();
                    return {cls: e.className || e.tagName, left: r.left, right: r.right, width: r.width,
                            hidden: e.scrollWidth - e.clientWidth}; })""")
    kinds = {b["cls"] for b in boxes}
    assert {"repro", "transcript", "SUMMARY"} <= kinds, kinds  # the repro, the answer, the node ID
    viewport = widths["viewport"]
    # Inside the window, and wrapped: no box hides part of its text behind a horizontal scroll.
    off = [b for b in boxes if b["left"] < 0 or b["right"] > viewport or b["width"] <= 0 or b["hidden"] > 1]
    assert off == [], off
    assert browser.console_problems() == []
