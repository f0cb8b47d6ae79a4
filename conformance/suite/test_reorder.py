"""Reordering a playlist with Move actions (003 "Reorder tracks in a playlist", E07).

On a playlist of five tracks [A B C D E]: one track before another, to the start, forward, to the end
(``InsertBeforeTrackId`` absent and null), several tracks listed in the order they stand (before a
track, to the start, to the end) — read back in playlist order; several tracks listed out of their
order (either order is accepted, E07(d)); Move mixed with Add or Delete, a target that is not in the
playlist and a moved Id that is not in the playlist — rejected with the order unchanged.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.suite.helpers import expect, readback
from conformance.suite.helpers.builders import make_playlist

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
    client: Any, created: Any, catalog: Any, capabilities: Any, label: str
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


def _response(verify: Any, r: Any, playlist_id: str) -> None:
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


def _foreign_track(client: Any, created: Any, catalog: Any, capabilities: Any) -> str:
    """A track Id of another playlist of the same user: real, but not in the one reordered."""
    other = make_playlist(client, created, catalog, "reorder-elsewhere", 1, capabilities=capabilities)
    return other.entries[0]


# name -> (requirement, SHOULD requirement of the code, build the update)
INVALID: dict[str, tuple[str, str, Any]] = {
    "move-with-add": (
        "REORDER-MIXED",
        "REORDER-MIXED-CODE",
        lambda made, ids, foreign, catalog: {
            "Id": made.id,
            "InsertBeforeTrackId": ids["A"],
            "TrackActions": [{"Id": ids["D"], "Action": "Move"}, {"Id": catalog.take(1)[0], "Action": "Add"}],
        },
    ),
    "move-with-delete": (
        "REORDER-MIXED",
        "REORDER-MIXED-CODE",
        lambda made, ids, foreign, catalog: {
            "Id": made.id,
            "InsertBeforeTrackId": ids["A"],
            "TrackActions": [{"Id": ids["D"], "Action": "Move"}, {"Id": ids["E"], "Action": "Delete"}],
        },
    ),
    "target-random-id": (
        "REORDER-BAD-TARGET",
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: {
            "Id": made.id,
            "InsertBeforeTrackId": f"music.{uuid.uuid4()}".upper(),
            "TrackActions": [{"Id": ids["D"], "Action": "Move"}],
        },
    ),
    "target-in-another-playlist": (
        "REORDER-BAD-TARGET",
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: {
            "Id": made.id,
            "InsertBeforeTrackId": foreign,
            "TrackActions": [{"Id": ids["D"], "Action": "Move"}],
        },
    ),
    "moved-random-id": (
        "REORDER-BAD-MOVED",
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: {
            "Id": made.id,
            "InsertBeforeTrackId": ids["A"],
            "TrackActions": [
                {"Id": ids["D"], "Action": "Move"},
                {"Id": catalog.invalid(1)[0], "Action": "Move"},
            ],
        },
    ),
    "moved-in-another-playlist": (
        "REORDER-BAD-MOVED",
        "REORDER-INVALID-CODE",
        lambda made, ids, foreign, catalog: {
            "Id": made.id,
            "InsertBeforeTrackId": ids["A"],
            "TrackActions": [{"Id": foreign, "Action": "Move"}],
        },
    ),
}


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(n, id=n, marks=pytest.mark.requirement(req, code_req))
        for n, (req, code_req, _) in INVALID.items()
    ],
)
def test_invalid_reorder_is_refused(case, client, catalog, created, capabilities, verify):
    req, code_req, build = INVALID[case]
    made, ids = _playlist(client, created, catalog, capabilities, f"reorder-{case}")
    foreign = _foreign_track(client, created, catalog, capabilities) if "another" in case else ""
    r = client.playlist_update(build(made, ids, foreign, catalog))
    if req == "REORDER-MIXED":
        expect.rejected(
            verify, req, r, "playlist_update", code=REORDER_CODE, code_req=code_req, code_status=400
        )
    else:
        # E07(b): a 4xx with an Error body, or HTTP 200 with a top-level Error.
        verify.that(
            req,
            expect.is_error_answer(r) and r.error is not None and r.status < 500,
            "an error is reported (4xx with an Error, or 200 with a top-level Error)",
            actual=f"HTTP {r.status} {r.error}",
        )
        expect.body(verify, req, r, "playlist_update")
        verify.status(code_req, r, 400)
        verify.error_code(code_req, r, REORDER_CODE)

    readback.need_tracks_browse(verify, capabilities, "the order")
    verify.equal(
        req,
        readback.playlist_track_ids(client, made.id),
        made.entries,
        "the playlist's tracks and order are unchanged",
    )
