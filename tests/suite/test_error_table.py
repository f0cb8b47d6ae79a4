"""The suite's copy of the error table (``conformance/suite/helpers/error_table.py``) is the page's table.

The suite carries the table because it runs without the source documents; this test keeps the
copy equal to ``reference/groove-docs/json-error.md``: every code, its default HTTP status and its
Description, nothing more and nothing less.
"""

from __future__ import annotations

import re

from conformance import error_table
from conformance.sources import normalise, shared_dir

ROW = re.compile(
    r"^\|\s*[^|]+\|\s*(?P<code>[A-Z0-9_\\]+)\s*\|\s*(?P<status>\d{3})[^|]*\|\s*(?P<desc>[^|]*?)\s*\|\s*$"
)


def page_table() -> dict[str, tuple[int, str]]:
    text = (shared_dir() / "reference" / "groove-docs" / "json-error.md").read_text(encoding="utf-8")
    table = {}
    for line in text.splitlines():
        m = ROW.match(line)
        if m:
            table[normalise(m.group("code"))] = (int(m.group("status")), normalise(m.group("desc")))
    return table


def test_error_table_is_the_pages_table():
    page = page_table()
    assert len(page) >= 40, "the page's table was not found"
    assert error_table.ERROR_TABLE == page


def test_lookups_accept_both_spellings():
    assert error_table.is_documented("COLLECTION-INVALID-ID")
    assert error_table.default_status("COLLECTION-NO-RESULT") == 404
    assert error_table.same_description("Missing or empty mandatory parameter", "MISSING_INPUT_PARAMETER")
    assert not error_table.is_documented("COLLECTION_INVALID")
