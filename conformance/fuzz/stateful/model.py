"""One user's collection and playlists as the documents say they evolve: the state machine's model.

The model is what the server must hold after a sequence of requests, as far as the documents pin
it down. Where they leave a choice it keeps every allowed outcome and adopts the one the server
read back (several moved tracks may keep the listed order or their old order, E07d), so that a
faithful server is never judged against one reading of an open question.

It also answers the questions :func:`conformance.fuzz.oracle.expect` asks of the IDs in a
request (is this a catalog ID known to be absent from the collection, a playlist the model holds,
an entry of it, an ID minted to name nothing), so that the machine and the schemathesis tests
judge a request by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.ids import key


@dataclass
class PlaylistModel:
    """A playlist the machine created: its Id, Name, IsPublished and entries in playlist order."""

    id: str
    name: str
    published: bool
    entries: list[str] = field(default_factory=list)  # playlist-track Ids, in order


@dataclass
class ForeignPlaylist:
    """The second user's playlist: the user under test must not be able to change it (ISO-*)."""

    id: str
    name: str
    entries: list[str]


@dataclass
class Model:
    """The user's collection and the machine's playlists (see the module docstring)."""

    catalog: list[str]  # the catalog IDs the machine adds
    collection: set[str] | None  # every collection Id the user has (None: cannot be browsed)
    absent: set[str]  # catalog keys known not to be in the collection
    in_collection: dict[str, str] = field(default_factory=dict)  # catalog key -> collection Id (machine's)
    playlists: dict[str, PlaylistModel] = field(default_factory=dict)  # key(Id) -> playlist
    deleted_playlists: list[str] = field(default_factory=list)
    deleted_tracks: list[str] = field(default_factory=list)
    minted: set[str] = field(default_factory=set)
    foreign: ForeignPlaylist | None = None
    can_delete_tracks: bool = True  # False without a snapshot: an added track may be the user's own

    # ---- the oracle's questions ---------------------------------------------------------------------
    def is_catalog(self, value: Any) -> bool:
        return isinstance(value, str) and key(value) in {key(c) for c in self.catalog}

    def is_minted(self, value: Any) -> bool:
        # A playlist the machine deleted names nothing any more, like a minted ID.
        return isinstance(value, str) and (
            key(value) in self.minted or key(value) in {key(p) for p in self.deleted_playlists}
        )

    def owns_playlist(self, value: Any) -> bool:
        return isinstance(value, str) and key(value) in self.playlists

    def owns_collection_id(self, value: Any) -> bool:
        return isinstance(value, str) and value in self.in_collection.values()

    def is_entry_of(self, playlist_id: str, value: Any) -> bool:
        playlist = self.playlists.get(key(playlist_id)) if isinstance(playlist_id, str) else None
        return playlist is not None and value in playlist.entries

    def known_absent(self, value: Any) -> bool:
        return isinstance(value, str) and key(value) in self.absent

    # ---- what the machine can name ------------------------------------------------------------------
    def absent_tracks(self) -> list[str]:
        return [c for c in self.catalog if key(c) in self.absent]

    def owned_tracks(self) -> list[str]:
        """Collection Ids the machine's adds returned, that it may delete."""
        return list(self.in_collection.values()) if self.can_delete_tracks else []

    def own_playlists(self) -> list[PlaylistModel]:
        return list(self.playlists.values())

    # ---- applying answers ---------------------------------------------------------------------------
    def added(self, catalog_id: str, collection_id: str) -> None:
        self.in_collection[key(catalog_id)] = collection_id
        self.absent.discard(key(catalog_id))
        if self.collection is not None:
            self.collection.add(collection_id)

    def deleted(self, collection_id: str) -> None:
        for cat, cid in list(self.in_collection.items()):
            if cid == collection_id:
                del self.in_collection[cat]
                self.absent.add(cat)
        if self.collection is not None:
            self.collection.discard(collection_id)
        self.deleted_tracks.append(collection_id)

    def playlist_deleted(self, playlist_id: str) -> None:
        self.playlists.pop(key(playlist_id), None)
        self.deleted_playlists.append(playlist_id)


def move(order: list[str], moved: list[str], before: str | None) -> list[list[str]]:
    """The orders a reorder may produce (E07c, E07d).

    The moved entries end up contiguous right before ``before`` (at the end when it is None), the
    others keeping their relative order; the moved ones either in the order they were listed or in
    the order they stood. One or two distinct candidates.
    """
    rest = [e for e in order if e not in moved]
    standing = [e for e in order if e in moved]
    out: list[list[str]] = []
    for group in (list(moved), standing):
        at = len(rest) if before is None else rest.index(before)
        candidate = rest[:at] + group + rest[at:]
        if candidate not in out:
            out.append(candidate)
    return out


# What :func:`reorder_requirement` may answer.
REORDER_REQUIREMENTS = ("REORDER-TO-END", "REORDER-ONE", "REORDER-MULTI", "REORDER-UNSORTED")


def reorder_requirement(order: list[str], moved: list[str], before: str | None) -> str:
    """The catalogue requirement a reorder is judged under (one of :data:`REORDER_REQUIREMENTS`)."""
    if before is None:
        return "REORDER-TO-END"
    if len(moved) == 1:
        return "REORDER-ONE"
    standing = [e for e in order if e in moved]
    return "REORDER-MULTI" if standing == list(moved) else "REORDER-UNSORTED"
