"""Smoke: a playlist created by the run is named with the run prefix, readable, and cleaned up.

Exercises the parts of the harness that keep real accounts safe: ``created.name`` (the
``conformance-<runid>-`` prefix), the registry that learns the new Id from the create answer and
removes the playlist at the end of the session, and read-back through browse when the target
has it.
"""

from __future__ import annotations

import pytest

from conformance.cleanup import browse_all


@pytest.mark.requirement("PCRE-METADATA", "PCRE-READBACK")
def test_create_named_playlist(client, created, capabilities, verify):
    name = created.name("smoke")
    r = client.playlist_create({"Name": name, "IsPublished": False})

    verify.status("PCRE-METADATA", r, 200)
    result = (r.body or {}).get("PlaylistActionResult")
    result = result if isinstance(result, dict) else {}
    verify.that(
        "PCRE-METADATA",
        isinstance(result.get("Id"), str) and bool(result.get("Id")),
        "PlaylistActionResult carries the new playlist's Id",
        expected="an Id",
        actual=result,
    )
    if not result.get("Id"):
        return
    assert result["Id"] in created.playlists("user"), "the registry did not learn the created playlist"
    capabilities.require_browse()
    items = browse_all(client, "playlists", "Playlists") or []
    found = [p for p in items if isinstance(p, dict) and p.get("Id") == result["Id"]]
    verify.that(
        "PCRE-READBACK",
        len(found) == 1 and found[0].get("Name") == name,
        "a playlists browse lists the new playlist with its Name",
        expected=name,
        actual=found[0].get("Name") if found else "not listed",
    )
