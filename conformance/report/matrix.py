"""matrix.html: several runs side by side, one column per implementation, one row per requirement.

Each report.json is one column: its implementation is named from the report (the target's host,
or "reference emulator" for the embedded one) unless the command names it (``--name``).  Rows are
every requirement any of the reports knows, judged or not applicable, grouped by area (the
catalogue's ``AREAS``, the ID's first part) and, within an area, by level (MUST, SHOULD, MAY).
A cell is the report's verdict; a requirement of another profile than the report's is
"not-applicable" there (report.json ``not_applicable``), and one a report does not know at all
(an older catalogue) is "absent".  A judged cell links to that requirement's row in the report's
report.html (its ``req-<ID>`` anchor) when a report.html sits beside the report.json.  Under the
rows, per implementation, the MUST / SHOULD / MAY tallies (``badge.level_tally``: met of judged).

The page is self-contained like report.html (report.css for the shared verdict colours, no
script, a Content-Security-Policy allowing no load at all), with Jinja2 autoescaping everything
taken from the reports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup

from conformance.catalogue import AREAS, LEVELS
from conformance.report.badge import LevelTally, level_tally
from conformance.report.verdicts import NOT_APPLICABLE, NOT_APPLICABLE_HELP, VERDICT_HELP, VERDICTS

ABSENT = "absent"  # the report does not know the requirement (not judged, not listed not-applicable)
ABSENT_HELP = "this report does not list the requirement at all (a run of an older catalogue)."
OTHER = "other"  # the group of an ID outside the catalogue's areas, or a level outside LEVELS
EMBEDDED_NAME = "reference emulator"


@dataclass(frozen=True)
class Column:
    """One implementation: its report, its name, and where its report.html is from the page."""

    name: str
    report: Mapping[str, Any]
    html_href: str | None = None  # relative URL of its report.html, when there is one


@dataclass
class Cell:
    verdict: str
    href: str | None = None


@dataclass
class Row:
    id: str
    level: str
    statement: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Group:
    area: str
    level: str
    rows: list[Row] = field(default_factory=list)


def default_name(report: Mapping[str, Any]) -> str:
    """The implementation a report is of, from its metadata: the target's host[:port]."""
    if report.get("embedded"):
        return EMBEDDED_NAME
    target = str(report.get("target") or "")
    try:
        netloc = urlsplit(target).netloc
    except ValueError:
        netloc = ""
    return netloc or target or "unnamed target"


def html_href(report_path: Path, page_path: Path) -> str | None:
    """The relative URL, from the page at ``page_path``, of the report.html beside ``report_path``."""
    html = report_path.parent / "report.html"
    if not html.is_file():
        return None
    rel = os.path.relpath(html.resolve(), page_path.resolve().parent)
    return quote(Path(rel).as_posix())


def _area(rid: str) -> str:
    area = rid.split("-", 1)[0]
    return area if area in AREAS else OTHER


def _known_requirements(columns: Sequence[Column]) -> dict[str, tuple[str, str]]:
    """ID -> (level, statement), from the reports that judged it, else from the catalogue."""
    known: dict[str, tuple[str, str]] = {}
    for col in columns:
        for req in col.report.get("requirements", ()):
            known.setdefault(req["id"], (req["level"], req["statement"]))
    missing = [rid for col in columns for rid in col.report.get("not_applicable") or () if rid not in known]
    if missing:
        from conformance.catalogue import load_catalogue

        catalogue = load_catalogue()
        for rid in missing:
            req = catalogue.get(rid)
            known.setdefault(rid, (req.level, req.statement) if req else (OTHER, "(not in the catalogue)"))
    return known


def _order(columns: Sequence[Column]) -> list[str]:
    """Every ID once, in the catalogue's order where it has one, then in the reports' order."""
    from conformance.catalogue import load_catalogue

    position = {rid: i for i, rid in enumerate(load_catalogue())}
    seen: dict[str, int] = {}
    for col in columns:
        for rid in [r["id"] for r in col.report.get("requirements", ())] + list(
            col.report.get("not_applicable") or ()
        ):
            seen.setdefault(rid, len(seen))
    return sorted(seen, key=lambda rid: (rid not in position, position.get(rid, 0), seen[rid]))


def build_groups(columns: Sequence[Column]) -> list[Group]:
    """The rows of the matrix, grouped by area then level, each with one cell per column."""
    known = _known_requirements(columns)
    verdicts = [{r["id"]: r["verdict"] for r in col.report.get("requirements", ())} for col in columns]
    not_applicable = [set(col.report.get("not_applicable") or ()) for col in columns]
    groups: dict[tuple[str, str], Group] = {}
    for rid in _order(columns):
        level, statement = known[rid]
        row = Row(rid, level, statement)
        for col, judged, na in zip(columns, verdicts, not_applicable, strict=True):
            if rid in judged:
                href = f"{col.html_href}#req-{quote(rid)}" if col.html_href else None
                row.cells.append(Cell(judged[rid], href))
            else:
                row.cells.append(Cell(NOT_APPLICABLE if rid in na else ABSENT))
        key = (_area(rid), level if level in LEVELS else OTHER)
        groups.setdefault(key, Group(*key)).rows.append(row)
    area_rank = {a: i for i, a in enumerate((*AREAS, OTHER))}
    level_rank = {lv: i for i, lv in enumerate((*LEVELS, OTHER))}
    return sorted(groups.values(), key=lambda g: (area_rank[g.area], level_rank[g.level]))


def tallies(columns: Sequence[Column]) -> list[tuple[str, list[LevelTally]]]:
    """Per level, the tally of each column (the summary rows under the matrix)."""
    return [(level, [level_tally(col.report, level) for col in columns]) for level in LEVELS]


def render_matrix(columns: Sequence[Column]) -> str:
    """The self-contained matrix page of ``columns`` (in the order given)."""
    from conformance.report.html import _ENV

    css = _ENV.loader.get_source(_ENV, "report.css")[0]  # type: ignore[union-attr]
    css += _ENV.loader.get_source(_ENV, "matrix.css")[0]  # type: ignore[union-attr]
    groups = build_groups(columns)
    present = {c.verdict for g in groups for r in g.rows for c in r.cells}
    legend = [(v, VERDICT_HELP[v]) for v in VERDICTS if v in present]
    if NOT_APPLICABLE in present:
        legend.append((NOT_APPLICABLE, NOT_APPLICABLE_HELP))
    if ABSENT in present:
        legend.append((ABSENT, ABSENT_HELP))
    return _ENV.get_template("matrix.html.j2").render(
        columns=columns,
        groups=groups,
        tallies=tallies(columns),
        legend=legend,
        rows=sum(len(g.rows) for g in groups),
        css=Markup(css),
    )
