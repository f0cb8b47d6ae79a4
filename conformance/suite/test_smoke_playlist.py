"""Smoke: a playlist created by the run is named with the run prefix, readable, and cleaned up.

Exercises the parts of the harness that keep real accounts safe: ``created.name`` (the
``conformance-<runid>-`` prefix), the registry that learns the new Id from the create answer and
removes the playlist at the end of the session, and read-back through browse when the target
has it. The new playlist is found in the browse by the Id the create returned or, when the browse
lists it under another form of its Id (E15), by its unique run-generated Name.
"""

from __future__ import annotations

import pytest

from conformance import readback


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
    listed = readback.playlists(client)
    found = readback.find_playlist(listed, result["Id"], name)
    verify.that(
        "PCRE-READBACK",
        found is not None and found.get("Name") == name,
        "a playlists browse lists the new playlist with its Name",
        expected=name,
        actual=found.get("Name") if found else "not listed",
    )
    verify.equal(
        "PCRE-READBACK",
        [p.get("Name") for p in listed.values()].count(name),
        1,
        f"playlists named {name!r} listed",
    )
