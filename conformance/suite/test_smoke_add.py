"""Smoke: 000's "Add tracks to collection" example, end to end through the harness.

One randomly generated ID (lower case, as 000 writes it) and one valid catalog ID in one add:
HTTP 200, a top-level COLLECTION_SOME_OPERATIONS_FAILED, one result per entry (found by InputId, E27),
the invalid one failing on its own with COLLECTION_INVALID_ID and its InputId echoed (E13), the
valid one carrying the collection Id the service generated. It exists to prove the pipeline
(client, marker, verify, records, report) on a real exchange; the thorough variants of these
rules live in test_partial_failures.py.
"""

from __future__ import annotations

import pytest

from conformance import judging


@pytest.mark.requirement(
    "PARTIAL-200",
    "PARTIAL-TOP-ERROR",
    "PARTIAL-ITEM-ERROR",
    "ADD-INVALID-ID",
    "ADD-RESULT-ID",
    "BATCH-ONE-RESULT",
    "ID-INPUTID-CASE",
    "ID-INPUTID-UPPER",
)
def test_documented_add_example(client, catalog, verify):
    invalid = catalog.invalid(1, lower=True)[0]
    valid = catalog.take(1)[0]
    r = client.collection_add([invalid, valid])

    verify.status("PARTIAL-200", r, 200)
    verify.error_code("PARTIAL-TOP-ERROR", r, "COLLECTION_SOME_OPERATIONS_FAILED")
    results = (r.body or {}).get("TrackActionResults")
    results = results if isinstance(results, list) else []
    verify.equal("BATCH-ONE-RESULT", len(results), 2, "number of TrackActionResults")
    # E27: each result is found by its InputId (as an ID: ignoring the GUID's case, E13), never by
    # its position in the answer.
    bad, good = judging.match_results([invalid, valid], results).by_entry
    verify.that(
        "BATCH-ONE-RESULT",
        bad is not None and good is not None,
        "one result carries each ID sent as its InputId",
        expected=[invalid, valid],
        actual=[x.get("InputId") if isinstance(x, dict) else x for x in results],
    )
    if bad is None or good is None:
        return
    verify.that(
        "ID-INPUTID-CASE",
        str(bad.get("InputId", "")).upper() == invalid.upper(),
        "InputId of the invalid entry equals the ID sent, ignoring case",
        expected=invalid,
        actual=bad.get("InputId"),
    )
    namespace, guid = invalid.split(".", 1)
    verify.equal(
        "ID-INPUTID-UPPER",
        bad.get("InputId"),
        f"{namespace}.{guid.upper()}",
        "InputId in canonical form (the GUID in upper case)",
    )
    verify.error_code("ADD-INVALID-ID", bad, "COLLECTION_INVALID_ID")
    error = bad.get("Error") if isinstance(bad.get("Error"), dict) else {}
    verify.that(
        "PARTIAL-ITEM-ERROR",
        bool(error.get("ErrorCode")) and bool(error.get("Description")),
        "the failed item's Error has ErrorCode and Description",
        expected="both present",
        actual=error,
    )
    verify.equal("BATCH-ONE-RESULT", good.get("InputId"), valid, "InputId of the valid entry's result")
    verify.that(
        "ADD-RESULT-ID",
        isinstance(good.get("Id"), str) and bool(good.get("Id")),
        "the successful add result carries an Id",
        expected="a collection ID",
        actual=good.get("Id"),
    )
    verify.that(
        "ADD-RESULT-ID",
        not good.get("Error"),
        "the successful add result carries no Error",
        expected="no Error",
        actual=good.get("Error"),
    )
