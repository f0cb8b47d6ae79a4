"""``groove-conformance compare old.json new.json``: what changed between two runs.

Prints regressions first (a requirement whose verdict got worse: passed -> failed, passed ->
advisory-failed, advisory-failed -> failed), then fixes, then other changes (to or from skipped
or not-tested, baseline moves, requirements added or removed); see ``compare.py``.

Exit status: 0 when there is no regression, 1 when there is at least one (so a CI job can gate on
"no worse than last time"), 2 when an input is not a valid report.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", type=Path, help="report.json of the earlier run")
    parser.add_argument("new", type=Path, help="report.json of the later run")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON instead of text")


def main(args: argparse.Namespace) -> int:
    from conformance.report.compare import compare, render_text
    from conformance.report.reportfile import load_or_report

    loaded = load_or_report("compare", args.old, args.new)
    if loaded is None:
        return 2
    old, new = loaded
    result = compare(old, new)
    if args.json:
        sys.stdout.write(json.dumps(dataclasses.asdict(result), indent=2) + "\n")
    else:
        sys.stdout.write(render_text(result, str(args.old), str(args.new)))
    return 1 if result.regressions else 0
