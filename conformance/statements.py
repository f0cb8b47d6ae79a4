"""Statement coverage of the documents: ``docs/statements.yaml`` and its rendered page.

The catalogue (``requirements.yaml``) goes from a rule to the sentence it rests on.  This module
goes the other way: ``docs/statements.yaml`` lists, page by page, every sentence or example of the
documents under ``shared/`` that states observable behaviour of the service, and names the
catalogue requirements that test it — or says, in ``untested``, why the suite deliberately leaves
it out.  ``docs/statement-coverage.md`` is that list rendered for a reader; it is written from the
YAML alone (``python -m conformance.statements``), and ``tests/catalogue/test_statement_coverage.py``
checks that the quotes are in their pages, that every catalogue requirement is named somewhere and
that the page is up to date.

The data file is a mapping ``{page: [entry, ...]}``, a page being a file relative to ``shared/``
and an entry a mapping with

    quote         a short verbatim quote of the page (compared after
                  :func:`conformance.sources.normalise` on both sides, as the catalogue's are)
    requirements  the catalogue IDs that test it, possibly ``[]``
    untested      why it is not tested — required exactly when ``requirements`` is empty
    note          optional, for a tested statement: what of it is not tested, or a caveat

``docs/`` is not shipped in a wheel: this is a tool of the repository, not of the installed suite.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from conformance.sources import normalise, repo_dir
from conformance.yaml_files import load_strict

__all__ = [
    "COVERAGE_PATH",
    "STATEMENTS_PATH",
    "Statement",
    "StatementError",
    "by_page",
    "load_statements",
    "main",
    "parse_statements",
    "quote_problem",
    "render",
]

STATEMENTS_PATH = repo_dir() / "docs" / "statements.yaml"
COVERAGE_PATH = repo_dir() / "docs" / "statement-coverage.md"

_ENTRY_KEYS = frozenset({"quote", "requirements", "untested", "note"})
_REQUIRED_KEYS = frozenset({"quote", "requirements"})


class StatementError(ValueError):
    """``docs/statements.yaml`` is malformed; the message names the page and the entry."""


@dataclass(frozen=True)
class Statement:
    """One sentence or example of a page, and what tests it."""

    file: str  # relative to shared/
    quote: str
    requirements: tuple[str, ...]
    untested: str | None  # the reason, when no requirement tests it
    note: str | None

    @property
    def tested(self) -> bool:
        return bool(self.requirements)


# --- loading ------------------------------------------------------------------------------------


def _text(value: Any, what: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise StatementError(f"{where}: '{what}' must be a non-empty string")
    return " ".join(value.split())


def _entry(file: str, index: int, entry: Any) -> Statement:
    where = f"{file}, entry {index}"
    if not isinstance(entry, dict):
        raise StatementError(f"{where}: must be a mapping")
    keys = set(entry)
    if not _REQUIRED_KEYS <= keys or not keys <= _ENTRY_KEYS:
        missing, extra = sorted(_REQUIRED_KEYS - keys), sorted(keys - _ENTRY_KEYS)
        raise StatementError(f"{where}: keys wrong (missing {missing}, unexpected {extra})")
    quote = _text(entry["quote"], "quote", where)
    where = f"{file}, entry {index} ({quote[:40]!r})"
    reqs = entry["requirements"]
    if not isinstance(reqs, list) or not all(isinstance(r, str) and r for r in reqs):
        raise StatementError(f"{where}: 'requirements' must be a list of requirement IDs")
    if len(set(reqs)) != len(reqs):
        raise StatementError(f"{where}: 'requirements' names an ID twice")
    untested = entry.get("untested")
    note = entry.get("note")
    if reqs:
        if untested is not None:
            raise StatementError(
                f"{where}: 'untested' is for statements no requirement tests; use 'note' here"
            )
    else:
        untested = _text(untested, "untested", where + " (no requirements, so a reason)")
        if note is not None:
            raise StatementError(f"{where}: 'note' is for tested statements; put it in 'untested'")
    if note is not None:
        note = _text(note, "note", where)
    return Statement(file, quote, tuple(reqs), untested, note)


def parse_statements(data: Any) -> list[Statement]:
    """Validate the parsed YAML ``data`` and build the statements, page by page in file order."""
    if not isinstance(data, dict) or not data:
        raise StatementError("the statements file must be a non-empty mapping {page: [entries]}")
    out: list[Statement] = []
    for file, entries in data.items():
        if not isinstance(file, str) or file.startswith("/") or "\\" in file or ".." in Path(file).parts:
            raise StatementError(f"page {file!r}: must be a path relative to shared/")
        if not isinstance(entries, list) or not entries:
            raise StatementError(f"{file}: must be a non-empty list of entries")
        page = [_entry(file, i, e) for i, e in enumerate(entries, start=1)]
        quotes = [normalise(s.quote) for s in page]
        twice = sorted({q for q in quotes if quotes.count(q) > 1})
        if twice:
            raise StatementError(f"{file}: quoted twice: {twice}")
        out.extend(page)
    return out


def load_statements(path: Path = STATEMENTS_PATH) -> list[Statement]:
    """Load and validate the statements file; errors are prefixed with the file name."""
    try:
        data = load_strict(path.read_text(encoding="utf-8"))
        return parse_statements(data)
    except (StatementError, yaml.YAMLError) as exc:
        raise StatementError(f"{path.name}: {exc}") from None


def by_page(statements: Iterable[Statement]) -> dict[str, list[Statement]]:
    """``{page: [statements]}`` in the order the pages first appear."""
    pages: dict[str, list[Statement]] = {}
    for s in statements:
        pages.setdefault(s.file, []).append(s)
    return pages


def quote_problem(shared: Path, file: str, quote: str) -> str | None:
    """Why ``quote`` is not found in ``shared/file``; None when it is.

    The match is the catalogue's (:func:`conformance.sources.quote_problem`): ``normalise`` on both
    sides, nothing looser; a statement names no heading, so the whole page is searched.
    """
    path = shared / file
    if not path.is_file():
        return f"{file}: no such source file under {shared.name}/"
    want = normalise(quote)
    if not want:
        return f"{file}: empty quote"
    if want in normalise(path.read_text(encoding="utf-8")):
        return None
    return f"{file}: quote not found: {quote!r}"


# --- rendering ----------------------------------------------------------------------------------
def _code(text: str) -> str:
    """``text`` as a markdown code span that a table cell can hold (pipes escaped)."""
    text = " ".join(text.split())
    run = longest = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def _cell(text: str) -> str:
    """Plain ``text`` for a table cell: one line, pipes and angle brackets escaped."""
    text = " ".join(text.split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _counts(statements: Sequence[Statement]) -> tuple[int, int, int]:
    tested = sum(1 for s in statements if s.tested)
    return len(statements), tested, len(statements) - tested


def render(statements: Sequence[Statement]) -> str:
    """The markdown page: a summary, then one table per page (statement | requirements | note)."""
    pages = by_page(statements)
    total, tested, untested = _counts(statements)
    named = sorted({r for s in statements for r in s.requirements})
    out = [
        "# Statement coverage of the documents",
        "",
        "<!-- Generated from docs/statements.yaml by `python -m conformance.statements`; do not edit. -->",
        "",
        "Every sentence or example of the source documents (`shared/`, see `docs/errata.md`) that "
        "states observable behaviour of the service — statuses, error codes, members, limits, "
        "effects, formats, authentication, paging, ID forms — with the catalogue requirements "
        "(`conformance/requirements.yaml`) that test it, or the reason the suite deliberately "
        "leaves it untested. Navigation, licence text and prose that states nothing checkable are "
        "not listed. Quotes are verbatim, compared with the page after whitespace, markdown "
        "escapes and HTML entities are normalised.",
        "",
        "## Summary",
        "",
        f"- pages: {len(pages)}",
        f"- statements: {total}",
        f"- tested (named by at least one requirement): {tested}",
        f"- deliberately untested (with a reason): {untested}",
        f"- requirements named: {len(named)}",
        "",
        "| page | statements | tested | untested |",
        "|---|---:|---:|---:|",
    ]
    for file, page in pages.items():
        n, t, u = _counts(page)
        out.append(f"| [{_cell(file)}](#{_anchor(file)}) | {n} | {t} | {u} |")
    out.append(f"| **all** | **{total}** | **{tested}** | **{untested}** |")
    for file, page in pages.items():
        n, t, u = _counts(page)
        out += [
            "",
            f"## {file}",
            "",
            f"{n} statements: {t} tested, {u} untested.",
            "",
            "| # | statement | requirements | note |",
            "|---:|---|---|---|",
        ]
        for i, s in enumerate(page, start=1):
            reqs = ", ".join(s.requirements) if s.tested else "—"
            note = f"not tested: {s.untested}" if s.untested else (s.note or "")
            out.append(f"| {i} | {_code(s.quote)} | {reqs} | {_cell(note)} |")
    return "\n".join(out) + "\n"


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation but '-' and '_' dropped, spaces to '-'."""
    kept = "".join(ch for ch in heading.lower() if ch.isalnum() or ch in "-_ ")
    return kept.replace(" ", "-")


# --- command line -------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m conformance.statements",
        description=f"Render {STATEMENTS_PATH.name} into {COVERAGE_PATH.name}.",
    )
    parser.add_argument("--check", action="store_true", help="only report whether the page is up to date")
    args = parser.parse_args(argv)
    text = render(load_statements(STATEMENTS_PATH))
    current = COVERAGE_PATH.read_text(encoding="utf-8") if COVERAGE_PATH.is_file() else None
    if args.check:
        if current == text:
            print(f"{COVERAGE_PATH.name} is up to date")
            return 0
        print(f"{COVERAGE_PATH.name} is out of date: run python -m conformance.statements", file=sys.stderr)
        return 1
    if current != text:
        COVERAGE_PATH.write_text(text, encoding="utf-8")
        print(f"wrote {COVERAGE_PATH}")
    else:
        print(f"{COVERAGE_PATH.name} was already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
