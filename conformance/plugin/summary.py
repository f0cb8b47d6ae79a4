"""The end of a run: records gathered, the report built and written, the summary, the exit status.

In the controller (or the only pytest process) every suite test's record is collected from its
teardown report (``RecordCollector``). At session finish the harness cleans up and stops; a
worker hands its output to the controller and is done; the controller builds the report through
``conformance.report``, whose verdict becomes the exit status: 0 when no requirement failed
(SHOULD failures are advisory unless strict), 1 otherwise, and ``EXIT_TARGET_UNAVAILABLE`` when
the target could not be used (nothing tested, no report). The terminal summary says what stayed
advisory, what cleanup did and where the report is.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from conformance import __version__
from conformance.catalogue import blocks
from conformance.plugin.items import level_of, load_requirements
from conformance.plugin.keys import harness_of
from conformance.plugin.session import now
from conformance.plugin.xdist import send_to_controller
from conformance.records import RunInfo, TestRecord

if TYPE_CHECKING:
    from conformance.plugin.session import Harness

# Exit status of a usage error: an option with a value that cannot be used, or a target that is
# unreachable, refuses the token or is not a Groove API. pytest's own code, so that a mistake of
# the user is never read as a verdict (1 means only "the server does not conform"): nothing was
# tested and no report is written. ``groove-conformance`` exits with it for its own usage errors.
EXIT_USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)
EXIT_TARGET_UNAVAILABLE = EXIT_USAGE_ERROR


class RecordCollector:
    """Gathers the records of suite tests (in the controller, from every worker's reports)."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "groove_record", None)
        if data is not None:
            self.harness.records.append(TestRecord.from_dict(data))
        elif report.failed and not getattr(report, "groove_suite", False):
            self.harness.non_suite_failures += 1


def read_baseline(path: Path) -> dict[str, str]:
    """``--baseline FILE``: the expected failures; a usage error when the file cannot be used."""
    try:
        from conformance.report import BaselineError, load_baseline
    except ImportError as exc:
        raise pytest.UsageError(f"--baseline needs conformance.report ({exc})") from None
    try:
        return load_baseline(path, known_ids=load_requirements().keys())
    except BaselineError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    harness = harness_of(config)
    harness.stop()
    if harness.is_worker:
        send_to_controller(config, harness.worker_output())
        return
    errors = [o["start_error"] for o in harness.worker_outputs if o.get("start_error")]
    if errors and not harness.start_error:
        harness.start_error = errors[0]
    if harness.start_error:
        session.exitstatus = EXIT_TARGET_UNAVAILABLE
        return
    if not harness.records:
        return
    _finish_report(session, harness)


def _finish_report(session: pytest.Session, harness: Harness) -> None:
    outs = harness.worker_outputs
    base_url = harness.base_url or next((o["base_url"] for o in outs if o.get("base_url")), "")
    caps = (
        harness.capabilities.to_dict()
        if harness.started
        else next((o["capabilities"] for o in outs if o.get("capabilities")), {})
    )
    run = RunInfo(
        tool_version=__version__,
        target=base_url,
        embedded=harness.embedded,
        profile=harness.settings.profile,
        options={**harness.settings.public(), "run_id": harness.run_id},
        started_at=harness.started_at,
        finished_at=now(),
        capabilities=caps,
    )
    try:
        from conformance import report as reports
    except ImportError as exc:
        harness.report_note = f"no report: conformance.report is not available ({exc})"
        return
    report = reports.build_report(
        run,
        harness.records,
        strict=harness.settings.strict,
        baseline=harness.baseline,
        catalogue=load_requirements(),
        secrets=harness.secrets,
        stopped=harness.stopped,
        selection=harness.settings.selection.line if harness.settings.selection else None,
    )
    harness.report = report
    if harness.settings.report_dir:
        reports.write_reports(report, harness.settings.report_dir)
    if harness.settings.har:
        _write_har(run, harness, harness.settings.har)
    # A run we stopped ends as pytest's "interrupted"; its verdict is the report's (1: not all ran).
    if harness.stopped or session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        verdict = reports.exit_status(report)
        session.exitstatus = max(verdict, 1 if harness.non_suite_failures else 0)


def _write_har(run: RunInfo, harness: Harness, path: Path) -> None:
    """``--har FILE``: every exchange of the run (all workers' records are here), redacted."""
    from conformance.report.har import har_from_records, render_har

    har = har_from_records(run, harness.records, secrets=harness.secrets)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_har(har), encoding="utf-8")
    harness.har_line = f"har: {path} ({len(har['log']['entries'])} exchanges)"


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    harness = harness_of(config)
    tr = terminalreporter
    if harness.start_error and harness.worker_outputs:
        # The workers' usage error, told once, where pytest tells its own: one line on stderr.
        sys.stderr.write(f"ERROR: {harness.start_error}\n")
        return
    if not harness.records:
        return
    tr.section("groove-conformance")
    advisory = _advisory(harness)
    if advisory:
        tr.write_line(
            f"advisory failures (SHOULD/MAY, not failing the run): {', '.join(advisory)}", yellow=True
        )
    cleanup_lines = (
        [harness.cleanup_result.line()]
        if harness.cleanup_result
        else [f"{o.get('worker')}: {o['cleanup']}" for o in harness.worker_outputs if o.get("cleanup")]
    )
    for line in cleanup_lines:
        tr.write_line(f"cleanup: {line}")
    left = (len(harness.cleanup_result.left) if harness.cleanup_result else 0) + sum(
        o.get("cleanup_left", 0) for o in harness.worker_outputs
    )
    if harness.cleanup_error:
        tr.write_line(f"cleanup failed: {harness.cleanup_error}", red=True)
    if left:
        journals = (
            [str(harness.registry.journal.path)]
            if harness.registry and harness.registry.journal
            else [o["journal"] for o in harness.worker_outputs if o.get("journal")]
        )
        hint = f" --journal {journals[0]}" if journals else ""
        tr.write_line(
            f"{left} item(s) created by this run are still on the target; remove them with "
            f"`groove-conformance cleanup{hint}`",
            yellow=True,
        )
    if harness.report is not None:
        tr.write_line(str(harness.report.get("overall", {}).get("line", "")))
    if harness.report_note:
        tr.write_line(harness.report_note)
    if harness.settings.report_dir and harness.report is not None:
        tr.write_line(f"report: {harness.settings.report_dir / 'report.html'}")
    if harness.har_line:
        tr.write_line(harness.har_line)


def _advisory(harness: Harness) -> list[str]:
    found: list[str] = []
    for rec in harness.records:
        for c in rec.checks:
            advisory = not c.passed and not blocks(level_of(c.requirement), harness.settings.strict)
            if advisory and c.requirement not in found:
                found.append(c.requirement)
    return found
