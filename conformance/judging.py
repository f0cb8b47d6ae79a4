"""The one path by which an answer is judged: each rule, and each erratum position, applied once.

Three kinds of test judge answers: the scenario files (through the ``verify`` fixture), the
generated checks run over schemathesis cases, and the state machine. Each used to carry its own
copy of the facts below, and the copies drifted: one compared error codes after E01's ``-`` → ``_``,
another exactly, so a server printing codes as the 2016 pages do failed one path and passed the
other. Here every judgement is a function that returns a :class:`Finding` (one requirement, held
or not, expected vs actual) and records nothing; ``verify`` and the generated ``Judge`` are thin
recorders of what these functions find.

Positions applied here, and only here:

* E01: an ErrorCode is compared after replacing ``-`` by ``_`` (``same_code``), except where a
  requirement is about the spelling itself (``exact=True``);
* E13: InputIds are matched to the request's IDs as IDs (``ids.same_id``), and exactness is a check
  of its own;
* the order of per-item results is not stated anywhere; ``InputId`` is how the documents match a
  result to its request entry ("ID provided by the caller's request"), so results are matched by
  InputId (:func:`match_results`), and the order is judged as a SHOULD of its own (BATCH-ORDER);
* E30: a browse of what the user has none of may be 404 ``COLLECTION_NO_RESULT`` (``is_no_result``):
  the suite's read-backs, its start-up probe and its cleanup read it as an empty list;
* E19: a request without credentials is refused with 401 ``INVALID_AUTHORIZATION_HEADER``
  (:func:`auth_refused`); whether that happens before the body is validated is not stated.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from conformance import contract, error_table, ids

_SHOWN = 300  # characters of a value shown in expected / actual

CLIENT_ERRORS = range(400, 500)
SOME_FAILED = "COLLECTION_SOME_OPERATIONS_FAILED"
INVALID_ID = "COLLECTION_INVALID_ID"
BAD_AUTH_HEADER = "INVALID_AUTHORIZATION_HEADER"
NO_RESULT = "COLLECTION_NO_RESULT"

# ---- the tables that map operations to requirements ---------------------------------------------
# An unauthenticated request of each operation (E19).
AUTH_MISSING: dict[str, str] = {
    "collection_add": "AUTH-MISSING-ADD",
    "collection_delete": "AUTH-MISSING-CDEL",
    "playlist_create": "AUTH-MISSING-PCRE",
    "playlist_update": "AUTH-MISSING-PUPD",
    "playlist_delete": "AUTH-MISSING-PDEL",
    "collection_browse": "AUTH-MISSING-BROWSE",
    "playlist_tracks_browse": "AUTH-MISSING-TRACKS",
}
# An item that names nothing fails per item with COLLECTION_INVALID_ID, per operation.
ITEM_FAIL: dict[str, str] = {
    "collection_add": "ADD-INVALID-ID",
    "collection_delete": "CDEL-RANDOM",
    "playlist_create": "PCRE-PARTIAL",
    "playlist_update": "PUPD-INVALID-ITEM",
}
# An item known to be valid succeeds, per (operation, action).
ITEM_OK: dict[tuple[str, str], str] = {
    ("collection_add", "add"): "ADD-OK",
    ("collection_delete", "delete"): "CDEL-OK",
    ("playlist_create", "add"): "PCRE-TRACKS",
    ("playlist_update", "add"): "PUPD-ADD",
    ("playlist_update", "delete"): "PUPD-DELETE",
}
# The requirement a valid 2xx answer's schema is judged under, per operation.
SCHEMA_OK: dict[str, str] = {
    "collection_add": "BATCH-RESULTS-LIST",
    "collection_delete": "BATCH-RESULTS-LIST",
    "playlist_create": "PCRE-METADATA",
    "playlist_update": "PUPD-RESULT-ID",
    "playlist_delete": "PDEL-OK",
    "collection_browse": "BROWSE-TYPES",
    "playlist_tracks_browse": "BROWSE-PL-TRACKS",
}
# Results are listed in request order: the SHOULD half of one result per entry.
ORDER = "BATCH-ORDER"


class Answer(Protocol):
    """What judging reads of an answer (``conformance.client.Response`` is one)."""

    status: int
    body: Any
    parse_error: str | None


@dataclass(frozen=True)
class Finding:
    """One judgement about one requirement: it held or not, and what was expected vs seen."""

    requirement: str
    passed: bool
    message: str
    expected: Any = None
    actual: Any = None
    check: str = ""  # the generated check or "state machine" that made it, for the report


def show(value: Any) -> str:
    """A short, stable rendering of a value for expected / actual."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


# ---- E01 ------------------------------------------------------------------------------------------
def same_code(actual: Any, wanted: str | Collection[str], *, exact: bool = False) -> bool:
    """Whether ``actual`` is (one of) ``wanted``: after E01's ``-`` → ``_`` unless ``exact``."""
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    if not isinstance(actual, str):
        return False
    if exact:
        return actual in names
    return error_table.normalise(actual) in {error_table.normalise(w) for w in names}


def error_of(value: Any) -> tuple[dict[str, Any] | None, str]:
    """The Error object a value carries (an answer, a body, a result, an Error), and where."""
    body = value.body if _is_answer(value) else value
    if isinstance(body, dict):
        if "ErrorCode" in body:
            return body, "Error"
        err = body.get("Error")
        if isinstance(err, dict):
            return err, "top-level Error"
    return None, "top-level Error"


def code_of(value: Any) -> str | None:
    error, _ = error_of(value)
    code = error.get("ErrorCode") if error else None
    return code if isinstance(code, str) else None


def is_no_result(answer: Any) -> bool:
    """E30: HTTP 404 with ErrorCode COLLECTION_NO_RESULT — a browse of what the user has none of."""
    return answer.status == 404 and same_code(code_of(answer), NO_RESULT)


# ---- status, code, schema, envelope --------------------------------------------------------------
def status(req: str, answer: Any, expected: int | Collection[int], why: str = "") -> Finding:
    """The HTTP status is ``expected`` (an int, or any of a collection or range of ints)."""
    allowed = {expected} if isinstance(expected, int) else set(expected)
    shown = str(expected) if isinstance(expected, int) else describe_statuses(allowed)
    return Finding(
        req,
        answer.status in allowed,
        f"HTTP status ({why})" if why else "HTTP status",
        shown,
        f"{answer.status}{_status_detail(answer)}",
    )


def error_code(
    req: str, value: Any, code: str | Collection[str], *, exact: bool = False, why: str = ""
) -> Finding:
    """The ErrorCode of ``value`` is ``code`` (or one of several), E01 unless ``exact``."""
    wanted = [code] if isinstance(code, str) else list(code)
    error, where = error_of(value)
    shown = " or ".join(wanted)
    label = f"ErrorCode ({why or where})" + (" spelled exactly" if exact else "")
    if error is None:
        return Finding(req, False, label, shown, "no Error object")
    actual = error.get("ErrorCode")
    return Finding(req, same_code(actual, wanted, exact=exact), label, shown, actual)


def schema(req: str, value: Any, schema_name: str) -> Finding:
    """The body validates against ``schemas/<schema_name>.json`` (LookupError: no such schema)."""
    if _is_answer(value):
        if value.parse_error or value.body is None:
            reason = value.parse_error or "empty body"
            return Finding(
                req, False, f"body is a {schema_name}", f"a {schema_name}", f"unreadable body: {reason}"
            )
        body = value.body
    else:
        body = value
    problems = contract.validate(schema_name, body)
    return Finding(
        req,
        not problems,
        f"body is a {schema_name}",
        f"a valid {schema_name}",
        "valid" if not problems else "; ".join(problems[:5]),
    )


def envelope(req: str, answer: Any) -> Finding:
    """A 4xx answer carries a body with a top-level Error object."""
    top = answer.body.get("Error") if isinstance(answer.body, dict) else None
    exchange = getattr(answer, "exchange", None)
    shown = answer.parse_error or ((getattr(exchange, "response_body", None) or "no body")[:200])
    return Finding(
        req,
        isinstance(top, dict),
        "a 4xx answer carries a top-level Error",
        "a body with an Error object",
        shown,
    )


def error_objects(body: Any) -> list[tuple[str, Any]]:
    """(where, Error) for the top-level Error and every per-item Error of a body."""
    out: list[tuple[str, Any]] = []
    if not isinstance(body, dict):
        return out
    if body.get("Error") is not None:
        out.append(("Error", body["Error"]))
    lists = [("TrackActionResults", body.get("TrackActionResults"))]
    inner = body.get("PlaylistActionResult")
    if isinstance(inner, dict):
        lists.append(("PlaylistActionResult.TrackActionResults", inner.get("TrackActionResults")))
    for where, items in lists:
        if isinstance(items, list):
            out += [
                (f"{where}[{i}].Error", item["Error"])
                for i, item in enumerate(items)
                if isinstance(item, dict) and item.get("Error") is not None
            ]
    return out


def fields_problem(err: Any) -> str | None:
    """What an Error object lacks of ERR-FIELDS (non-empty ErrorCode and Description), or None."""
    if not isinstance(err, dict):
        return f"not an object: {show(err)}"
    missing = [
        k for k in ("ErrorCode", "Description") if not (isinstance(err.get(k), str) and err[k].strip())
    ]
    return f"no non-empty {' and '.join(missing)}" if missing else None


def error_fields(req: str, where: str, err: Any) -> Finding:
    """An Error object carries non-empty ErrorCode and Description (ERR-FIELDS)."""
    return Finding(
        req,
        fields_problem(err) is None,
        f"{where} carries ErrorCode and Description",
        "non-empty ErrorCode and Description",
        err,
    )


def error_rules(status_code: int, body: Any, *, parse_error: str | None = None) -> list[Finding]:
    """Every rule of the error envelope on one answer: its top-level Error and each per-item Error.

    ERR-ENVELOPE (a 4xx answer carries a top-level Error), ERR-FIELDS, ERR-CODE-KNOWN (either
    spelling, E01), ERR-CODE-UNDERSCORE (the spelling itself), ERR-DESCRIPTION, ERR-STATUS (the top
    code's default status is the answer's), ERR-MESSAGE (a Message, when present, is a string).
    """
    found: list[Finding] = []
    if status_code in CLIENT_ERRORS:
        top = body.get("Error") if isinstance(body, dict) else None
        shown = parse_error or (body if body is not None else "no body")
        found.append(
            Finding(
                "ERR-ENVELOPE",
                isinstance(top, dict),
                "a 4xx answer carries a top-level Error",
                "a body with an Error object",
                shown,
            )
        )
    for where, err in error_objects(body):
        found.append(error_fields("ERR-FIELDS", where, err))
        if not isinstance(err, dict):
            continue
        if err.get("Message") is not None:
            found.append(
                Finding(
                    "ERR-MESSAGE",
                    isinstance(err["Message"], str),
                    f"{where}.Message is a string",
                    "a string",
                    err["Message"],
                )
            )
        code = err.get("ErrorCode")
        if not isinstance(code, str):
            continue
        known = error_table.is_documented(code)
        found.append(
            Finding(
                "ERR-CODE-KNOWN", known, f"{where}.ErrorCode is documented", "a code of the error table", code
            )
        )
        if not known:
            continue
        found.append(
            Finding(
                "ERR-CODE-UNDERSCORE",
                "-" not in code,
                f"{where}.ErrorCode is spelled with underscores",
                error_table.normalise(code),
                code,
            )
        )
        if where == "Error":
            found.append(
                Finding(
                    "ERR-STATUS",
                    error_table.default_status(code) == status_code,
                    f"the HTTP status is the default code of {code}",
                    error_table.default_status(code),
                    status_code,
                )
            )
        description = err.get("Description")
        if isinstance(description, str):
            found.append(
                Finding(
                    "ERR-DESCRIPTION",
                    error_table.same_description(description, code),
                    f"{where}.Description is the table's",
                    error_table.description(code),
                    description,
                )
            )
    return found


def auth_refused(req: str, answer: Any, why: str = "without an Authorization header") -> list[Finding]:
    """E19: an unauthenticated request is refused: 401, and (when it is 401) the documented code."""
    found = [
        Finding(
            req,
            answer.status == 401,
            f"the request {why} is refused",
            401,
            f"{answer.status}{_status_detail(answer)}",
        )
    ]
    if answer.status == 401:
        found.append(error_code(req, answer, BAD_AUTH_HEADER, why=f"the request {why}"))
    return found


# ---- per-item results ---------------------------------------------------------------------------
def results_of(value: Any) -> list[Any] | None:
    """The per-item results of an answer or a body: TrackActionResponse.TrackActionResults or
    PlaylistActionResponse.PlaylistActionResult.TrackActionResults (None when not a list)."""
    data = value.body if _is_answer(value) else value
    data = data if isinstance(data, dict) else {}
    if "PlaylistActionResult" in data:
        inner = data.get("PlaylistActionResult")
        found = inner.get("TrackActionResults") if isinstance(inner, dict) else None
    else:
        found = data.get("TrackActionResults")
    return found if isinstance(found, list) else None


def failed(result: Any) -> bool:
    """A per-item result that carries an Error."""
    return isinstance(result, dict) and result.get("Error") is not None


@dataclass
class Matching:
    """Per-item results matched to the request's entries by InputId.

    ``by_entry[i]`` is the result of entry ``i`` (None when no result names it); ``unmatched`` are
    the results that name no remaining entry (a wrong InputId, or one result too many); ``in_order``
    tells whether result ``i`` is entry ``i``'s for every entry.
    """

    inputs: list[str]
    by_entry: list[dict[str, Any] | None]
    unmatched: list[Any] = field(default_factory=list)
    in_order: bool = True

    @property
    def complete(self) -> bool:
        """One result per entry, none left over."""
        return all(r is not None for r in self.by_entry) and not self.unmatched

    def pairs(self) -> list[tuple[int, str, dict[str, Any]]]:
        """(entry index, entry ID, its result) for every matched entry."""
        return [(i, self.inputs[i], r) for i, r in enumerate(self.by_entry) if r is not None]


def match_results(inputs: Sequence[str], results: Sequence[Any] | None) -> Matching:
    """Match ``results`` to ``inputs`` by InputId (as IDs, E13); repeated IDs are paired in turn.

    A result standing at its entry's own position is taken first, so that a server answering in
    request order is matched exactly as positions say (duplicates included).
    """
    entries = list(inputs)
    by_entry: list[dict[str, Any] | None] = [None] * len(entries)
    items = list(results or [])
    unmatched: list[Any] = []
    pending: list[Any] = []
    for pos, result in enumerate(items):
        rid = result.get("InputId") if isinstance(result, dict) else None
        if pos < len(entries) and ids.same_id(rid, entries[pos]):
            by_entry[pos] = result
        else:
            pending.append(result)
    for result in pending:
        rid = result.get("InputId") if isinstance(result, dict) else None
        slot = next((i for i, e in enumerate(entries) if by_entry[i] is None and ids.same_id(rid, e)), None)
        if slot is None:
            unmatched.append(result)
        else:
            by_entry[slot] = result
    in_order = len(items) == len(entries) and all(by_entry[i] is items[i] for i in range(len(entries)))
    return Matching(entries, by_entry, unmatched, in_order)


def one_result_per_entry(req: str, matching: Matching, results: Sequence[Any] | None) -> list[Finding]:
    """MUST ``req``: one result per entry, matched by InputId; SHOULD BATCH-ORDER: in request order."""
    echoed = [r.get("InputId") if isinstance(r, dict) else r for r in results or []]
    if results is None:
        return [Finding(req, False, "per-item results", f"{len(matching.inputs)} results", "no results list")]
    found = [
        Finding(
            req,
            matching.complete,
            "one result per entry (matched by InputId)",
            matching.inputs,
            echoed,
        )
    ]
    if matching.complete:
        found.append(
            Finding(
                ORDER,
                matching.in_order,
                "results in request order (result i is entry i's)",
                matching.inputs,
                echoed,
            )
        )
    return found


def input_ids(
    exact_req: str, matching: Matching, *, case_req: str | None = None, upper_req: str | None = None
) -> list[Finding]:
    """E13: InputId is the entry exactly when the entry is canonical (``exact_req``); for a lower-case
    GUID entry it is the entry ignoring case (``case_req``, matched so already) and, as a SHOULD, the
    canonical upper-case form (``upper_req``)."""
    found: list[Finding] = []
    exact = [(i, sent, r.get("InputId")) for i, sent, r in matching.pairs() if ids.is_canonical(sent)]
    if exact:
        found.append(
            Finding(
                exact_req,
                all(got == sent for _, sent, got in exact),
                "InputId equals each canonical entry exactly",
                [sent for _, sent, _ in exact],
                [got for _, _, got in exact],
            )
        )
    lower = [(i, sent, r.get("InputId")) for i, sent, r in matching.pairs() if not ids.is_canonical(sent)]
    for i, sent, got in lower:
        if case_req:
            found.append(
                Finding(
                    case_req,
                    True,
                    f"entry {i}: InputId is the lower-case GUID ID sent, ignoring case",
                    sent,
                    got,
                )
            )
        if upper_req:
            found.append(
                Finding(
                    upper_req,
                    got == ids.canonical(sent),
                    f"entry {i}: InputId in canonical upper case",
                    ids.canonical(sent),
                    got,
                )
            )
    return found


# ---- helpers of the messages --------------------------------------------------------------------
def describe_statuses(allowed: Collection[int]) -> str:
    ordered = sorted(allowed)
    if set(ordered) >= set(CLIENT_ERRORS) and len(ordered) >= len(CLIENT_ERRORS):
        rest = [s for s in ordered if s not in CLIENT_ERRORS]
        return " or ".join([*map(str, rest), "4xx"])
    if len(ordered) > 3 and ordered == list(range(ordered[0], ordered[-1] + 1)):
        return f"{ordered[0]}..{ordered[-1]}"
    return " or ".join(str(s) for s in ordered)


def _status_detail(answer: Any) -> str:
    code = code_of(answer) if _is_answer(answer) else None
    if code:
        return f" ({code})"
    if getattr(answer, "redirect_refused", None):
        return f" (redirect to {answer.redirect_refused}, not followed)"
    return ""


def _is_answer(value: Any) -> bool:
    return hasattr(value, "parse_error") and hasattr(value, "body") and hasattr(value, "status")
