"""Reading a report.json back (for ``report`` and ``compare``), with a clear error when it is not one."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


class ReportFileError(ValueError):
    """A file that is not a readable, valid report.json; the message says which and why."""


def load_report_file(path: str | Path) -> dict[str, Any]:
    """The report in ``path``, validated against ``schemas/report.json``."""
    from conformance.contract import validate

    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ReportFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportFileError(f"{path} is not JSON: {exc}") from None
    problems = validate("report", data)
    if problems:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        raise ReportFileError(f"{path} is not a groove-conformance report.json: {shown}")
    return data


def load_or_report(command: str, *paths: str | Path) -> list[dict[str, Any]] | None:
    """The reports in ``paths``, or None once the first unusable one is named on standard error as
    ``groove-conformance COMMAND: ...`` (the commands then exit 2 and write nothing)."""
    try:
        return [load_report_file(p) for p in paths]
    except ReportFileError as exc:
        print(f"groove-conformance {command}: {exc}", file=sys.stderr)
        return None
