"""Reorder (seeds/003 "Reorder tracks in a playlist"; erratum E07), checked against a list model."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.emulator.store import PlaylistOrder

from .conftest import CATALOG, Api


def model_move(order: list[str], moved: list[str], before: str | None) -> list[str]:
    """E07 (d), listed order: the moved tracks, contiguous and as listed, right before ``before``."""
    rest = [t for t in order if t not in moved]
    at = len(rest) if before is None else rest.index(before)
    return rest[:at] + moved + rest[at:]


def reorder_error(r) -> None:  # noqa: ANN001
    assert r.status_code == 400, r.text
    assert r.json()["Error"]["ErrorCode"] == "COLLECTION_INVALID_PLAYLIST_REORDER"


def test_move_before_a_track(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:6])
    assert api.move(pid, [ids[4]], ids[1]).status_code == 200
    assert api.order(pid) == model_move(ids, [ids[4]], ids[1])


def test_move_to_the_end_when_target_absent_or_null(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:4])
    assert api.move(pid, [ids[0]], None).status_code == 200
    expected = model_move(ids, [ids[0]], None)
    assert api.order(pid) == expected
    r = api.update(
        {"Id": pid, "InsertBeforeTrackId": None, "TrackActions": [{"Id": ids[1], "Action": "Move"}]}
    )
    assert r.status_code == 200
    assert api.order(pid) == model_move(expected, [ids[1]], None)


def test_several_tracks_in_their_order_end_contiguous(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:8])
    api.move(pid, [ids[1], ids[3], ids[6]], ids[5])
    assert api.order(pid) == model_move(ids, [ids[1], ids[3], ids[6]], ids[5])


def test_several_tracks_out_of_order_keep_the_listed_order(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:8])
    api.move(pid, [ids[6], ids[0], ids[3]], ids[2])
    assert api.order(pid) == model_move(ids, [ids[6], ids[0], ids[3]], ids[2])


def test_move_to_the_front(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:5])
    api.move(pid, [ids[3], ids[4]], ids[0])
    assert api.order(pid) == [ids[3], ids[4], ids[0], ids[1], ids[2]]


def test_invalid_reorders_change_nothing(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:5])
    other_pid, other_ids = api.new_playlist(CATALOG[5:7])
    reorder_error(api.move(pid, [ids[0]], other_ids[0]))  # target in another playlist
    reorder_error(api.move(pid, [other_ids[1]], ids[0]))  # moved track from another playlist
    reorder_error(api.move(pid, [ids[1], ids[2]], ids[2]))  # target is itself moved
    reorder_error(api.move(pid, [ids[1], ids[1]], ids[0]))  # listed twice
    reorder_error(
        api.update(
            {
                "Id": pid,
                "InsertBeforeTrackId": ids[0],
                "TrackActions": [{"Id": ids[3], "Action": "Move"}, {"Id": CATALOG[9], "Action": "Add"}],
            }
        )
    )  # mixed
    reorder_error(
        api.update(
            {
                "Id": pid,
                "Name": "renamed",
                "TrackActions": [{"Id": ids[3], "Action": "Move"}, {"Id": ids[2], "Action": "Delete"}],
            }
        )
    )
    assert api.order(pid) == ids and api.order(other_pid) == other_ids
    assert {p["Name"] for p in api.browse("playlists").json()["Playlists"]["Items"]} == {"test playlist"}


def test_reorder_with_metadata(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:3])
    r = api.update(
        {
            "Id": pid,
            "Name": "new",
            "InsertBeforeTrackId": ids[0],
            "TrackActions": [{"Id": ids[2], "Action": "Move"}],
        }
    )
    assert r.json() == {"PlaylistActionResult": {"Id": pid, "Name": "new"}}
    assert api.order(pid) == [ids[2], ids[0], ids[1]]


def test_gap_exhaustion_respaces_and_keeps_the_order(gapi: Api) -> None:
    """Moving into the same gap again and again uses it up; the respacing must keep the order."""
    pid, ids = gapi.new_playlist(CATALOG[:40])
    expected = list(ids)
    target = ids[0]
    assert len(ids) > PlaylistOrder.GAP.bit_length()  # more moves than halvings of one gap
    for track in ids[39:1:-1]:  # each move lands between the previous one and the target
        assert gapi.move(pid, [track], target).status_code == 200
        expected = model_move(expected, [track], target)
        target = track
    assert gapi.order(pid) == expected


@pytest.mark.parametrize("spot", [0, 60, 119])
def test_hot_spots_grow_the_respacing_window(gapi: Api, spot: int) -> None:
    """Hundreds of moves of several tracks into one spot (start, middle, end of the playlist)."""
    pid, ids = gapi.new_playlist(CATALOG[:100])
    more = gapi.update({"Id": pid, "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[100:120]]})
    ids += [x["Id"] for x in more.json()["PlaylistActionResult"]["TrackActionResults"]]
    expected = list(ids)
    rng = random.Random(spot)
    target = ids[spot]
    for _ in range(150):
        moved = rng.sample([t for t in ids if t != target], rng.randint(1, 3))
        assert gapi.move(pid, moved, target).status_code == 200
        expected = model_move(expected, moved, target)
        target = moved[0]  # the next move lands right before the first track just moved
    assert gapi.order(pid) == expected


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_moves_match_the_model(gapi: Api, data: st.DataObject) -> None:
    pid, ids = gapi.new_playlist(CATALOG[:10])
    expected = list(ids)
    for _ in range(data.draw(st.integers(1, 4))):
        moved = data.draw(st.lists(st.sampled_from(ids), min_size=1, max_size=4, unique=True))
        before = data.draw(st.one_of(st.none(), st.sampled_from([t for t in ids if t not in moved])))
        assert gapi.move(pid, moved, before).status_code == 200
        expected = model_move(expected, moved, before)
    assert gapi.order(pid) == expected
    gapi.delete_playlist(pid)
