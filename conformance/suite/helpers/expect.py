"""Wire-level expectations the scenarios share: status + documented body, results per input, IDs.

Every answer a scenario looks at is validated against the schema ``openapi.yaml`` documents for
its operation and status (``contract.response_schema``), so that "validates every response body"
is one call, not a schema name restated in each test.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from conformance import contract

CLIENT_ERRORS = range(400, 500)

_GUID_ID = re.compile(r"^music\.[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")


def schema_for(operation: str, status: int) -> str | None:
    """The schema of ``operation``'s answer with ``status``: the documented one, ErrorResponse for
    an undocumented error status, None for an undocumented success status."""
    name = contract.response_schema(operation, status)
    if name is None and status >= 400:
        return "ErrorResponse"
    return name


def body(verify: Any, req: str, r: Any, operation: str) -> bool:
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


def ok(verify: Any, req: str, r: Any, operation: str) -> bool:
    """HTTP 200 with the documented success body (both checks recorded under ``req``)."""
    status = verify.status(req, r, 200)
    valid = body(verify, req, r, operation)
    return status and valid


def rejected(
    verify: Any,
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
    """The per-item results of an answer (or of a decoded body): TrackActionResponse.TrackActionResults
    or PlaylistActionResponse.PlaylistActionResult.TrackActionResults."""
    data = r.body if hasattr(r, "body") else r
    data = data if isinstance(data, dict) else {}
    if "PlaylistActionResult" in data:
        inner = data.get("PlaylistActionResult")
        value = inner.get("TrackActionResults") if isinstance(inner, dict) else None
    else:
        value = data.get("TrackActionResults")
    return value if isinstance(value, list) else None


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


def is_guid_id(track_id: str) -> bool:
    return bool(_GUID_ID.match(track_id))


def canonical(track_id: str) -> str:
    """E13: the canonical form of an ID: ``music.`` + the upper-case GUID for a GUID-form ID."""
    if _GUID_ID.match(track_id):
        prefix, _, guid = track_id.partition(".")
        return f"{prefix}.{guid.upper()}"
    return track_id


def is_canonical(track_id: str) -> bool:
    """E13: an upper-case GUID ID, or any non-GUID ID (one the service returned) is canonical."""
    return canonical(track_id) == track_id


def same_id(a: Any, b: str) -> bool:
    """Equal as IDs: exactly, or ignoring case for a GUID-form ID (E13)."""
    if not isinstance(a, str):
        return False
    if _GUID_ID.match(b):
        return a.lower() == b.lower()
    return a == b


def one_result_per_input(verify: Any, req: str, r: Any, inputs: Sequence[str]) -> list[dict[str, Any]]:
    """Exactly one result per input, in request order (matched by InputId); the results.

    Order is judged by InputId, compared as IDs (E13), so that a case change is not mistaken for
    a reordering; whether InputId is exact is a check of its own (``input_ids_echoed``).
    """
    got = results(r)
    if got is None:
        verify.that(
            req, False, "per-item results", expected=f"{len(inputs)} results", actual="no results list"
        )
        return []
    verify.equal(req, len(got), len(inputs), "number of results (one per entry)")
    echoed = [x.get("InputId") if isinstance(x, dict) else None for x in got]
    in_order = len(got) == len(inputs) and all(same_id(e, i) for e, i in zip(echoed, inputs, strict=True))
    verify.that(
        req, in_order, "results in request order (InputId of result i = entry i)", list(inputs), echoed
    )
    return [x for x in got if isinstance(x, dict)]


def input_ids_echoed(
    verify: Any, exact_req: str, got: Sequence[dict[str, Any]], inputs: Sequence[str]
) -> None:
    """ID-INPUTID-EXACT: for canonical inputs, InputId is the input character for character."""
    pairs = [(g.get("InputId"), i) for g, i in zip(got, inputs, strict=False) if is_canonical(i)]
    if pairs:
        verify.that(
            exact_req,
            all(a == b for a, b in pairs),
            "InputId equals each canonical input exactly",
            [b for _, b in pairs],
            [a for a, _ in pairs],
        )
