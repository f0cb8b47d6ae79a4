"""The error envelope and codes, provoked on purpose for every operation.

Every answer of every test is also judged by the suite-wide net (``conftest.py`` ->
``helpers/envelope.py``: ERR-ENVELOPE, ERR-FIELDS, ERR-CODE-KNOWN, ERR-STATUS); this file provokes
each kind of error on each operation — a malformed, empty or wrongly typed body, an unknown playlist,
an over-limit batch, a bad paging parameter, a missing credential, a partial failure — and states the
envelope rules on each answer, with the advisory ones (underscore spelling, the table's Description,
the default status, Message a string when present). Bad bodies also change nothing (read back).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from conformance import judging, readback
from conformance.client import NONE
from conformance.contract import LIMITS
from conformance.ids import unknown_playlist_id
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import add_tracks, make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator
    from conformance.verify import Verify


ENVELOPE = (
    "ERR-ENVELOPE",
    "ERR-FIELDS",
    "ERR-CODE-KNOWN",
    "ERR-CODE-UNDERSCORE",
    "ERR-DESCRIPTION",
    "ERR-STATUS",
    "ERR-MESSAGE",
)
POSTS = ("collection_add", "collection_delete", "playlist_create", "playlist_update", "playlist_delete")
ALL_OPS = (*POSTS, "collection_browse", "playlist_tracks_browse")


def check_error_objects(verify: Verify, r: Any) -> None:
    """The envelope rules on one answer: its top-level Error and every per-item Error."""
    verify.record_all(judging.error_rules(r.status, r.body, parse_error=r.parse_error))


# --- a bad body changes nothing --------------------------------------------------------------------------
class Subject:
    """Data one write could damage, and bodies that name it but are wrong in one member's type."""

    def __init__(
        self, op: str, client: Client, catalog: TrackAllocator, created: Ownership, capabilities: Capabilities
    ) -> None:
        self.op, self.client, self.caps = op, client, capabilities
        self.name = created.name("bad-body")
        self.coerced: dict[str, Any] | None = None
        if op in ("collection_add", "collection_delete"):
            (tid,) = catalog.take(1) if op == "collection_add" else add_tracks(client, catalog, 1)
            # an object where a string is expected: no JSON reader turns it into an ID (E10)
            self.wrong = {"TrackIds": [tid, {"Id": tid}]}
            # a number where a string is expected: a .NET reader may make it "5" (E10, SHOULD)
            self.coerced = {"TrackIds": [tid, 5]}
        elif op == "playlist_create":
            self.wrong = {"Name": self.name, "IsPublished": "yes"}
        else:
            made = make_playlist(client, created, catalog, "bad-body", 1)
            self.wrong = (
                {"Id": made.id, "Name": self.name, "IsPublished": "yes"}
                if op == "playlist_update"
                else {"Id": [made.id]}
            )

    def state(self) -> Any:
        if self.op.startswith("collection"):
            return sorted(readback.collection_track_ids(self.client))
        return sorted((k, v.get("Name")) for k, v in readback.playlists(self.client).items())


# kind -> (the requirement, build the request options, the SHOULD code, the operations it is for)
BODIES: dict[str, tuple[str, Callable[[Subject], dict[str, Any]], str, tuple[str, ...]]] = {
    "malformed-json": (
        "ERR-BODY",
        lambda s: {"content": b'{"TrackIds": ["music.x", ', "content_type": "application/json"},
        "INVALID_INPUT_PARAMETER",
        POSTS,
    ),
    "empty-body": (
        "ERR-BODY-EMPTY",
        lambda s: {"content": b"", "content_type": "application/json"},
        "MISSING_INPUT_PARAMETER",
        POSTS,
    ),
    "json-array": (
        "ERR-BODY",
        lambda s: {"content": b"[]", "content_type": "application/json"},
        "INVALID_INPUT_PARAMETER",
        POSTS,
    ),
    "member-of-wrong-type": ("ERR-BODY", lambda s: {"body": s.wrong}, "INVALID_INPUT_PARAMETER", POSTS),
    "number-in-TrackIds": (
        "ERR-BODY-COERCE",
        lambda s: {"body": s.coerced},
        "INVALID_INPUT_PARAMETER",
        ("collection_add", "collection_delete"),
    ),
}
# E10: an empty body may read as a request without TrackIds (BATCH-EMPTY): 200 with no results
EMPTY_AS_NO_ENTRIES = ("collection_add", "collection_delete")


def _bad_body_cases() -> list[Any]:
    return [
        pytest.param(
            kind,
            op,
            id=f"{kind}-{op}",
            marks=pytest.mark.requirement(req, "ERR-BODY-CODE", *ENVELOPE),
        )
        for kind, (req, _, _, ops) in BODIES.items()
        for op in ops
    ]


@pytest.mark.parametrize(("kind", "op"), _bad_body_cases())
def test_bad_body(kind, op, client, catalog, created, capabilities, verify):
    """E10: a body no reader makes sense of is refused 400 and changes nothing (ERR-BODY); an empty
    body changes nothing and is refused, or for add/delete answered 200 with no results
    (ERR-BODY-EMPTY); a number where an ID is expected SHOULD be refused too (ERR-BODY-COERCE)."""
    subject = Subject(op, client, catalog, created, capabilities)
    before = subject.state() if capabilities.browse else None
    req, build, code, _ops = BODIES[kind]
    r = client.operation(op, **build(subject))
    if kind == "empty-body" and r.status == 200 and op in EMPTY_AS_NO_ENTRIES:
        expect.body(verify, req, r, op)
        got = expect.results(r)
        verify.that(req, not got, "an empty body read as no entries: no results", actual=got)
    else:
        expect.rejected(verify, req, r, op, 400 if req != "ERR-BODY-EMPTY" else expect.CLIENT_ERRORS)
    verify.error_code("ERR-BODY-CODE", r, code)
    check_error_objects(verify, r)
    readback.need_browse(verify, capabilities, "that nothing changed")
    verify.equal(req, subject.state(), before, f"what {op} could change, after the bad body")


# --- every kind of error on every operation ----------------------------------------------------------
def _unknown_playlist() -> str:
    return unknown_playlist_id()


OVER = LIMITS.batch_max + 1
# name -> (operations, send)
PROVOKED: dict[str, tuple[tuple[str, ...], Callable[..., Any]]] = {
    "no-credential": (
        ALL_OPS,
        lambda c, op, cat, names: c.operation(op, **_minimal(op, cat, names), auth=NONE),
    ),
    "unknown-playlist": (
        ("playlist_update", "playlist_delete", "playlist_tracks_browse"),
        lambda c, op, cat, names: c.operation(op, **_minimal(op, cat, names, _unknown_playlist())),
    ),
    "over-limit": (
        ("collection_add", "collection_delete", "playlist_create", "playlist_update"),
        lambda c, op, cat, names: c.operation(op, body=_over(op, cat, names)),
    ),
    "max-items-42": (
        ("collection_browse", "playlist_tracks_browse"),
        lambda c, op, cat, names: c.operation(op, **_minimal(op, cat, names), query={"maxItems": 42}),
    ),
    "partial-failure": (
        ("collection_add", "collection_delete", "playlist_create"),
        lambda c, op, cat, names: c.operation(op, body=_partial(op, cat, names)),
    ),
}


def _minimal(
    op: str,
    catalog: TrackAllocator,
    names: Ownership,
    playlist: str | None = None,
) -> dict[str, Any]:
    """A request of ``op`` that would be valid for a user; ``playlist`` names the playlist it targets."""
    pid = playlist or _unknown_playlist()
    return {
        "collection_add": {"body": {"TrackIds": catalog.invalid(1)}},
        "collection_delete": {"body": {"TrackIds": catalog.invalid(1)}},
        "playlist_create": {"body": {"Name": names.name("envelope")}},
        "playlist_update": {"body": {"Id": pid, "Name": names.name("envelope")}},
        "playlist_delete": {"body": {"Id": pid}},
        "collection_browse": {"path_params": {"type": "tracks"}},
        "playlist_tracks_browse": {"path_params": {"id": pid}},
    }[op]


def _over(op: str, catalog: TrackAllocator, names: Ownership) -> dict[str, Any]:
    ids = catalog.invalid(OVER)
    if op.startswith("collection"):
        return {"TrackIds": ids}
    action: dict[str, Any] = {
        "Name": names.name("envelope"),
        "TrackActions": [{"Id": i, "Action": "Add"} for i in ids],
    }
    if op == "playlist_update":
        action["Id"] = _unknown_playlist()
    return action


def _partial(op: str, catalog: TrackAllocator, names: Ownership) -> dict[str, Any]:
    ids = catalog.invalid(1)
    if op.startswith("collection"):
        return {"TrackIds": ids}
    return {"Name": names.name("envelope"), "TrackActions": [{"Id": ids[0], "Action": "Add"}]}


@pytest.mark.requirement(*ENVELOPE)
@pytest.mark.parametrize(
    ("kind", "op"), [pytest.param(k, op, id=f"{op}-{k}") for k, (ops, _) in PROVOKED.items() for op in ops]
)
def test_error_answer_envelope(kind, op, client, catalog, created, capabilities, verify):
    readback.require_operation(capabilities, op)
    r = PROVOKED[kind][1](client, op, catalog, created)
    verify.that(
        "ERR-ENVELOPE",
        expect.is_error_answer(r)
        or (expect.results(r) and any(expect.item_error(g) for g in expect.results(r))),
        "an error was reported",
        actual=r.status,
    )
    expect.body(verify, "ERR-ENVELOPE", r, op)
    check_error_objects(verify, r)


@pytest.mark.requirement("ERR-OK-200")
@pytest.mark.parametrize("op", ALL_OPS)
def test_success_is_200(op, client, catalog, created, capabilities, verify):
    readback.require_operation(capabilities, op)
    # collection_browse lists playlists: one of its own, or an empty list may be a 404 (E30)
    needs_playlist = op in (
        "playlist_update", "playlist_delete", "playlist_tracks_browse", "collection_browse"
    )
    made = make_playlist(client, created, catalog, "ok-200", 1) if needs_playlist else None
    if op == "collection_add":
        r = client.collection_add(catalog.take(1))
    elif op == "collection_delete":
        r = client.collection_delete(add_tracks(client, catalog, 1))
    elif op == "playlist_create":
        r = client.playlist_create({"Name": created.name("ok-200")})
    elif op == "playlist_update":
        r = client.playlist_update({"Id": made.id, "Name": created.name("ok-200-renamed")})
    elif op == "playlist_delete":
        r = client.playlist_delete({"Id": made.id})
    elif op == "collection_browse":
        r = client.collection_browse("playlists")
    else:
        r = client.playlist_tracks_browse(made.id)
    expect.ok(verify, "ERR-OK-200", r, op)
    verify.that("ERR-OK-200", r.error is None, "no top-level Error in a full success", actual=r.error)
