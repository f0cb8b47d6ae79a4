"""``groove-conformance badge REPORT.json [--out FILE]``: an SVG badge of the run's MUST tally.

"groove-2016 MUST 130/130", green when no MUST requirement failed, red otherwise (``badge.py``).
Without ``--out`` the SVG goes to standard output.

Exit status: 0 on success; 2 when the input is not a valid report.json or the badge cannot be
written (nothing is written then).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMAND = "badge"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("report", type=Path, metavar="REPORT.json", help="a report.json written by a run")
    parser.add_argument(
        "--out", type=Path, metavar="FILE", help="write the SVG here (default: standard output)"
    )


def main(args: argparse.Namespace) -> int:
    from conformance.report.badge import render_badge
    from conformance.report.cli import write_outputs
    from conformance.report.reportfile import load_or_report

    loaded = load_or_report(COMMAND, args.report)
    if loaded is None:
        return 2
    svg = render_badge(loaded[0])
    if args.out is None:
        sys.stdout.write(svg)
        return 0
    return write_outputs(COMMAND, [(args.out, svg.encode("utf-8"))])
