"""The IDs the emulator mints and stores; the forms themselves are read from ``conformance.ids``.

* Catalog track IDs in GUID form (``music.<GUID>``) are matched ignoring the case of the GUID
  and echoed in canonical upper case: ``conformance.ids.canonical`` (E13).
* Collection IDs and playlist-track IDs look like the documents' ``music.AQQfZ78ml185KUqtiDc9dx6i6Ae5PqgAAQ``:
  ``music.AQQf`` followed by 30 base64url characters, random, compared exactly (the emulator's
  own minting).
* Playlist IDs are ``music.playlist.<lower-case GUID>`` (001/002); the ``music.playlist``
  namespace is not case sensitive (namespace.md), so they are looked up case-insensitively (E15)
  and stored in lower case.
"""

from __future__ import annotations

import base64
import re
import secrets
import uuid

from conformance.ids import GUID, PLAYLIST_PREFIX, guid_playlist_id

_PLAYLIST = re.compile(rf"^{re.escape(PLAYLIST_PREFIX)}{GUID}$", re.IGNORECASE)
COLLECTION_PREFIX = "music.AQQf"


def canonical_playlist_id(playlist_id: str) -> str | None:
    """The stored form of a playlist ID (lower case), or None when it is not one."""
    if _PLAYLIST.match(playlist_id):
        return playlist_id.lower()
    return None


def new_collection_id() -> str:
    """A fresh collection / playlist-track ID: ``music.AQQf`` + 30 base64url characters."""
    tail = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode("ascii")[:30]
    return COLLECTION_PREFIX + tail


def new_playlist_id() -> str:
    return guid_playlist_id(str(uuid.uuid4()))
