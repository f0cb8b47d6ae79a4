"""Reordering a playlist with Move actions (003 "Reorder tracks in a playlist", E07).

On a playlist of five tracks [A B C D E]: one track before another, to the start, forward, to the end
(``InsertBeforeTrackId`` absent and null), several tracks listed in the order they stand (before a
track, to the start, to the end) — read back in playlist order; several tracks listed out of their
order (either order is accepted, E07(d)). And the invalid reorders of E07: Move mixed with Add or
Delete (an error is reported and no Move takes effect; SHOULD: refused whole, nothing changed), a
target that is not in the playlist (an error, the order unchanged) and a moved Id that is not in the
playlist (an error, no track added or lost, the order unchanged when no moved Id is in the playlist;
SHOULD: nothing moves when some are).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from conformance import readback
from conformance.ids import unknown_track_id
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator
    from conformance.verify import Verify


REORDER_CODE = "COLLECTION_INVALID_PLAYLIST_REORDER"
ABSENT = "absent"
NULL = "null"
LETTERS = "ABCDE"

# name -> (moved letters, target letter / ABSENT / NULL, expected order, requirement)
MOVES: dict[str, tuple[str, str, str, str]] = {
    "one-before-another": ("D", "B", "ADBCE", "REORDER-ONE"),
    "one-to-the-start": ("C", "A", "CABDE", "REORDER-ONE"),
    "one-forward": ("A", "D", "BCADE", "REORDER-ONE"),
    "one-to-the-end-target-absent": ("B", ABSENT, "ACDEB", "REORDER-TO-END"),
    "one-to-the-end-target-null": ("B", NULL, "ACDEB", "REORDER-TO-END"),
    "several-in-order-before-a-track": ("BD", "E", "ACBDE", "REORDER-MULTI"),
    "several-in-order-to-the-start": ("CE", "A", "CEABD", "REORDER-MULTI"),
    "several-in-order-to-the-end": ("AC", ABSENT, "BDEAC", "REORDER-MULTI"),
}


def _playlist(
    client: Client, created: Ownership, catalog: TrackAllocator, capabilities: Capabilities, label: str
) -> tuple[Any, dict[str, str]]:
    made = make_playlist(client, created, catalog, label, len(LETTERS), capabilities=capabilities)
    return made, dict(zip(LETTERS, made.entries, strict=True))


def _move(made: Any, ids: dict[str, str], moved: str, target: str) -> dict[str, Any]:
    action: dict[str, Any] = {
        "Id": made.id,
        "TrackActions": [{"Id": ids[m], "Action": "Move"} for m in moved],
    }
    if target == NULL:
        action["InsertBeforeTrackId"] = None
    elif target != ABSENT:
        action["InsertBeforeTrackId"] = ids[target]
    return action


def _response(verify: Verify, r: Any, playlist_id: str) -> None:
    expect.ok(verify, "REORDER-RESPONSE", r, "playlist_update")
    got = expect.playlist_result(r).get("Id")
    verify.that(
        "REORDER-RESPONSE",
        isinstance(got, str) and got.upper() == playlist_id.upper(),
        "PlaylistActionResult.Id is the playlist's Id",
        expected=playlist_id,
        actual=got,
    )


CASES = [
    pytest.param(name, id=name, marks=pytest.mark.requirement(req, "REORDER-RESPONSE", "BROWSE-PL-ORDER"))
    for name, (_, _, _, req) in MOVES.items()
]


@pytest.mark.parametrize("case", CASES)
def test_move(case, client, catalog, created, capabilities, verify):
    moved, target, expected, req = MOVES[case]
    made, ids = _playlist(client, created, catalog, capabilities, f"reorder-{case}")
    r = client.playlist_update(_move(made, ids, moved, target))
    _response(verify, r, made.id)

    readback.need_tracks_browse(verify, capabilities, "the new order")
    order = readback.playlist_track_ids(client, made.id)
    names = {v: k for k, v in ids.items()}
    verify.equal(req, "".join(names.get(i, "?") for i in order), expected, "the playlist's order, read back")


@pytest.mark.requirement("REORDER-UNSORTED", "REORDER-RESPONSE")
def test_move_several_listed_out_of_their_order(client, catalog, created, capabilities, verify):
    """E07(d): D and B moved before E end up right before E, as listed (ACDBE) or as they stood (ACBDE)."""
    made, ids = _playlist(client, created, catalog, capabilities, "reorder-unsorted")
    r = client.playlist_update(_move(made, ids, "DB", "E"))
    _response(verify, r, made.id)

    readback.need_tracks_browse(verify, capabilities, "the new order")
    order = readback.playlist_track_ids(client, made.id)
    names = {v: k for k, v in ids.items()}
    got = "".join(names.get(i, "?") for i in order)
    verify.that(
        "REORDER-UNSORTED",
        got in ("ACDBE", "ACBDE"),
        "D and B contiguous right before E, in the listed or the original order; A, C, E in order",
        expected="ACDBE or ACBDE",
        actual=got,
    )


def _foreign_track(
    client: Client,
    created: Ownership,
    catalog: TrackAllocator,
    capabilities: Capabilities,
) -> str:
    """A track Id of another playlist of the same user: real, but not in the one reordered."""
    other = make_playlist(client, created, catalog, "reorder-elsewhere", 1, capabilities=capabilities)
    return other.entries[0]


@dataclass(frozen=True)
class Invalid:
    """One invalid reorder: its MUST, the SHOULD "nothing moved / changed" half, the SHOULD code."""

    req: str
    atomic: str | None  # REORDER-MIXED-ATOMIC / REORDER-MOVED-ATOMIC, None when the MUST says it all
    code_req: str
    build: Callable[[Any, dict[str, str], str, Any], dict[str, Any]]  # (made, ids, foreign, catalog)


def _update(made: Any, target: str | None, actions: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Id": made.id, "InsertBeforeTrackId": target, "TrackActions": actions}


def _moves(*ids: str) -> list[dict[str, Any]]:
    return [{"Id": i, "Action": "Move"} for i in ids]


INVALID: dict[str, Invalid] = {
    # E07(a): Move mixed with Add / Delete. Every reading reports an error and applies no Move; the
    # per-item reading may still apply the Add / Delete (REORDER-MIXED-ATOMIC is the SHOULD).
    "move-with-add": Invalid(
        "REORDER-MIXED",
        "REORDER-MIXED-ATOMIC",
        "REORDER-MIXED-CODE",
        lambda made, ids, foreign, catalog: _update(
            made, ids["A"], [*_moves(ids["D"]), {"Id": catalog.take(1)[0], "Action": "Add"}]
        ),
    ),
    "move-with-delete": Invalid(
        "REORDER-MIXED",
        "REORDER-MIXED-ATOMIC",
        "REORDER-MIXED-CODE",
        lambda made, ids, foreign, catalog: _update(
            made, ids["A"], [*_moves(ids["D"]), {"Id": ids["E"], "Action": "Delete"}]
        ),
    ),
    # E07(b): a target that is not in the playlist leaves no Move a place to go, under every reading.
    "target-random-id": Invalid(
        "REORDER-BAD-TARGET",
        None,
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: _update(made, unknown_track_id(), _moves(ids["D"])),
    ),
    "target-in-another-playlist": Invalid(
        "REORDER-BAD-TARGET",
        None,
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: _update(made, foreign, _moves(ids["D"])),
    ),
    # E07(b): a moved Id not in the playlist. The per-item reading may move the valid ones (D here):
    # then only "nothing moves" is REORDER-MOVED-ATOMIC's; with no valid moved Id the order must stay.
    "moved-random-id": Invalid(
        "REORDER-BAD-MOVED",
        "REORDER-MOVED-ATOMIC",
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: _update(made, ids["A"], _moves(ids["D"], catalog.invalid(1)[0])),
    ),
    "moved-only-random-id": Invalid(
        "REORDER-BAD-MOVED",
        None,
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: _update(made, ids["A"], _moves(catalog.invalid(1)[0])),
    ),
    "moved-in-another-playlist": Invalid(
        "REORDER-BAD-MOVED",
        None,
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: _update(made, ids["A"], _moves(foreign)),
    ),
}


def _invalid_cases() -> list[Any]:
    return [
        pytest.param(n, id=n, marks=pytest.mark.requirement(*filter(None, (c.req, c.atomic, c.code_req))))
        for n, c in INVALID.items()
    ]


@pytest.mark.parametrize("case", _invalid_cases())
def test_invalid_reorder_is_refused(case, client, catalog, created, capabilities, verify):
    c = INVALID[case]
    made, ids = _playlist(client, created, catalog, capabilities, f"reorder-{case}")
    foreign = _foreign_track(client, created, catalog, capabilities) if "another" in case else ""
    r = client.playlist_update(c.build(made, ids, foreign, catalog))
    # E07: an error is reported either way: a 4xx with an Error body, or HTTP 200 with a top-level
    # Error (the "HTTP 200 error" of the per-item reading).
    verify.that(
        c.req,
        r.error is not None and (r.status == 200 or r.status in expect.CLIENT_ERRORS),
        "an error is reported (4xx with an Error, or 200 with a top-level Error)",
        actual=f"HTTP {r.status} {r.error}",
    )
    expect.body(verify, c.req, r, "playlist_update")
    verify.status(c.code_req, r, 400)
    verify.error_code(c.code_req, r, REORDER_CODE)
    if c.req == "REORDER-MIXED":
        verify.status(c.atomic, r, expect.CLIENT_ERRORS)

    readback.need_tracks_browse(verify, capabilities, "the order")
    listed = readback.playlist_track_ids(client, made.id)
    original = made.entries
    names = {v: k for k, v in ids.items()}
    shown = "".join(names.get(i, "+") for i in listed)  # "+": a track that was not there before
    if c.req == "REORDER-MIXED":
        still = [e for e in original if e in listed]
        verify.equal(
            c.req,
            "".join(names[e] for e in listed if e in original),
            "".join(names[e] for e in still),
            "no Move took effect: the tracks still in the playlist keep their relative order",
        )
    elif c.req == "REORDER-BAD-MOVED":
        verify.equal(c.req, sorted(listed), sorted(original), "no track was added or lost")
    if c.atomic is None:
        verify.equal(c.req, shown, LETTERS, "the playlist's tracks and order are unchanged")
    else:
        verify.equal(c.atomic, shown, LETTERS, "nothing changed: the playlist's tracks and order")
