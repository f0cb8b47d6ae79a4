"""``groove-conformance report report.json --html out.html [--md out.md] [--junit out.xml]``.

Re-renders a published report.json (for instance with a newer template) without re-running the
suite.  With no output option, the Markdown summary goes to standard output.

Exit status: 0 on success; 2 when the input is not a valid report.json or an output cannot be
written (nothing is written then).  The conformance verdict is not the exit status here: this
command renders, it does not judge.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", type=Path, help="a report.json written by a run")
    parser.add_argument("--html", type=Path, metavar="FILE", help="write the self-contained HTML report here")
    parser.add_argument("--md", type=Path, metavar="FILE", help="write the Markdown summary here")
    parser.add_argument(
        "--junit", type=Path, metavar="FILE", help="write JUnit XML (a test case per requirement)"
    )


def main(args: argparse.Namespace) -> int:
    from conformance.report.html import render_html
    from conformance.report.junit import render_junit
    from conformance.report.markdown import render_markdown
    from conformance.report.reportfile import ReportFileError, load_report_file

    try:
        report = load_report_file(args.report)
    except ReportFileError as exc:
        print(f"groove-conformance report: {exc}", file=sys.stderr)
        return 2
    outputs: list[tuple[Path, bytes]] = []
    if args.html:
        outputs.append((args.html, render_html(report).encode("utf-8")))
    if args.md:
        outputs.append((args.md, render_markdown(report).encode("utf-8")))
    if args.junit:
        outputs.append((args.junit, render_junit(report)))
    if not outputs:
        sys.stdout.write(render_markdown(report))
        return 0
    for path, _ in outputs:  # check every destination before writing any, so a typo changes nothing
        if not path.parent.is_dir():
            print(f"groove-conformance report: directory {path.parent} does not exist", file=sys.stderr)
            return 2
    for path, data in outputs:
        try:
            path.write_bytes(data)
        except OSError as exc:
            print(f"groove-conformance report: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"wrote {path}")
    return 0
