"""``groove-conformance run``: the suite through pytest, then a one-screen summary.

It is a thin wrapper: the same options as the pytest plugin (declared once, in
``conformance.plugin.options``; only ``--conformance-strict`` is spelt ``--strict`` here), passed on to
``pytest --pyargs conformance.suite`` in this process, so that a run from the CLI and a run from
pytest are the same run.  Credentials given as options are handed to the plugin through the
environment of this process (``GROOVE_*``), never as pytest arguments, so they cannot show up in
pytest's own bookkeeping.  A report is always written (``--report-dir``, ``GROOVE_REPORT_DIR``
or the project's config file, else ``DEFAULT_REPORT_DIR``: the plugin resolves it, the runner
only names the fall-back), and the summary is read back from its ``report.json``: the verdicts
are computed once, by ``conformance.report``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import pytest

from conformance.plugin.options import FALLBACK_REPORT_DIR_KEY, OPTION_BY_FLAG, OPTIONS

DEFAULT_REPORT_DIR = Path("conformance-report")
REPORT_DIR = OPTION_BY_FLAG["--report-dir"]  # always passed on: the run always writes a report
# runner option -> environment variable, for the credentials (never on pytest's command line)
SECRET_OPTIONS = tuple((o.cli_dest, o.env) for o in OPTIONS if o.secret)
# runner option -> pytest option, for the options with a value that are not credentials
PLAIN_OPTIONS = tuple(
    (o.cli_dest, o.flag) for o in OPTIONS if o.takes_value and not o.secret and o is not REPORT_DIR
)
# runner flag -> pytest flag
FLAG_OPTIONS = tuple((o.cli_dest, o.flag) for o in OPTIONS if not o.takes_value)
VERDICT_COLUMNS = (
    ("failed", "failed"),
    ("expected-failure", "expected"),
    ("advisory-failed", "advisory"),
    ("passed", "passed"),
    ("skipped", "skipped"),
    ("not-tested", "not tested"),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run the conformance suite (pytest --pyargs conformance.suite) against --target, or against the "
        "embedded reference emulator, write a report and print a summary. Every option may also come "
        "from the environment (GROOVE_TARGET, GROOVE_USER_TOKEN, ...); prefer it for tokens."
    )
    for o in OPTIONS:  # the plugin's options, as conformance.plugin.options declares them
        kwargs: dict[str, Any] = {"help": o.help_text()}
        if not o.takes_value:
            kwargs["action"] = "store_true"
        elif o.repeat:
            kwargs["action"] = "append"
            kwargs["metavar"] = o.metavar
        elif o.choices:
            kwargs["choices"] = o.choices
        else:
            kwargs["metavar"] = o.metavar
        if o is REPORT_DIR:
            kwargs["type"] = Path
            kwargs["help"] += f"; default ./{DEFAULT_REPORT_DIR}"
        parser.add_argument(o.cli_flag, **kwargs)
    parser.add_argument(
        "pytest_args",
        nargs="*",
        metavar="-- PYTEST-ARGS",
        help="anything after -- goes to pytest as is (e.g. -- -n 2 -k auth)",
    )


def pytest_arguments(args: argparse.Namespace, report_dir: Path | None) -> list[str]:
    """The pytest command line for ``args`` (no credential in it).

    Every value is joined to its option (``--catalog=FILE``): pytest settles its rootdir from the
    command line before it knows the plugin's options, and takes a separate value that is an
    existing path for a test path (pytest issue 8846; the plugin repairs that, but need not here).
    ``report_dir`` None: the plugin takes it from the environment or the config file.
    """
    argv = ["--pyargs", "conformance.suite", "-p", "no:cacheprovider"]
    if report_dir is not None:
        argv.append(f"--report-dir={report_dir}")
    # The CLI has imported httpx/anyio before pytest starts; pytest would warn that it cannot
    # rewrite the asserts of those plugins, which concerns nobody here.
    argv += ["-W", "ignore::pytest.PytestAssertRewriteWarning"]
    for attr, flag in PLAIN_OPTIONS:
        value = getattr(args, attr, None)
        for one in value if isinstance(value, list) else [value] if value else []:
            argv.append(f"{flag}={one}")
    for attr, flag in FLAG_OPTIONS:
        if getattr(args, attr, False):
            argv.append(flag)
    extra = list(getattr(args, "pytest_args", None) or [])
    if extra and extra[0] == "--":
        extra = extra[1:]
    if not any(a.startswith("-v") or a in ("--verbose", "-q", "--quiet") for a in extra):
        argv.append("-q")
    return argv + extra


@contextmanager
def _credentials_in_environment(args: argparse.Namespace) -> Iterator[None]:
    saved = {var: os.environ.get(var) for _, var in SECRET_OPTIONS}
    try:
        for attr, var in SECRET_OPTIONS:
            value = getattr(args, attr, None)
            if value:
                os.environ[var] = value
        yield
    finally:
        for var, old in saved.items():
            if old is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = old


class _ReportDir:
    """A pytest plugin object: names the fall-back report directory, and learns the one used."""

    def __init__(self) -> None:
        self.used: Path | None = None

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        # Before the conformance plugin's pytest_configure resolves its Settings.
        config.stash[FALLBACK_REPORT_DIR_KEY] = DEFAULT_REPORT_DIR

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        from conformance.plugin import harness_of

        self.used = harness_of(session.config).settings.report_dir


def main(args: argparse.Namespace) -> int:
    report_dir = _ReportDir()
    started = time.time()
    with _credentials_in_environment(args):
        status = int(pytest.main(pytest_arguments(args, args.report_dir), plugins=[report_dir]))
    sys.stdout.flush()
    used = report_dir.used or Path(args.report_dir or os.environ.get(REPORT_DIR.env) or DEFAULT_REPORT_DIR)
    report = _fresh_report(used / "report.json", started)
    if report is not None:
        print_summary(report, used)
    elif status not in (0, 1):
        print(f"groove-conformance: no report (pytest exit status {status}); see the lines above")
    return status


def _fresh_report(path: Path, since: float) -> dict[str, Any] | None:
    """The report this run wrote (not one left by an earlier run)."""
    try:
        if path.stat().st_mtime + 1 < since:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def print_summary(report: Mapping[str, Any], report_dir: Path, out: TextIO | None = None) -> None:
    """Requirements per level and per operation, the overall verdict, and where the report is."""
    out = out or sys.stdout
    summary = report.get("summary", {})
    width = max([len(k) for k in summary.get("by_operation", {})] + [20]) + 4
    header = "requirements".ljust(width) + "".join(f"{title:>11}" for _, title in VERDICT_COLUMNS)
    lines = ["", f"groove-conformance: {report.get('target')} ({report.get('profile')})", header]

    def row(name: str, counts: Mapping[str, int]) -> str:
        return f"  {name}".ljust(width) + "".join(f"{counts.get(v, 0):>11}" for v, _ in VERDICT_COLUMNS)

    for level, counts in summary.get("by_level", {}).items():
        lines.append(row(level, counts))
    lines.append(row("all", summary.get("by_verdict", {})))
    lines.append("by operation")
    for op, counts in summary.get("by_operation", {}).items():
        lines.append(row(op, counts))
    tests = summary.get("tests", {})
    lines.append(
        f"tests: {tests.get('total', 0)} ({tests.get('passed', 0)} passed, {tests.get('failed', 0)} failed, "
        f"{tests.get('skipped', 0)} skipped, {tests.get('error', 0)} errors)"
    )
    lines.append(str(report.get("overall", {}).get("line", "")))
    lines.append(f"report: {report_dir / 'report.html'} (report.json, report.md, junit.xml beside it)")
    print("\n".join(lines), file=out)
