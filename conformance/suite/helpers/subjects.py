"""A valid request of any of the seven operations, on data the run owns, and what it could change.

Scenarios that run "the same check on every operation" (credentials, formats, XML) need, per
operation, a request that a target must accept for the test user, and a way to read back whether
it took effect. :class:`Subject` is that, in one place: ``body()`` builds a fresh valid body (a new
collection track or playlist when the request would consume one, and a new run-generated Name for
every create or update body: no two playlists of one name in a run, E26), ``send()`` sends it with
any client options (format, credential override), ``state()`` reads back what it could change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from conformance import readback
from conformance.suite.helpers.builders import MadePlaylist, add_tracks, make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities, TrackAllocator


EDITS = ("collection_add", "collection_delete", "playlist_create", "playlist_update", "playlist_delete")
BROWSES = ("collection_browse", "playlist_tracks_browse")
OPERATIONS = (*EDITS, *BROWSES)


class Subject:
    def __init__(
        self,
        op: str,
        client: Client,
        catalog: TrackAllocator,
        created: Ownership,
        capabilities: Capabilities,
        *,
        label: str = "subject",
        invalid_item: bool = False,
        published: bool = True,
    ) -> None:
        """``invalid_item`` adds one invalid entry to batch bodies (a partial failure);
        ``published`` is the IsPublished a create or update sends."""
        readback.require_operation(capabilities, op)
        self.op = op
        self.client = client
        self.catalog = catalog
        self.created = created
        self.caps = capabilities
        self.label, self.invalid_item, self.published = label, invalid_item, published
        self.playlist: MadePlaylist | None = None
        self.name = created.name(label)  # the Name of the latest create or update body
        self.names: list[str] = []  # every Name a body carried, oldest first
        if op in ("playlist_update", "playlist_tracks_browse"):
            self.playlist = make_playlist(client, created, catalog, label, 1, capabilities=capabilities)
        if op == "collection_browse":
            # A collection with a track in it, whatever earlier tests left: an empty one may be
            # answered 404 COLLECTION_NO_RESULT (E30), and a subject must be accepted by every reading.
            add_tracks(client, catalog, 1)

    def changes(self) -> bool:
        return self.op in EDITS

    def body(self) -> dict[str, Any] | None:
        """A fresh valid body (None for the browses)."""
        extra = self.catalog.invalid(1) if self.invalid_item else []
        if self.op == "collection_add":
            return {"TrackIds": self.catalog.take(1) + extra}
        if self.op == "collection_delete":
            return {"TrackIds": add_tracks(self.client, self.catalog, 1) + extra}
        actions = [{"Id": i, "Action": "Add"} for i in self.catalog.take(1) + extra]
        if self.op in ("playlist_create", "playlist_update"):
            # E26: a fresh name per body, so that two bodies (a JSON and an XML twin, two
            # namespaces) never create or rename two playlists to one name
            self.name = self.created.name(self.label)
            self.names.append(self.name)
        if self.op == "playlist_create":
            return {"Name": self.name, "IsPublished": self.published, "TrackActions": actions}
        if self.op == "playlist_update":
            assert self.playlist is not None
            return {
                "Id": self.playlist.id,
                "Name": self.name,
                "IsPublished": self.published,
                "TrackActions": actions,
            }
        if self.op == "playlist_delete":
            return {"Id": make_playlist(self.client, self.created, self.catalog, self.label).id}
        return None

    def send(self, body: dict[str, Any] | None = None, **opts: Any) -> Any:
        """Send ``body`` (a fresh one by default) with client options (fmt, accept, auth, ...)."""
        if self.op == "collection_browse":
            return self.client.operation(self.op, path_params={"type": "tracks"}, **opts)
        if self.op == "playlist_tracks_browse":
            assert self.playlist is not None
            return self.client.operation(self.op, path_params={"id": self.playlist.id}, **opts)
        return self.client.operation(self.op, body=body if body is not None else self.body(), **opts)

    def state(self) -> Any:
        """What the operation could change, read back: the collection, the playlists, one playlist."""
        if self.op in ("collection_add", "collection_delete"):
            return sorted(readback.collection_track_ids(self.client))
        if self.op in ("playlist_create", "playlist_delete"):
            return sorted((k, v.get("Name")) for k, v in readback.playlists(self.client).items())
        if self.playlist is None:
            return None
        # by Id, else by a Name it may carry: the latest sent first, then its own (E15)
        names = [*reversed(self.names), self.playlist.name]
        item = readback.playlist(self.client, self.playlist.id, *names) or {}
        tracks = (
            readback.playlist_track_ids(self.client, self.playlist.id)
            if self.caps.playlist_tracks_browse
            else None
        )
        return item.get("Name"), item.get("IsPublished"), tracks
