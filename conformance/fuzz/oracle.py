"""What the answer to one generated request must be, as the documents and the errata positions say.

Schemathesis knows the contract's shapes, not the documents' rules, and its "positive" and
"negative" are about JSON Schema validity, which is not the same as "must be accepted" or "must be
rejected" here. Left alone, it reports correct answers of a faithful server as failures. So every
generated request is judged by :func:`expect` first:

* a request the documents say must be rejected gets a *reject* expectation naming the requirement
  (a wrongly typed body: ERR-BODY; an empty name: NAME-EMPTY; 101 IDs in an add: ADD-LIMIT-101;
  an unknown playlist: PUPD-UNKNOWN; a reorder mixed with adds: REORDER-MIXED; ...);
* a request where the documents allow more than one answer is judged only on what every answer
  must have, never on the status:

  - unknown members in a body (E10: DataContract readers usually ignore them),
  - a Name of 129-256 characters outside the Basic Multilingual Plane (valid JSON Schema, more than
    256 UTF-16 units: rejected by a .NET service — E09, a SHOULD),
  - ``null`` members (DataContract reads them as absent),
  - Actions other than Add in a create, lower-case or unknown Action names (E03),
  - a create carrying an Id (E05: ignored), a delete's members other than Id ("ignored"),
  - an empty or missing TrackIds (E10: 200 with no results or 400),
  - orderBy, continuationToken, contentType or page values the contract cannot judge;

* a Move naming tracks not in the playlist may be refused with 4xx or answered 200 with a top-level
  Error (E07b: *error-reported*); 101 TrackActions in an update, or 101 IDs in a collection delete,
  may be applied in full or refused (E08, E21: *applied-or-rejected*);
* anything else must succeed with HTTP 200 (partial failures too, E12), with per-item outcomes the
  pool can predict: catalog IDs are added, minted ones fail.

When several rules reject a request, any of their statuses is right (the service may check in any
order); a rule that rejects always wins over one that leaves the answer open.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from conformance import contract
from conformance.contract import LIMITS
from conformance.fuzz.pool import IdPool
from conformance.ids import key, utf16_units

CLIENT_ERRORS = frozenset(range(400, 500))
INT32_MAX = 2**31 - 1
OK = frozenset({200})
OK_OR_CLIENT_ERROR = OK | CLIENT_ERRORS
# Characters XML 1.0 cannot carry (https://www.w3.org/TR/xml/#charsets).
NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# Every requirement an expectation may name (the outcome check declares them).
REQUIREMENTS: tuple[str, ...] = (
    "ERR-OK-200",
    "ERR-BODY",
    "ERR-BODY-CODE",
    "ERR-BODY-EMPTY",
    "ERR-BODY-COERCE",
    "PARTIAL-200",
    "PARTIAL-ALL-200",
    "BATCH-EMPTY",
    "ADD-LIMIT-101",
    "ADD-LIMIT-DUPS",
    "CDEL-LIMIT-101",
    "CDEL-LIMIT-CODE",
    "PCRE-METADATA",
    "PCRE-LIMIT-101",
    "PCRE-LIMIT-CODE",
    "PUPD-ID-REQUIRED",
    "PUPD-ID-CODE",
    "PUPD-UNKNOWN",
    "PUPD-UNKNOWN-CODE",
    "PUPD-LIMIT-101",
    "PUPD-LIMIT-CODE",
    "PUPD-INVALID-ITEM",
    "PDEL-OK",
    "PDEL-ID-REQUIRED",
    "PDEL-UNKNOWN",
    "PDEL-ACTIONS",
    "PDEL-ACTIONS-IGNORED",
    "REORDER-RESPONSE",
    "REORDER-MIXED",
    "REORDER-MIXED-CODE",
    "REORDER-BAD-MOVED",
    "REORDER-BAD-TARGET",
    "REORDER-INVALID-CODE",
    "NAME-MISSING",
    "NAME-MISSING-CODE",
    "NAME-EMPTY",
    "NAME-EMPTY-UPDATE",
    "NAME-EMPTY-REFUSED",
    "NAME-OVER",
    "NAME-OVER-CODE",
    "NAME-ASTRAL-OVER",
    "BROWSE-TYPES",
    "BROWSE-EMPTY-200",
    "BROWSE-PL-TRACKS",
    "BROWSE-PL-UNKNOWN",
    "BROWSE-MAXITEMS-OVER",
    "BROWSE-MAXITEMS-CODE",
)

_ADD_MEMBERS = {"TrackIds"}
_PLAYLIST_MEMBERS = {
    "Id",
    "Name",
    "IsPublished",
    "TrackActions",
    "InsertBeforeTrackId",
    "CollectionStateToken",
    "IsReadOnly",
}
_ACTIONS = {"add", "delete", "move", "remove"}


@dataclass(frozen=True)
class Should:
    """A SHOULD of the catalogue about the answer: its status and (any of) its ErrorCodes."""

    requirement: str
    status: int
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One reason the documents give for an answer."""

    kind: str  # "reject" | "open" | "error-reported" | "applied-or-rejected" | "batch-empty"
    requirement: str | None
    statuses: frozenset[int] | None
    why: str
    should: Should | None = None


@dataclass
class Expectation:
    """What the answer to one request must be (see the module docstring)."""

    operation: str
    requirement: str | None  # the MUST requirement the status is judged under (None: not judged)
    statuses: frozenset[int] | None  # allowed statuses; None = any non-5xx
    why: str
    should: Should | None = None
    top_error_if_200: bool = False  # E07b: a 200 must then carry a top-level Error
    kind: str = "ok"
    # Inputs whose results the answer lists, in request order, and what each must turn into:
    # "ok" (succeeds), "fail" (fails per item, COLLECTION_INVALID_ID), "?" (either).
    inputs: list[str] = field(default_factory=list)
    verbs: list[str] = field(default_factory=list)  # "add" | "delete" per input
    outcomes: list[str] = field(default_factory=list)
    batch: bool = False  # the answer lists one result per input when it is a 200
    playlist_id: str | None = None  # the playlist a playlist request names (update, delete, browse)
    move: bool = False  # an update made of Move actions only

    @property
    def rejects(self) -> bool:
        return self.kind == "reject"


def _name_rules(name: Any, required: bool) -> list[Rule]:
    if name is None:
        if required:
            return [
                Rule(
                    "reject",
                    "NAME-MISSING",
                    frozenset({400}),
                    "create without a Name",
                    Should("NAME-MISSING-CODE", 400, ("COLLECTION_INVALID_PLAYLIST_INFO",)),
                )
            ]
        return []
    if not isinstance(name, str):
        return [_wrong_type("Name")]
    if utf16_units(name) < LIMITS.name_min:
        if not required:
            # E10: an empty Name in an update may be read as "no new name"; the name never becomes
            # empty (read back by the scenarios and the state machine), the status is open.
            return [
                Rule(
                    "applied-or-rejected",
                    "NAME-EMPTY-UPDATE",
                    OK_OR_CLIENT_ERROR,
                    "empty Name in an update",
                    Should("NAME-EMPTY-REFUSED", 400),
                )
            ]
        return [
            Rule(
                "reject",
                "NAME-EMPTY",
                frozenset({400}),
                "empty Name",
                Should("NAME-MISSING-CODE", 400, ("COLLECTION_INVALID_PLAYLIST_INFO",)),
            )
        ]
    if len(name) > LIMITS.name_max:
        # More than 256 characters however they are counted.
        return [
            Rule(
                "reject",
                "NAME-OVER",
                frozenset({400}),
                f"Name of {len(name)} characters",
                Should("NAME-OVER-CODE", 400, ("INVALID_INPUT_PARAMETER",)),
            )
        ]
    if utf16_units(name) > LIMITS.name_max:
        return [
            Rule(
                "open",
                None,
                None,
                f"Name of {len(name)} code points, {utf16_units(name)} UTF-16 units (E09)",
                Should("NAME-ASTRAL-OVER", 400),
            )
        ]
    if not name.strip():
        # E26: whether a name of only white space is "empty" is silent (variant blank-name-empty)
        return [Rule("open", None, None, "a Name of only white space (E26: not tested)")]
    return []


def _wrong_type(member: str) -> Rule:
    return Rule(
        "reject",
        "ERR-BODY",
        frozenset({400}),
        f"{member} of the wrong type",
        Should("ERR-BODY-CODE", 400, ("INVALID_INPUT_PARAMETER",)),
    )


def _unknown_members(body: dict[str, Any], known: set[str]) -> list[Rule]:
    extra = sorted(str(k) for k in body if k not in known)
    if extra:
        return [Rule("open", None, None, f"unknown members {extra} (E10: not tested)")]
    return []


def _nulls(body: dict[str, Any]) -> tuple[dict[str, Any], list[Rule]]:
    """DataContract reads a null member as absent: judge the body without them, and leave the rest open."""
    nulls = [k for k, v in body.items() if v is None and k != "InsertBeforeTrackId"]
    if not nulls:
        return body, []
    rest = {k: v for k, v in body.items() if k not in nulls}
    return rest, [Rule("open", None, None, f"null members {nulls} (read as absent by DataContract)")]


def expect(
    operation: str,
    body: Any,
    query: dict[str, Any],
    path: dict[str, Any],
    pool: IdPool,
    *,
    has_body: bool = True,
) -> Expectation:
    """The expectation for one request (see the module docstring)."""
    rules: list[Rule] = []
    exp = Expectation(operation, None, None, "")
    if path.get("namespace", "music") != "music":
        rules.append(Rule("open", None, None, "a namespace other than music"))
    rules += _query_rules(operation, query)
    if operation in ("collection_browse", "playlist_tracks_browse"):
        rules += _browse_rules(operation, path, pool, exp)
    elif not has_body:
        # E10: an empty body may read as a request without TrackIds (200 with no results) on add and
        # collection delete; anywhere else it is refused.
        batch = operation in ("collection_add", "collection_delete")
        rules.append(
            Rule(
                "applied-or-rejected" if batch else "reject",
                "ERR-BODY-EMPTY",
                OK_OR_CLIENT_ERROR if batch else CLIENT_ERRORS,
                "an empty body",
                Should("ERR-BODY-CODE", 400, ("INVALID_INPUT_PARAMETER", "MISSING_INPUT_PARAMETER")),
            )
        )
    elif not isinstance(body, dict):
        rules.append(
            Rule(
                "reject",
                "ERR-BODY",
                frozenset({400}),
                "the body is not a JSON object",
                Should("ERR-BODY-CODE", 400, ("INVALID_INPUT_PARAMETER", "MISSING_INPUT_PARAMETER")),
            )
        )
    else:
        body, null_rules = _nulls(body)
        rules += null_rules
        if any(NOT_XML_CHAR.search(text) for text in _strings(body)):
            rules.append(Rule("open", None, None, "a character XML 1.0 cannot carry"))
        if operation in ("collection_add", "collection_delete"):
            rules += _batch_rules(operation, body, pool, exp)
        elif operation == "playlist_create":
            rules += _create_rules(body, pool, exp)
        elif operation == "playlist_update":
            rules += _update_rules(body, pool, exp)
        elif operation == "playlist_delete":
            rules += _delete_rules(body, pool, exp)
    return _combine(exp, rules)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _combine(exp: Expectation, rules: list[Rule]) -> Expectation:
    rejects = [r for r in rules if r.kind == "reject"]
    if rejects:
        exp.kind = "reject"
        exp.requirement = rejects[0].requirement
        statuses: frozenset[int] = frozenset()
        for r in rejects:
            statuses |= r.statuses or CLIENT_ERRORS
        exp.statuses = statuses
        # The ErrorCode is only expected of a request with nothing else wrong with it.
        exp.should = rejects[0].should if len(rules) == 1 else None
        exp.why = "; ".join(r.why for r in rejects)
        return exp
    exp.should = rules[0].should if len(rules) == 1 else None
    if len(rules) > 1 or any(r.kind == "open" for r in rules):
        exp.kind, exp.requirement, exp.statuses = "open", None, None
        exp.why = "; ".join(r.why for r in rules)
        return exp
    if rules:
        rule = rules[0]
        exp.kind, exp.requirement, exp.statuses, exp.why = (
            rule.kind,
            rule.requirement,
            rule.statuses,
            rule.why,
        )
        exp.top_error_if_200 = rule.kind == "error-reported"
        return exp
    # Nothing against it: it must succeed (a partial failure is a success too, E12).
    exp.kind = "ok"
    exp.statuses = OK
    exp.why = "a valid request"
    exp.requirement = _ok_requirement(exp)
    if exp.operation == "collection_browse":
        # E30: a type the user has none of may be answered 404 COLLECTION_NO_RESULT.
        exp.statuses = OK | {404}
        exp.should = Should("BROWSE-EMPTY-200", 200)
        exp.why = "a browse of a supported type (E30: 404 when the user has none)"
        return exp
    if exp.batch and exp.outcomes and "ok" not in exp.outcomes:
        if exp.operation == "playlist_update":
            # E06: an update whose actions fail per item is still HTTP 200, however many fail.
            exp.requirement = "PUPD-INVALID-ITEM" if "fail" in exp.outcomes else "ERR-OK-200"
            return exp
        # No item is sure to succeed. When all fail, each result carries an Error (PARTIAL-ALL-FAIL)
        # and HTTP 200 is a SHOULD (E12).
        exp.kind, exp.statuses, exp.requirement = "open", None, None
        if all(o == "fail" for o in exp.outcomes):
            exp.why = "every item fails"
            exp.should = Should("PARTIAL-ALL-200", 200, ("COLLECTION_SOME_OPERATIONS_FAILED",))
        else:
            exp.why = "no item is sure to succeed"
    return exp


def _ok_requirement(exp: Expectation) -> str:
    if exp.batch and "fail" in exp.outcomes and "ok" in exp.outcomes:
        return "PUPD-INVALID-ITEM" if exp.operation == "playlist_update" else "PARTIAL-200"
    return {
        "playlist_create": "PCRE-METADATA" if not exp.inputs else "ERR-OK-200",
        "playlist_delete": "PDEL-OK",
        "collection_browse": "BROWSE-TYPES",
        "playlist_tracks_browse": "BROWSE-PL-TRACKS",
    }.get(exp.operation, "REORDER-RESPONSE" if exp.move else "ERR-OK-200")


# ---- per operation ----------------------------------------------------------------------------------
def _query_rules(operation: str, query: dict[str, Any]) -> list[Rule]:
    rules: list[Rule] = []
    known = {"contentType"}
    if operation in ("collection_browse", "playlist_tracks_browse"):
        known |= {"orderBy", "maxItems", "page", "continuationToken"}
    extra = sorted(k for k in query if k not in known)
    if extra:
        rules.append(Rule("open", None, None, f"undocumented query parameters {extra}"))
    if "contentType" in query and query["contentType"] not in ("json",):
        rules.append(Rule("open", None, None, "a contentType the contract does not list"))
    if operation not in ("collection_browse", "playlist_tracks_browse"):
        return rules
    max_items = query.get("maxItems")
    if max_items is not None:
        value = _as_int(max_items)
        if value is not None and value > LIMITS.browse_max_items:
            rules.append(
                Rule(
                    "reject",
                    "BROWSE-MAXITEMS-OVER",
                    frozenset({400}),
                    f"maxItems={value}",
                    Should("BROWSE-MAXITEMS-CODE", 400, ("INVALID_INPUT_PARAMETER",)),
                )
            )
        elif value is None or value < 1:
            rules.append(Rule("open", None, None, f"maxItems={max_items!r} (E18: not tested)"))
    page = _as_int(query["page"]) if "page" in query else 0
    if page is None or not 0 <= page <= INT32_MAX:
        rules.append(Rule("open", None, None, f"page={query['page']!r} (not a non-negative 32-bit integer)"))
    if "orderBy" in query:
        rules.append(Rule("open", None, None, "an orderBy the contract cannot judge"))
    if "continuationToken" in query:
        rules.append(
            Rule(
                "open",
                None,
                None,
                # Not judged, not even as a SHOULD: a token can reach here through the NextPage
                # link, i.e. one the service did issue (and an empty one is a silence). Forged
                # tokens are checked by the scenario suite (test_browse.py, BROWSE-BAD-TOKEN).
                "a continuationToken the oracle cannot tell issued from forged",
            )
        )
    return rules


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]{1,18}", value.strip()):
        return int(value)
    return None


def _browse_rules(operation: str, path: dict[str, Any], pool: IdPool, exp: Expectation) -> list[Rule]:
    if operation == "collection_browse":
        kind = path.get("type")
        if kind not in contract.BROWSE_TYPES:
            return [Rule("open", None, None, f"browse type {kind!r} is not documented")]
        return []
    pid = path.get("id")
    exp.playlist_id = pid if isinstance(pid, str) else None
    return _known_playlist_rules(pid, pool, "BROWSE-PL-UNKNOWN", "tracks browse of an unknown playlist")


def _known_playlist_rules(pid: Any, pool: IdPool, unknown_req: str, unknown_why: str) -> list[Rule]:
    """A playlist Id the run owns: no rule of its own; one the run minted (no user has it): refused
    under ``unknown_req``, best with 404 COLLECTION_NO_RESULT; any other: open (not the run's)."""
    if pool.owns_playlist(pid):
        return []
    if pool.is_minted(pid):
        return [
            Rule(
                "reject",
                unknown_req,
                CLIENT_ERRORS,
                unknown_why,
                Should("PUPD-UNKNOWN-CODE", 404, ("COLLECTION_NO_RESULT",)),
            )
        ]
    return [Rule("open", None, None, f"playlist Id {pid!r} the pool does not know")]


def _batch_rules(operation: str, body: dict[str, Any], pool: IdPool, exp: Expectation) -> list[Rule]:
    rules = _unknown_members(body, _ADD_MEMBERS)
    ids = body.get("TrackIds")
    if ids is None or ids == []:
        return rules + [
            Rule("batch-empty", "BATCH-EMPTY", frozenset({200, 400}), "empty or missing TrackIds")
        ]
    if not isinstance(ids, list):
        return rules + [_wrong_type("TrackIds")]
    if any(i is None for i in ids):
        rules.append(Rule("open", None, None, "null items in TrackIds"))
    if any(isinstance(i, (dict, list)) for i in ids):
        return rules + [_wrong_type("a TrackIds item")]
    if any(not isinstance(i, str) and i is not None for i in ids):
        # E10: a .NET reader turns a number or boolean into its text, an ID that names nothing.
        return rules + [
            Rule("open", None, None, "a number or boolean in TrackIds", Should("ERR-BODY-COERCE", 400))
        ]
    if len(ids) > LIMITS.batch_max:
        if operation == "collection_add":
            dups = len({key(i) for i in ids if isinstance(i, str)}) < len(ids)
            req = "ADD-LIMIT-DUPS" if dups else "ADD-LIMIT-101"
            return rules + [
                Rule(
                    "reject",
                    req,
                    frozenset({400}),
                    f"{len(ids)} TrackIds",
                    Should(req, 400, ("COLLECTION_INVALID_OPERATION",)),
                )
            ]
        exp.batch = True
        exp.inputs, exp.verbs = list(ids), ["delete"] * len(ids)
        return rules + [
            Rule(
                "applied-or-rejected",
                "CDEL-LIMIT-101",
                OK_OR_CLIENT_ERROR,
                f"{len(ids)} TrackIds",
                Should("CDEL-LIMIT-CODE", 400, ("COLLECTION_INVALID_OPERATION",)),
            )
        ]
    exp.batch = True
    exp.inputs = [i for i in ids if isinstance(i, str)]
    verb = "add" if operation == "collection_add" else "delete"
    exp.verbs = [verb] * len(exp.inputs)
    seen: set[str] = set()
    for i in exp.inputs:
        if pool.is_minted(i):
            outcome = "fail"
        elif key(i) in seen:
            outcome = "?"  # the same ID again in one batch: whether the repeat succeeds is open (E14)
        elif verb == "add":
            # A track already in the collection may be answered either way (E17).
            outcome = "ok" if pool.known_absent(i) else "?"
        else:
            outcome = "ok" if pool.owns_collection_id(i) else "?"
        seen.add(key(i))
        exp.outcomes.append(outcome)
    return rules


def _actions(body: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, list[Rule]]:
    actions = body.get("TrackActions")
    if actions is None:
        return None, []
    if not isinstance(actions, list):
        return None, [_wrong_type("TrackActions")]
    rules: list[Rule] = []
    for a in actions:
        if not isinstance(a, dict):
            return None, [_wrong_type("a TrackActions item")]
        extra = [k for k in a if k not in ("Id", "Action")]
        if extra:
            rules.append(Rule("open", None, None, f"unknown TrackAction members {extra}"))
        for member in ("Id", "Action"):
            if member not in a or a[member] is None:
                rules.append(Rule("open", None, None, f"a TrackAction without {member}"))
            elif not isinstance(a[member], str):
                return None, [_wrong_type(f"TrackAction.{member}")]
        verb = a.get("Action")
        if isinstance(verb, str) and verb not in ("Add", "Delete", "Move"):
            rules.append(Rule("open", None, None, f"Action {verb!r} (E03)"))
    return actions, rules


def _common_playlist_rules(body: dict[str, Any]) -> list[Rule]:
    rules = _unknown_members(body, _PLAYLIST_MEMBERS)
    if "IsPublished" in body and not isinstance(body["IsPublished"], bool):
        rules.append(_wrong_type("IsPublished"))
    if "IsReadOnly" in body and not isinstance(body["IsReadOnly"], bool):
        rules.append(Rule("open", None, None, "IsReadOnly that is not a boolean (E04)"))
    for member in ("CollectionStateToken", "InsertBeforeTrackId"):
        if body.get(member) is not None and not isinstance(body[member], str):
            rules.append(_wrong_type(member))
    return rules


def _per_item(
    exp: Expectation, actions: Iterable[dict[str, Any]], pool: IdPool, playlist: str | None
) -> None:
    exp.batch = True
    seen: set[str] = set()
    for a in actions:
        verb, tid = a.get("Action"), a.get("Id")
        if not isinstance(verb, str) or not isinstance(tid, str):
            continue
        v = verb.lower()
        exp.inputs.append(tid)
        exp.verbs.append("add" if v == "add" else "delete")
        if v == "add" and playlist is not None and pool.is_catalog(tid):
            outcome = "?"  # E31: the track may be in the playlist already, and a repeat may fail
        elif v == "add":
            outcome = "ok" if pool.is_catalog(tid) else "fail" if pool.is_minted(tid) else "?"
        elif playlist is not None and pool.is_entry_of(playlist, tid) and tid not in seen:
            outcome = "ok"
        else:
            outcome = "fail" if pool.is_minted(tid) else "?"
        if verb not in ("Add", "Delete"):
            outcome = "?"
        seen.add(tid)
        exp.outcomes.append(outcome)


def _create_rules(body: dict[str, Any], pool: IdPool, exp: Expectation) -> list[Rule]:
    rules = _common_playlist_rules(body) + _name_rules(body.get("Name"), required=True)
    if "Id" in body:
        rules.append(Rule("open", None, None, "an Id on create (E05: ignored)"))
    actions, action_rules = _actions(body)
    rules += action_rules
    if actions is None:
        return rules
    if len(actions) > LIMITS.batch_max:
        return rules + [
            Rule(
                "reject",
                "PCRE-LIMIT-101",
                frozenset({400}),
                f"{len(actions)} TrackActions",
                Should("PCRE-LIMIT-CODE", 400, ("COLLECTION_INVALID_OPERATION",)),
            )
        ]
    if any(a.get("Action") != "Add" for a in actions):
        rules.append(Rule("open", None, None, "a create with actions other than Add"))
    if actions:
        _per_item(exp, actions, pool, None)
    return rules


def _playlist_id_rules(
    body: dict[str, Any], pool: IdPool, exp: Expectation, op_req: str, missing_req: str
) -> list[Rule]:
    pid = body.get("Id")
    if pid is None:
        return [
            Rule(
                "reject",
                missing_req,
                CLIENT_ERRORS,
                "no playlist Id",
                Should("PUPD-ID-CODE", 400, ("MISSING_INPUT_PARAMETER",)),
            )
        ]
    if not isinstance(pid, str):
        return [_wrong_type("Id")]
    exp.playlist_id = pid
    return _known_playlist_rules(pid, pool, op_req, "an unknown playlist Id")


def _update_rules(body: dict[str, Any], pool: IdPool, exp: Expectation) -> list[Rule]:
    rules = _common_playlist_rules(body) + _name_rules(body.get("Name"), required=False)
    rules += _playlist_id_rules(body, pool, exp, "PUPD-UNKNOWN", "PUPD-ID-REQUIRED")
    actions, action_rules = _actions(body)
    rules += action_rules
    if not actions:
        return rules
    verbs = {a.get("Action").lower() for a in actions if isinstance(a.get("Action"), str)}
    moves = "move" in verbs
    if moves and verbs & {"add", "delete", "remove"}:
        # E07(a): an error is reported, as a 4xx or as an "HTTP 200 error" with the Moves failed.
        return rules + [
            Rule(
                "error-reported",
                "REORDER-MIXED",
                OK_OR_CLIENT_ERROR,
                "Move mixed with Add or Delete",
                Should("REORDER-MIXED-CODE", 400, ("COLLECTION_INVALID_PLAYLIST_REORDER",)),
            )
        ]
    if len(actions) > LIMITS.batch_max:
        if not moves:
            exp.playlist_id = body.get("Id") if isinstance(body.get("Id"), str) else None
            _per_item(exp, actions, pool, exp.playlist_id)
        return rules + [
            Rule(
                "applied-or-rejected",
                "PUPD-LIMIT-101",
                OK_OR_CLIENT_ERROR,
                f"{len(actions)} TrackActions",
                Should("PUPD-LIMIT-CODE", 400, ("COLLECTION_INVALID_OPERATION",)),
            )
        ]
    if moves:
        exp.move = True
        return rules + _move_rules(body, actions, pool)
    if verbs - {"add", "delete"}:
        rules.append(Rule("open", None, None, f"actions {sorted(verbs)}"))
    _per_item(exp, actions, pool, body.get("Id") if isinstance(body.get("Id"), str) else None)
    return rules


def _move_rules(body: dict[str, Any], actions: list[dict[str, Any]], pool: IdPool) -> list[Rule]:
    pid = body.get("Id")
    if not pool.owns_playlist(pid):
        return []  # the playlist rules already judge it
    moved = [a.get("Id") for a in actions]
    target = body.get("InsertBeforeTrackId")
    if any(a.get("Action") != "Move" for a in actions):
        return [Rule("open", None, None, "a Move action not spelled Move (E03)")]
    if len(set(moved)) != len(moved) or (target is not None and target in moved):
        return [Rule("open", None, None, "a track moved twice, or moved before itself")]
    if any(pool.is_minted(m) for m in moved):
        return [
            Rule(
                "error-reported",
                "REORDER-BAD-MOVED",
                None,
                "a moved track that is not in the playlist",
                Should("REORDER-INVALID-CODE", 400, ("COLLECTION_INVALID_PLAYLIST_REORDER",)),
            )
        ]
    if target is not None and pool.is_minted(target):
        return [
            Rule(
                "error-reported",
                "REORDER-BAD-TARGET",
                None,
                "InsertBeforeTrackId not in the playlist",
                Should("REORDER-INVALID-CODE", 400, ("COLLECTION_INVALID_PLAYLIST_REORDER",)),
            )
        ]
    if all(pool.is_entry_of(pid, m) for m in moved) and (target is None or pool.is_entry_of(pid, target)):
        return []
    return [Rule("open", None, None, "a Move the pool cannot judge")]


def _delete_rules(body: dict[str, Any], pool: IdPool, exp: Expectation) -> list[Rule]:
    rules = _playlist_id_rules(body, pool, exp, "PDEL-UNKNOWN", "PDEL-ID-REQUIRED")
    others = {k: v for k, v in body.items() if k != "Id"}
    if others and contract.validate("PlaylistAction", others):
        # "all other metadata will be ignored" — a well-formed member is (PDEL-IGNORES); a malformed
        # one may be read, and refused, before it is ignored.
        rules.append(Rule("open", None, None, f"malformed members {sorted(others)} that a delete ignores"))
    elif others.get("TrackActions"):
        # E29: actions are not "metadata": ignored (SHOULD) or the delete refused; never applied.
        rules.append(
            Rule(
                "applied-or-rejected",
                "PDEL-ACTIONS",
                OK_OR_CLIENT_ERROR,
                "a playlist delete carrying TrackActions",
                Should("PDEL-ACTIONS-IGNORED", 200),
            )
        )
    return rules
