"""The forms of the IDs the suite sends and compares, and the erratum positions on them (E13, E15).

* A catalog track ID in GUID form is ``music.<GUID>``. Its canonical form has the GUID in upper
  case: 000 and 004 echo a lower-case input upper-cased (E13). The ``music.`` prefix is case
  sensitive (namespace.md), so only the GUID's case is ever ignored.
* Any other ID (a collection ID, a playlist ID the service returned) is opaque and compared exactly;
  the documents' own IDs disagree between editions, so no ID of one page is compared with another's.
* A playlist ID is looked up ignoring case where the suite keeps its own tables (``key``): the
  ``music.playlist`` namespace is "Case sensitive: no" (E15). Whether a *server* accepts another case
  is a SHOULD of its own (ID-PLAYLIST-CASE), never assumed.
"""

from __future__ import annotations

import re
import uuid

GUID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
GUID_ID = re.compile(rf"^music\.{GUID}$")


def is_guid_id(value: str) -> bool:
    return bool(GUID_ID.match(value))


TRACK_PREFIX = "music."
PLAYLIST_PREFIX = "music.playlist."


def guid_track_id(guid: str, *, upper: bool = True) -> str:
    """A catalog track ID in GUID form, ``music.<GUID>``; upper case is the canonical form (E13)."""
    return f"{TRACK_PREFIX}{guid.upper() if upper else guid}"


def guid_playlist_id(guid: str) -> str:
    """A playlist ID as the documents print them (001/002): ``music.playlist.<lower-case GUID>``."""
    return f"{PLAYLIST_PREFIX}{guid.lower()}"


def unknown_track_id(*, upper: bool = True) -> str:
    """A fresh random GUID track ID, like the documents' examples, that no catalog holds."""
    return guid_track_id(str(uuid.uuid4()), upper=upper)


def unknown_playlist_id() -> str:
    """A fresh random playlist ID of the documents' form that names no playlist of any user."""
    return guid_playlist_id(str(uuid.uuid4()))


# A catalog track ID: the case-sensitive ``music.`` namespace and an ID with no blank or list
# separator in it. The ID itself is opaque (namespace.md shows ``music.A83EB907-…`` and
# ``music.AQQfoAnP2FoMuUGhob9VNyDIRAe5PqgAAQ``); IDs of the playlist sub-namespaces are not tracks.
TRACK_ID = re.compile(r"^music\.[^\s,;]+$")
NOT_TRACK_NAMESPACES = ("music.playlist.", "music.playlistforyou.")


def is_track_id(value: str) -> bool:
    """Whether ``value`` has the form of a catalog track ID (not whether any catalog holds it)."""
    return bool(TRACK_ID.match(value)) and not value.startswith(NOT_TRACK_NAMESPACES)


def canonical(value: str) -> str:
    """E13: ``music.`` + the upper-case GUID for a GUID-form ID; any other ID unchanged."""
    if GUID_ID.match(value):
        prefix, _, guid = value.partition(".")
        return f"{prefix}.{guid.upper()}"
    return value


def is_canonical(value: str) -> bool:
    """E13: an upper-case GUID ID, or any non-GUID ID (one the service returned)."""
    return canonical(value) == value


def same_id(a: object, b: str) -> bool:
    """Equal as IDs: exactly, or ignoring the GUID's case for a GUID-form ID (E13)."""
    if not isinstance(a, str):
        return False
    if GUID_ID.match(b):
        return a.lower() == b.lower()
    return a == b


def key(value: str) -> str:
    """The key under which the suite files an ID it keeps (case-insensitive, see the docstring)."""
    return value.upper()


def utf16_units(text: str) -> int:
    """A name's length as .NET counts it, in UTF-16 code units (E09): an astral character is two."""
    return len(text.encode("utf-16-le")) // 2
