"""Wire-level expectations the scenarios share: status + documented body, results per input, IDs.

Every answer a scenario looks at is validated against the schema ``openapi.yaml`` documents for
its operation and status (``contract.response_schema``), so that "validates every response body"
is one call, not a schema name restated in each test.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any

from conformance import contract, ids, judging

if TYPE_CHECKING:
    from conformance.verify import Verify


CLIENT_ERRORS = judging.CLIENT_ERRORS


def schema_for(operation: str, status: int) -> str | None:
    """The schema of ``operation``'s answer with ``status``: the documented one, ErrorResponse for
    an undocumented error status, None for an undocumented success status."""
    name = contract.response_schema(operation, status)
    if name is None and status >= 400:
        return "ErrorResponse"
    return name


def body(verify: Verify, req: str, r: Any, operation: str) -> bool:
    """The body is what openapi.yaml documents for this operation and status."""
    name = schema_for(operation, r.status)
    if name is None:
        return verify.that(
            req,
            False,
            f"HTTP {r.status} is a documented answer of {operation}",
            expected=", ".join(map(str, contract.documented_statuses(operation))),
            actual=r.status,
        )
    return verify.schema(req, r, name)


def ok(verify: Verify, req: str, r: Any, operation: str) -> bool:
    """HTTP 200 with the documented success body (both checks recorded under ``req``)."""
    status = verify.status(req, r, 200)
    valid = body(verify, req, r, operation)
    return status and valid


def rejected(
    verify: Verify,
    req: str,
    r: Any,
    operation: str,
    status: int | Collection[int] = CLIENT_ERRORS,
    *,
    code: str | Collection[str] | None = None,
    code_req: str | None = None,
    code_status: int | None = None,
) -> bool:
    """An error answer: ``status`` (4xx by default) with an Error body under ``req``.

    ``code`` is checked under ``code_req`` (usually the SHOULD half of the rule) and, with
    ``code_status``, the exact status is checked there too (e.g. "SHOULD 404 COLLECTION_NO_RESULT").
    """
    good = verify.status(req, r, status)
    verify.schema(req, r, "ErrorResponse")
    if code is not None:
        target = code_req or req
        if code_status is not None:
            verify.status(target, r, code_status)
        verify.error_code(target, r, code)
    return good


def is_error_answer(r: Any) -> bool:
    """4xx/5xx, or HTTP 200 carrying a top-level Error (the 'HTTP 200 error' of E07(b))."""
    return r.status >= 400 or r.error is not None


# --- results of batches -------------------------------------------------------------------------
def results(r: Any) -> list[Any] | None:
    """The per-item results of an answer (or of a decoded body)."""
    return judging.results_of(r)


def playlist_result(r: Any) -> dict[str, Any]:
    data = r.body if isinstance(r.body, dict) else {}
    value = data.get("PlaylistActionResult")
    return value if isinstance(value, dict) else {}


def item_error(result: Any) -> dict[str, Any] | None:
    err = result.get("Error") if isinstance(result, dict) else None
    return err if isinstance(err, dict) else None


def has_value(result: Any, member: str) -> bool:
    """The member is present and not null (absent and null are the same in DataContract)."""
    return isinstance(result, dict) and result.get(member) is not None


# E13's ID forms live in conformance.ids; the scenarios reach them through here.
is_guid_id = ids.is_guid_id
canonical = ids.canonical
is_canonical = ids.is_canonical
same_id = ids.same_id


def one_result_per_input(verify: Verify, req: str, r: Any, inputs: Sequence[str]) -> list[dict[str, Any]]:
    """Exactly one result per entry, matched by InputId (``req``), in request order (BATCH-ORDER).

    Returns the results in entry order: item ``i`` is the result matched to entry ``i`` (an empty
    dict when no result names it), so that callers judge the result of an entry, never the result
    that happens to stand at its position (E27). Whether InputId is exact is a check of its own
    (``input_ids_echoed``).
    """
    got = results(r)
    matching = judging.match_results(inputs, got)
    verify.record_all(judging.one_result_per_entry(req, matching, got))
    return [x if x is not None else {} for x in matching.by_entry] if got is not None else []


def input_ids_echoed(
    verify: Verify, exact_req: str, got: Sequence[dict[str, Any]], inputs: Sequence[str]
) -> None:
    """ID-INPUTID-EXACT: for canonical inputs, InputId is the input character for character.

    ``got`` is in entry order (as ``one_result_per_input`` returns it)."""
    matching = judging.Matching(list(inputs), [g or None for g in got] + [None] * (len(inputs) - len(got)))
    verify.record_all(judging.input_ids(exact_req, matching))
