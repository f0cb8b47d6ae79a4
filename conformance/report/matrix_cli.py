"""``groove-conformance matrix REPORT.json... --html OUT [--name NAME | --name NAME=REPORT.json]...``.

One page with the given runs side by side (``matrix.py``).  A column is named from its report
(the target's host, or "reference emulator") unless ``--name`` names it: ``--name NAME`` names
the reports in the order given (the first plain ``--name`` the first report not named by path,
and so on), ``--name NAME=REPORT.json`` names the report given as that path.

Exit status: 0 on success; 2 when an input is not a valid report.json, a ``--name`` matches no
report (or there are more names than reports), or the page cannot be written: nothing is
written then.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

COMMAND = "matrix"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "reports", type=Path, nargs="+", metavar="REPORT.json", help="report.json files, one per column"
    )
    parser.add_argument("--html", type=Path, metavar="FILE", required=True, help="write the matrix page here")
    parser.add_argument(
        "--name",
        action="append",
        default=[],
        metavar="NAME[=REPORT.json]",
        help="name a column (repeatable): in report order, or NAME=path for the report given as path",
    )


class ColumnNameError(ValueError):
    """A --name that names no report."""


def column_names(reports: list[Path], names: list[str]) -> list[str | None]:
    """The --name given to each report (None: named from its metadata)."""
    given: list[str | None] = [None] * len(reports)
    as_given = {str(p): i for i, p in enumerate(reports)}
    resolved = {p.resolve(): i for i, p in enumerate(reports)}
    plain: list[str] = []
    for value in names:
        name, sep, path = value.rpartition("=")
        index = None
        if sep and name:
            index = as_given.get(path, resolved.get(Path(path).resolve()))
        if index is None:
            plain.append(value)
        elif given[index] is not None:
            raise ColumnNameError(f"--name {value}: {path} is already named {given[index]!r}")
        else:
            given[index] = name
    free = [i for i, g in enumerate(given) if g is None]
    if len(plain) > len(free):
        raise ColumnNameError(
            f"{len(plain)} --name value(s) in report order ({', '.join(map(repr, plain))}) "
            f"for {len(free)} report(s) not named by path"
        )
    for i, name in zip(free, plain, strict=False):
        given[i] = name
    return given


def main(args: argparse.Namespace) -> int:
    from conformance.report.cli import write_outputs
    from conformance.report.matrix import Column, default_name, html_href, render_matrix
    from conformance.report.reportfile import ReportFileError, load_report_file

    try:
        loaded = [load_report_file(p) for p in args.reports]
        names = column_names(list(args.reports), list(args.name))
    except (ReportFileError, ColumnNameError) as exc:
        print(f"groove-conformance {COMMAND}: {exc}", file=sys.stderr)
        return 2
    columns = [
        Column(name or default_name(report), report, html_href(path, args.html))
        for path, report, name in zip(args.reports, loaded, names, strict=True)
    ]
    return write_outputs(COMMAND, [(args.html, render_matrix(columns).encode("utf-8"))])
