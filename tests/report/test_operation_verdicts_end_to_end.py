"""Per-operation verdicts from a real run: a fault seen on browse only shows as a failure under
the browse operations, in report.json, report.md and report.html, and under no edit operation.

The suite runs in a subprocess against the reference emulator with ``trackcount-stale`` on (a
playlist's TrackCount stays what it was at create). The requirement it breaks,
BROWSE-TRACKCOUNT-LIVE, lists playlist_create and playlist_update as well as both browses, and its
checks are made on what browse answers; the content-negotiation tests judge FMT-* requirements of
all seven operations, which pass. Before per-operation verdicts, the failure stood under create
and update as well.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conformance.emulator import EmulatorConfig, start_in_thread

from .suite_run import run_suite

USER = "opverdict-user-3c1d"
OTHER = "opverdict-other-8e2f"
FAULT = "trackcount-stale"
BROKEN = "BROWSE-TRACKCOUNT-LIVE"
BROWSES = {"collection_browse", "playlist_tracks_browse"}


def test_a_browse_only_fault_fails_under_browse_only(tmp_path: Path) -> None:
    emu = start_in_thread(EmulatorConfig(users={"alice": USER, "bob": OTHER}, fault=FAULT))
    out = tmp_path / "report"
    try:
        proc = run_suite(
            ["--target", emu.url, "--report-dir", str(out), "-k", "test_browse or test_content_negotiation"],
            tmp_path,
            GROOVE_USER_TOKEN=USER,
            GROOVE_OTHER_USER_TOKEN=OTHER,
            GROOVE_STATE_DIR=str(tmp_path / "state"),
        )
    finally:
        emu.stop()
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]  # the fault is caught
    report = json.loads((out / "report.json").read_text())
    reqs = {r["id"]: r for r in report["requirements"]}
    failed = sorted(rid for rid, r in reqs.items() if r["verdict"] == "failed")
    assert failed == [BROKEN], failed
    on = reqs[BROKEN]["by_operation"]
    assert set(on) == {"playlist_create", "playlist_update", *BROWSES}
    failing = {op for op, v in on.items() if v == "failed"}
    assert failing and failing <= BROWSES, on
    # Requirements of all seven operations were judged on edits too, and passed there.
    fmt = reqs["FMT-ACCEPT-XML"]["by_operation"]
    assert len(fmt) == 7 and set(fmt.values()) == {"passed"}, fmt

    by_op = report["summary"]["by_operation"]
    assert {op for op, c in by_op.items() if c["failed"]} == failing
    md = (out / "report.md").read_text()
    tables = dict(re.findall(r"### ([a-z_]+)\n\n(.*?)(?=\n###|\Z)", md, re.S))
    assert set(tables) >= set(by_op), sorted(tables)
    assert {op for op, table in tables.items() if "| failed |" in table} == failing
    for op in failing:
        assert f"| failed | 1 | `{BROKEN}` |" in tables[op]
    html = (out / "report.html").read_text()
    assert set(re.findall(r'data-set-operation="([a-z_]+)" data-set-verdict="failed"', html)) == failing
    # For the record (pytest -s): the per-operation tables of this report.
    print("\n".join(f"### {op}\n\n{tables[op]}" for op in by_op))
