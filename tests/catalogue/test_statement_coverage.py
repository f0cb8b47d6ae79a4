"""Statement coverage (docs/statements.yaml): every statement in its page, every requirement named.

These tests read the real documents under ``shared/`` (``<repo>/../shared`` or ``GROOVE_SHARED_DIR``)
and the live catalogue, so that a requirement added to ``conformance/requirements.yaml`` without a
statement here, or a page edited under a quote, fails with the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance import statements as st
from conformance.catalogue import load_catalogue
from conformance.sources import normalise, shared_dir
from conformance.statements import (
    COVERAGE_PATH,
    STATEMENTS_PATH,
    Statement,
    StatementError,
    load_statements,
    parse_statements,
    quote_problem,
    render,
)

RERENDER = "run `python -m conformance.statements` to rewrite docs/statement-coverage.md"


@pytest.fixture(scope="module")
def statements() -> list[Statement]:
    return load_statements()


@pytest.fixture(scope="module")
def shared() -> Path:
    return shared_dir()


def _documents(shared: Path) -> set[str]:
    """The source pages: the spec notes, the seeds, the reference pages (not the licence)."""
    pages = {"groove-spec-notes.md"}
    pages |= {f"seeds/{p.name}" for p in (shared / "seeds").glob("*.txt")}
    pages |= {f"reference/groove-docs/{p.name}" for p in (shared / "reference" / "groove-docs").glob("*.md")}
    return pages


# --- against the documents ----------------------------------------------------------------------
def test_every_quote_is_found_in_its_page(statements: list[Statement], shared: Path) -> None:
    problems = [p for s in statements if (p := quote_problem(shared, s.file, s.quote))]
    assert problems == [], "quotes not found (compared after normalise):\n" + "\n".join(problems)


def test_every_source_page_is_listed(statements: list[Statement], shared: Path) -> None:
    listed = {s.file for s in statements}
    assert sorted(_documents(shared) - listed) == [], "source pages with no statement"
    assert sorted(listed - _documents(shared)) == [], "pages that are not source documents"


def test_quote_matching_is_the_catalogues(shared: Path) -> None:
    f = "reference/groove-docs/json-error.md"
    assert quote_problem(shared, f, "COLLECTION_INVALID_ID | 400 BadRequest") is None  # \_ escapes
    assert quote_problem(shared, "seeds/000_49ef52240da7cdbc.txt", "<TrackIds xmlns:d2p1=") is None  # &lt;
    assert "not found" in quote_problem(shared, f, "COLLECTION_INVALID_ID | 200 OK")
    assert "no such source file" in quote_problem(shared, "seeds/missing.txt", "x")


# --- against the catalogue ----------------------------------------------------------------------
def test_every_named_requirement_exists(statements: list[Statement]) -> None:
    known = set(load_catalogue())
    unknown = sorted({f"{r} ({s.file})" for s in statements for r in s.requirements if r not in known})
    assert unknown == [], f"{STATEMENTS_PATH.name} names requirements the catalogue does not have"


def test_every_requirement_is_named_by_a_statement(statements: list[Statement]) -> None:
    named = {r for s in statements for r in s.requirements}
    missing = [rid for rid in load_catalogue() if rid not in named]
    assert missing == [], (
        f"catalogue requirements named by no statement of {STATEMENTS_PATH.name}: "
        f"{', '.join(missing)} — add each to the statement(s) it tests (if none fits, the statement its "
        f"source quote cites), then {RERENDER}"
    )


# --- the data file itself -----------------------------------------------------------------------
def test_every_untested_statement_has_a_reason(statements: list[Statement]) -> None:
    assert [s.quote for s in statements if not s.tested and not (s.untested or "").strip()] == []
    assert [s.quote for s in statements if s.tested and s.untested] == []


def test_no_page_quotes_a_statement_twice(statements: list[Statement]) -> None:
    seen: set[tuple[str, str]] = set()
    for s in statements:
        key = (s.file, normalise(s.quote))
        assert key not in seen, key
        seen.add(key)


def test_the_rendered_page_is_up_to_date(statements: list[Statement]) -> None:
    assert COVERAGE_PATH.is_file(), f"{COVERAGE_PATH} is missing: {RERENDER}"
    assert COVERAGE_PATH.read_text(encoding="utf-8") == render(statements), (
        f"{COVERAGE_PATH.name} is out of date with {STATEMENTS_PATH.name}: {RERENDER}"
    )


# --- the loader and the renderer ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "non-empty mapping"),
        ({"seeds/x.txt": []}, "non-empty list of entries"),
        ({"../x.txt": [{"quote": "a", "requirements": ["ADD-OK"]}]}, "relative to shared/"),
        ({"p.md": ["a string"]}, "entry 1: must be a mapping"),
        ({"p.md": [{"quote": "a"}]}, r"missing \['requirements'\]"),
        ({"p.md": [{"quote": "a", "requirements": [], "why": "x"}]}, r"unexpected \['why'\]"),
        ({"p.md": [{"quote": " ", "requirements": ["ADD-OK"]}]}, "'quote' must be a non-empty string"),
        ({"p.md": [{"quote": "a", "requirements": "ADD-OK"}]}, "must be a list of requirement IDs"),
        ({"p.md": [{"quote": "a", "requirements": ["ADD-OK", "ADD-OK"]}]}, "names an ID twice"),
        ({"p.md": [{"quote": "a", "requirements": []}]}, "no requirements, so a reason"),
        ({"p.md": [{"quote": "a", "requirements": [], "untested": ""}]}, "no requirements, so a reason"),
        ({"p.md": [{"quote": "a", "requirements": ["ADD-OK"], "untested": "x"}]}, "use 'note' here"),
        (
            {"p.md": [{"quote": "a", "requirements": [], "untested": "x", "note": "y"}]},
            "put it in 'untested'",
        ),
        (
            {"p.md": [{"quote": "a  b", "requirements": ["ADD-OK"]},
                      {"quote": "a b", "requirements": ["ADD-OK"]}]},
            "quoted twice",
        ),
    ],
)
def test_a_malformed_file_is_refused(data: object, message: str) -> None:
    with pytest.raises(StatementError, match=message):
        parse_statements(data)


def test_a_page_given_twice_is_refused(tmp_path: Path) -> None:
    entry = "  - {quote: a, requirements: [ADD-OK]}\n"
    path = tmp_path / "statements.yaml"
    path.write_text(f"p.md:\n{entry}q.md:\n{entry}p.md:\n{entry}", encoding="utf-8")
    with pytest.raises(StatementError, match="statements.yaml: .*key 'p.md' given twice"):
        load_statements(path)


def test_render_escapes_what_a_table_cell_cannot_hold() -> None:
    rows = parse_statements({
        "a.md": [
            {"quote": "X | 400 | `y` and <Tag>", "requirements": ["ADD-OK"], "note": "a | b <c>"},
            {"quote": "`Authorization: Bearer {token}`", "requirements": [], "untested": "client"},
        ],
        "b/c_d.txt": [{"quote": "z", "requirements": ["ADD-OK", "CDEL-OK"]}],
    })
    text = render(rows)
    assert "| 1 | ``X \\| 400 \\| `y` and <Tag>`` | ADD-OK | a \\| b &lt;c&gt; |" in text
    assert "| 2 | `` `Authorization: Bearer {token}` `` | — | not tested: client |" in text
    assert "| 1 | `z` | ADD-OK, CDEL-OK |  |" in text
    assert "| [a.md](#amd) | 2 | 1 | 1 |" in text and "| [b/c_d.txt](#bc_dtxt) | 1 | 1 | 0 |" in text
    assert "| **all** | **3** | **2** | **1** |" in text
    assert "- statements: 3" in text and "- deliberately untested (with a reason): 1" in text


def test_the_command_checks_and_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "statements.yaml"
    data.write_text("p.md:\n  - {quote: a, requirements: [ADD-OK]}\n", encoding="utf-8")
    out = tmp_path / "statement-coverage.md"
    monkeypatch.setattr(st, "STATEMENTS_PATH", data)
    monkeypatch.setattr(st, "COVERAGE_PATH", out)
    assert st.main(["--check"]) == 1 and "out of date" in capsys.readouterr().err
    assert st.main([]) == 0 and out.read_text(encoding="utf-8") == render(load_statements(data))
    assert st.main(["--check"]) == 0
