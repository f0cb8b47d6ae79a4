"""``groove-conformance report report.json --html out.html [--md out.md] [--junit out.xml]
[--summary summary.md] [--har failures.har]``.

Re-renders a published report.json (for instance with a newer template) without re-running the
suite.  With no output option, the Markdown summary goes to standard output.  ``--summary`` is
the pull-request / ``$GITHUB_STEP_SUMMARY`` Markdown (``pr_summary.py``); ``--har`` is a HAR 1.2
file of the exchanges the report keeps, those of failed checks and tests (``har.py``).

Exit status: 0 on success; 2 when the input is not a valid report.json or an output cannot be
written (nothing is written then).  The conformance verdict is not the exit status here: this
command renders, it does not judge.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", type=Path, help="a report.json written by a run")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the self-contained HTML report here")
    parser.add_argument("--md", type=Path, metavar="FILE", help="write the Markdown summary here")
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", help="write JUnit XML (a test case per requirement)"
    )
    parser.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="write the pull-request Markdown (failures first, passed collapsed; fits $GITHUB_STEP_SUMMARY)",
    )
    parser.add_argument(
        "--har", type=Path, metavar="FILE", help="write a HAR 1.2 file of the failures' exchanges"
    )


def write_outputs(command: str, outputs: Sequence[tuple[Path, bytes]]) -> int:
    """Write every output, or none when a destination directory is missing: the exit status.

    Every destination is checked before any is written, so a typo changes nothing (2).
    """
    for path, _ in outputs:
        if not path.parent.is_dir():
            print(f"groove-conformance {command}: directory {path.parent} does not exist", file=sys.stderr)
            return 2
    for path, data in outputs:
        try:
            path.write_bytes(data)
        except OSError as exc:
            print(
                f"groove-conformance {command}: cannot write {path}: {exc.strerror or exc}", file=sys.stderr
            )
            return 2
        print(f"wrote {path}")
    return 0


def main(args: argparse.Namespace) -> int:
    from conformance.report.har import har_from_report, render_har
    from conformance.report.html import render_html
    from conformance.report.junit import render_junit
    from conformance.report.markdown import render_markdown
    from conformance.report.pr_summary import render_summary
    from conformance.report.reportfile import load_or_report

    loaded = load_or_report("report", args.report)
    if loaded is None:
        return 2
    (report,) = loaded
    outputs: list[tuple[Path, bytes]] = []
    if args.html:
        outputs.append((args.html, render_html(report).encode("utf-8")))
    if args.md:
        outputs.append((args.md, render_markdown(report).encode("utf-8")))
    if args.junit:
        outputs.append((args.junit, render_junit(report)))
    if args.summary:
        outputs.append((args.summary, render_summary(report).encode("utf-8")))
    if args.har:
        outputs.append((args.har, render_har(har_from_report(report)).encode("utf-8")))
    if not outputs:
        sys.stdout.write(render_markdown(report))
        return 0
    return write_outputs("report", outputs)
