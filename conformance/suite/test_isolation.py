"""One user's collection is not another's (needs ``--other-user-token``).

The first user owns an unpublished playlist with two tracks and a track in their collection; the
second user tries to rename it and add to it, delete one of its tracks, delete it, browse its tracks,
delete the collection track, and browses their own collection. Each attempt is refused (4xx with an
Error body, or for a collection delete a per-item Error), the second user's browse shows none of the
first user's data, and — read back as the first user — nothing of theirs changed. Advisory: the
refusals look exactly like those for an ID that does not exist (E25). The second user's browse of
an empty list may be 404 COLLECTION_NO_RESULT (E30): the read-back takes it as an empty list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from conformance import readback
from conformance.ids import unknown_playlist_id
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import MadePlaylist, add_tracks, make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator


@dataclass
class Owned:
    playlist: MadePlaylist
    track: str  # a collection Id of the first user


def _owned(client: Client, catalog: TrackAllocator, created: Ownership, capabilities: Capabilities) -> Owned:
    made = make_playlist(client, created, catalog, "isolation", 2, published=False, capabilities=capabilities)
    (track,) = add_tracks(client, catalog, 1)
    return Owned(made, track)


def _attempt(
    case: str,
    other: Client,
    target_playlist: str,
    target_track: str,
    entry: str,
    catalog: TrackAllocator,
    created: Ownership,
) -> tuple[str, Any]:
    """The second user's request; (operationId, answer)."""
    if case == "update-metadata-and-add":
        return "playlist_update", other.playlist_update(
            {
                "Id": target_playlist,
                "Name": created.name("isolation-stolen"),
                "TrackActions": [{"Id": catalog.take(1)[0], "Action": "Add"}],
            }
        )
    if case == "delete-a-playlist-track":
        return "playlist_update", other.playlist_update(
            {"Id": target_playlist, "TrackActions": [{"Id": entry, "Action": "Delete"}]}
        )
    if case == "delete-playlist":
        return "playlist_delete", other.playlist_delete({"Id": target_playlist})
    if case == "browse-playlist-tracks":
        return "playlist_tracks_browse", other.playlist_tracks_browse(target_playlist)
    return "collection_delete", other.collection_delete([target_track])


CASES = {
    "update-metadata-and-add": "ISO-UPDATE",
    "delete-a-playlist-track": "ISO-UPDATE",
    "delete-playlist": "ISO-PDEL",
    "browse-playlist-tracks": "ISO-TRACKS",
    "delete-collection-track": "ISO-CDEL",
}


def _state(client: Client, owned: Owned, capabilities: Capabilities) -> Any:
    item = readback.playlist(client, owned.playlist.id, owned.playlist.name)  # by Id, else Name (E15)
    tracks = (
        readback.playlist_track_ids(client, owned.playlist.id)
        if capabilities.playlist_tracks_browse
        else None
    )
    return {
        "playlist": None if item is None else (item.get("Name"), item.get("IsPublished")),
        "tracks": tracks,
        "collection has the track": owned.track in readback.collection_track_ids(client),
    }


@pytest.mark.parametrize(
    "case",
    [pytest.param(c, id=c, marks=pytest.mark.requirement(r, "ISO-AS-UNKNOWN")) for c, r in CASES.items()],
)
def test_other_user_cannot_touch(case, client, other_client, catalog, created, capabilities, verify):
    req = CASES[case]
    if case == "browse-playlist-tracks":
        readback.require_operation(capabilities, "playlist_tracks_browse")
    owned = _owned(client, catalog, created, capabilities)
    before = _state(client, owned, capabilities) if capabilities.browse else None
    entry = owned.playlist.entries[0]
    op, r = _attempt(case, other_client, owned.playlist.id, owned.track, entry, catalog, created)

    if op == "collection_delete":
        got = expect.results(r) or []
        refused_item = r.status == 200 and len(got) == 1 and expect.item_error(got[0]) is not None
        verify.that(
            req,
            refused_item or 400 <= r.status < 500,
            "refused: a per-item Error, or the whole request rejected",
            actual=f"HTTP {r.status} {r.body}",
        )
        expect.body(verify, req, r, op)
    else:
        expect.rejected(verify, req, r, op)

    # E25 (advisory): the same answer as for an ID that does not exist.
    unknown_playlist = unknown_playlist_id()
    unknown_track = "music.AQQf" + uuid.uuid4().hex[:30]
    _, u = _attempt(case, other_client, unknown_playlist, unknown_track, unknown_track, catalog, created)
    verify.equal(
        "ISO-AS-UNKNOWN",
        (r.status, r.error_code, _item_codes(r)),
        (u.status, u.error_code, _item_codes(u)),
        "status and ErrorCode as for an unknown Id",
    )

    readback.need_browse(verify, capabilities, "the first user's data")
    verify.equal(
        req, _state(client, owned, capabilities), before, "the first user's playlist and track, read back"
    )


def _item_codes(r: Any) -> list[Any]:
    return [(expect.item_error(g) or {}).get("ErrorCode") for g in expect.results(r) or []]


@pytest.mark.requirement("ISO-BROWSE")
@pytest.mark.parametrize("kind", ["tracks", "playlists"])
def test_other_user_browse_shows_none_of_it(
    kind, client, other_client, catalog, created, capabilities, verify
):
    owned = _owned(client, catalog, created, capabilities)
    readback.need_browse(verify, capabilities, "the second user's collection")
    items = readback.collection_items(other_client, kind)
    ids = {str(i.get("Id", "")).upper() for i in items}
    mine = {owned.track.upper()} if kind == "tracks" else {owned.playlist.id.upper()}
    if kind == "tracks":
        mine |= {e.upper() for e in owned.playlist.entries}
    verify.that(
        "ISO-BROWSE",
        not ids & mine,
        f"the second user's {kind} browse lists none of the first user's",
        actual=sorted(ids & mine),
    )
    names = [i.get("Name") for i in items]
    if kind == "playlists":
        verify.that(
            "ISO-BROWSE",
            owned.playlist.name not in names,
            "no playlist with the first user's name",
            actual=owned.playlist.name,
        )
