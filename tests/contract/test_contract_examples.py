"""Every example the pages quote validates against the contract — or fails for a stated reason.

The examples are read from the pages (``pages.py``), not copied, so a schema that rejects
what the documents show, or accepts what they call invalid, fails here.  The examples that
must fail are listed below with the erratum that explains them and the JSON Schema keyword
they must fail on; a listed example that passes, or that is no longer found, fails too.
"""

from __future__ import annotations

import pytest

from conformance import contract

from .pages import OBJECT_PAGES, OPERATION_PAGES, PageExample, all_examples

# (file, example heading, role) -> (erratum of docs/errata.md, keyword that must fail, why)
EXPECTED_FAILURES: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("seeds/000_49ef52240da7cdbc.txt", "Add too many tracks at once", "request"): (
        "E14",
        "[maxItems]",
        "101 copies of one ID: the limit counts entries, and the example is the rejected one",
    ),
    (
        "reference/groove-docs/uri-browse-user-collection-playlist.md",
        "Browse tracks with invalid maxItems",
        "request",
    ): (
        "E18",
        "[maximum]",
        "maxItems=42 is over the maximum of 25; the page answers 400",
    ),
}

# Requests a page shows being rejected that are nevertheless valid under the contract, and why.
# (file, example heading, role) -> (erratum, the fact the test checks, explanation)
DOCUMENTED_INVALID_BUT_VALID: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("reference/groove-docs/uri-add-track-collection.md", "Add too many tracks at once", "request"): (
        "E14",
        "TrackIds holds exactly batch_max entries",
        "the reference page's over-limit request lists 100 copies (000's lists 101), yet answers 400; "
        "100 is within 'limited to 100', so the request is valid and the catalogue tests 101 (E14)",
    ),
}

# The pages quote this many JSON bodies and GET queries of the contract's operations and objects;
# fewer means the extraction lost some.
MIN_JSON_EXAMPLES = 80
MIN_XML_EXAMPLES = 4


def _errors(example: PageExample) -> list[str]:
    if example.role == "sample":
        return contract.validate(OBJECT_PAGES[example.file], example.body)
    assert example.operation, f"{example.id}: no operation found for this example"
    if example.role == "request":
        if example.fmt == "query":
            return contract.validate_query(example.operation, example.query)
        return contract.validate_request(example.operation, example.body) + contract.validate_query(
            example.operation, example.query
        )
    assert example.status is not None
    schema = contract.response_schema(example.operation, example.status)
    assert schema, f"{example.id}: status {example.status} is not documented for {example.operation}"
    return contract.validate(schema, example.body)


def test_page_example(json_example: PageExample) -> None:
    errors = _errors(json_example)
    expected = EXPECTED_FAILURES.get(json_example.key)
    if json_example.key in DOCUMENTED_INVALID_BUT_VALID:
        assert errors == [], f"{json_example.id} should validate:\n" + "\n".join(errors)
        assert isinstance(json_example.body, dict)
        assert len(json_example.body["TrackIds"]) == contract.LIMITS.batch_max
    elif expected is None:
        assert errors == [], f"{json_example.id} should validate:\n" + "\n".join(errors)
    else:
        erratum, keyword, why = expected
        assert errors, f"{json_example.id} validates, but {erratum} says it must fail: {why}"
        assert any(keyword in e for e in errors), (
            f"{json_example.id} fails, but not for {erratum}'s reason ({keyword}: {why}):\n"
            + "\n".join(errors)
        )


def test_expected_failures_are_still_on_the_pages() -> None:
    found = {e.key for e in all_examples()}
    missing = [key for key in (*EXPECTED_FAILURES, *DOCUMENTED_INVALID_BUT_VALID) if key not in found]
    assert not missing, f"listed as expected failures but no longer found on the pages: {missing}"


def test_enough_examples_were_read() -> None:
    examples = all_examples()
    json_like = [e for e in examples if e.fmt in ("json", "query")]
    xml = [e for e in examples if e.fmt == "xml"]
    assert len(json_like) >= MIN_JSON_EXAMPLES, f"only {len(json_like)} JSON examples read"
    assert len(xml) >= MIN_XML_EXAMPLES, f"only {len(xml)} XML examples read"
    # every page contributes, and every operation is exemplified
    assert {e.file for e in examples} == set(OPERATION_PAGES) | set(OBJECT_PAGES)
    exemplified = {e.operation for e in examples if e.operation}
    assert exemplified == set(contract.OPERATIONS)
    print(f"\n{len(json_like)} JSON examples and GET queries, {len(xml)} XML examples read from the pages")


def test_every_documented_answer_status_is_exemplified_or_documented() -> None:
    for e in all_examples():
        if e.role == "response" and e.operation:
            assert e.status in contract.documented_statuses(e.operation), e.id


@pytest.mark.parametrize("role", ["request", "response"])
def test_each_edit_operation_has_examples_of(role: str) -> None:
    ops = {e.operation for e in all_examples() if e.role == role and e.fmt == "json"}
    edits = {op for op, (method, _) in contract.OPERATIONS.items() if method == "POST"}
    assert edits <= ops
