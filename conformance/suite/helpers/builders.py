"""Preconditions the scenarios build: collection tracks and playlists the run owns.

Everything goes through the test's client, so it is registered for cleanup (``created``) and shows
in the test's transcript; playlists get run-prefixed names (``created.name``). A precondition that
does not hold (the target refused to create what a scenario needs) raises ``AssertionError`` with the
answer: the scenario cannot judge its own rule then, and the test fails counting against it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance import judging, readback
from conformance.suite.helpers.expect import playlist_result, results

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator


@dataclass
class MadePlaylist:
    id: str
    name: str
    track_ids: list[str]  # catalog IDs added, in action order
    # playlist-track Ids: in playlist order when read back through tracks browse, else ``answered``
    entries: list[str] = field(default_factory=list)
    # the playlist-track Id each Add answered, in action order (answered[i] is track_ids[i]'s,
    # matched by InputId, E27): never a statement about the playlist's order
    answered: list[str] = field(default_factory=list)
    read_back: bool = False  # whether ``entries`` is the tracks browse's (playlist order)


def add_tracks(client: Client, catalog: TrackAllocator, n: int) -> list[str]:
    """Add ``n`` catalog tracks to the collection; their collection Ids, in order.

    On a real account the user may already have some catalog tracks: the add then answers the
    Id the user had (E17), which is theirs and never the test's to delete. Such catalog IDs are
    retired from the run's catalog and replaced, so every Id returned here is the run's own.
    """
    registry = getattr(client, "registry", None)
    cids: list[str] = []
    # Ends: a round either completes ``cids`` or retires at least one ID, and ``take`` skips the
    # test once the catalog holds too few.
    while True:
        ids = catalog.take(n - len(cids))
        r = client.collection_add(ids)
        matching = judging.match_results(ids, results(r))  # E27: by InputId
        fresh = [
            x.get("Id") if isinstance(x, dict) and not x.get("Error") else None for x in matching.by_entry
        ]
        # E17: re-adding a track the collection holds (the catalog wraps in a long run) may fail per
        # item, and E12 lets a batch whose every item fails be a 4xx: such IDs are retired too.
        assert matching.complete and all(
            isinstance(c, str) or judging.failed(x) for c, x in zip(fresh, matching.by_entry, strict=True)
        ), f"precondition: adding {len(ids)} catalog tracks to the collection failed: {r!r}"
        for track_id, cid in zip(ids, fresh, strict=True):
            if cid is None or (registry is not None and registry.preexisting(cid)):
                catalog.retire(track_id)
            else:
                cids.append(cid)
        if len(cids) == n:
            return cids


def make_playlist(
    client: Client,
    created: Ownership,
    catalog: TrackAllocator,
    label: str,
    n_tracks: int = 0,
    *,
    published: bool | None = None,
    capabilities: Capabilities | None = None,
) -> MadePlaylist:
    """Create a run-prefixed playlist holding ``n_tracks`` fresh catalog tracks.

    ``answered`` are the playlist-track Ids the create answered, in action order: each result is
    matched to its action by InputId (E27), never by its position in the answer. ``entries`` are
    the playlist-track Ids in playlist order, read back through tracks browse when
    ``capabilities`` says it is there (what a client really knows); without it they are
    ``answered``, whose order says nothing about the playlist's (E24, E27).
    """
    name = created.name(label)
    track_ids = catalog.take(n_tracks) if n_tracks else []
    action: dict[str, Any] = {"Name": name}
    if published is not None:
        action["IsPublished"] = published
    if track_ids:
        action["TrackActions"] = [{"Id": t, "Action": "Add"} for t in track_ids]
    r = client.playlist_create(action)
    pid = playlist_result(r).get("Id")
    matched = judging.match_results(track_ids, results(r) or []).by_entry  # E27: by InputId
    answered = [x.get("Id") if isinstance(x, dict) and not x.get("Error") else None for x in matched]
    assert r.status == 200 and isinstance(pid, str) and r.error is None, (
        f"precondition: creating playlist {name!r} failed: {r!r}"
    )
    assert all(isinstance(e, str) for e in answered), (
        f"precondition: adding {n_tracks} tracks while creating a playlist failed: {r!r}"
    )
    entries = [e for e in answered if isinstance(e, str)]
    made = MadePlaylist(pid, name, track_ids, list(entries), entries)
    if capabilities is not None and capabilities.playlist_tracks_browse and n_tracks:
        made.entries = readback.playlist_track_ids(client, pid)
        made.read_back = True
        assert len(made.entries) == n_tracks, (
            f"precondition: playlist {pid} should hold {n_tracks} tracks; "
            f"tracks browse lists {len(made.entries)}"
        )
    return made
