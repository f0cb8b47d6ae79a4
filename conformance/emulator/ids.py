"""ID forms the emulator reads and mints.

* Catalog track IDs in GUID form (``music.<GUID>``) are matched ignoring the case of the GUID
  and echoed in canonical upper case (000 and 004 echo a lower-case input upper-cased; E13).
  The ``music.`` prefix itself is case sensitive (namespace.md: ``music`` — "Case sensitive: yes").
  Any other ID is kept exactly as given.
* Collection IDs and playlist-track IDs look like the documents' ``music.AQQfZ78ml185KUqtiDc9dx6i6Ae5PqgAAQ``:
  ``music.AQQf`` followed by 30 base64url characters, random, compared exactly.
* Playlist IDs are ``music.playlist.<lower-case GUID>`` (001/002); the ``music.playlist``
  namespace is not case sensitive (namespace.md), so they are looked up case-insensitively (E15).
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid

from conformance.ids import GUID as _GUID

_GUID_TRACK = re.compile(rf"^music\.(?P<guid>{_GUID})$")
_PLAYLIST = re.compile(rf"^music\.playlist\.(?P<guid>{_GUID})$", re.IGNORECASE)
COLLECTION_PREFIX = "music.AQQf"
_COLLECTION = re.compile(r"^music\.AQQf[A-Za-z0-9_-]{30}$")


def canonical_track_id(track_id: str) -> str:
    """The canonical form of a catalog ID: upper-case GUID for ``music.<guid>``, else unchanged."""
    m = _GUID_TRACK.match(track_id)
    if m:
        return "music." + m.group("guid").upper()
    return track_id


def is_guid_track_id(track_id: str) -> bool:
    return _GUID_TRACK.match(track_id) is not None


def canonical_playlist_id(playlist_id: str) -> str | None:
    """The stored form of a playlist ID (lower case), or None when it is not one."""
    if _PLAYLIST.match(playlist_id):
        return playlist_id.lower()
    return None


def looks_like_collection_id(value: str) -> bool:
    return _COLLECTION.match(value) is not None


def new_collection_id() -> str:
    """A fresh collection / playlist-track ID: ``music.AQQf`` + 30 base64url characters."""
    tail = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode("ascii")[:30]
    return COLLECTION_PREFIX + tail


def new_playlist_id() -> str:
    return f"music.playlist.{uuid.uuid4()}"
