"""Playlists: create, name rules, update of metadata and tracks, delete, unknown and missing Ids.

Mixes of valid and invalid tracks in a create or update are in ``test_partial_failures.py``, batch
sizes in ``test_batch_limits.py``, Move actions in ``test_reorder.py``.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from conformance.contract import LIMITS
from conformance.suite.helpers import expect, readback
from conformance.suite.helpers.builders import make_playlist

ASTRAL = "\U0001f3b5"  # MUSICAL NOTE, outside the BMP: two UTF-16 code units


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _summary(client: Any) -> list[tuple[str, Any]]:
    """The user's playlists as (Id, Name) pairs: what a refused request must leave as it was."""
    return sorted((k, v.get("Name")) for k, v in readback.playlists(client).items())


# --- create ----------------------------------------------------------------------------------------
@pytest.mark.requirement(
    "PCRE-METADATA", "PCRE-ECHO", "ID-PREFIX", "ID-PLAYLIST-NS", "PCRE-READBACK", "ID-PLAYLIST-BROWSE"
)
@pytest.mark.parametrize(
    "published", [None, False, True], ids=["is-published-absent", "unpublished", "published"]
)
def test_create_with_metadata_only(published, client, created, capabilities, verify):
    name = created.name("create-metadata")
    action: dict[str, Any] = {"Name": name}
    if published is not None:
        action["IsPublished"] = published
    r = client.playlist_create(action)
    expect.ok(verify, "PCRE-METADATA", r, "playlist_create")
    result = expect.playlist_result(r)
    pid = result.get("Id")
    verify.that(
        "PCRE-METADATA", isinstance(pid, str) and pid, "the result carries the new playlist's Id", actual=pid
    )
    verify.that("PCRE-METADATA", r.error is None, "no top-level Error", actual=r.error)
    verify.equal("PCRE-ECHO", result.get("Name"), name, "Name echoed")
    if published is not None:
        verify.equal("PCRE-ECHO", result.get("IsPublished"), published, "IsPublished echoed")
    pid = pid if isinstance(pid, str) else ""
    verify.that("ID-PREFIX", pid.startswith("music."), "the playlist Id starts with 'music.'", actual=pid)
    verify.that(
        "ID-PLAYLIST-NS",
        pid.lower().startswith("music.playlist."),
        "the playlist Id is music.playlist.*",
        actual=pid,
    )

    readback.need_browse(verify, capabilities, "the playlists")
    listed = readback.playlists(client)
    names = [p.get("Name") for p in listed.values()]
    verify.equal("PCRE-READBACK", names.count(name), 1, f"playlists named {name!r} listed")
    verify.that(
        "ID-PLAYLIST-BROWSE", pid.upper() in listed, "listed under the Id the create returned", actual=pid
    )


@pytest.mark.requirement("PCRE-DISTINCT-ID")
def test_two_creates_return_two_ids(client, created, verify):
    first = client.playlist_create({"Name": created.name("distinct")})
    second = client.playlist_create({"Name": created.name("distinct")})
    expect.ok(verify, "PCRE-DISTINCT-ID", first, "playlist_create")
    expect.ok(verify, "PCRE-DISTINCT-ID", second, "playlist_create")
    a, b = expect.playlist_result(first).get("Id"), expect.playlist_result(second).get("Id")
    verify.that(
        "PCRE-DISTINCT-ID",
        isinstance(a, str) and isinstance(b, str) and a.upper() != b.upper(),
        "two different playlist Ids",
        actual=[a, b],
    )


@pytest.mark.requirement(
    "PCRE-TRACKS",
    "PCRE-TRACK-ID",
    "BATCH-ORDER",
    "PUPD-RESULTS-NAME",
    "PUPD-ACTIONS",
    "ID-INPUTID-EXACT",
    "PCRE-TRACKS-READBACK",
    "PCRE-TRACKS-ORDER",
)
def test_create_with_tracks(client, catalog, created, capabilities, verify):
    ids = catalog.take(3)
    r = client.playlist_create(
        {"Name": created.name("create-tracks"), "TrackActions": [{"Id": i, "Action": "Add"} for i in ids]}
    )
    expect.ok(verify, "PCRE-TRACKS", r, "playlist_create")
    verify.that("PUPD-ACTIONS", r.status == 200 and r.error is None, "Action 'Add' accepted", actual=r.error)
    result = expect.playlist_result(r)
    verify.that(
        "PUPD-RESULTS-NAME",
        isinstance(result.get("TrackActionResults"), list),
        "per-action results are in PlaylistActionResult.TrackActionResults",
        actual=sorted(result),
    )
    got = expect.one_result_per_input(verify, "PCRE-TRACKS", r, ids)
    expect.input_ids_echoed(verify, "ID-INPUTID-EXACT", got, ids)
    new_ids = [g.get("Id") for g in got]
    verify.that(
        "PCRE-TRACK-ID",
        all(isinstance(i, str) and i for i in new_ids),
        "every successful Add result carries the track's new Id in the playlist",
        actual=new_ids,
    )

    readback.need_tracks_browse(verify, capabilities)
    listed = readback.playlist_track_ids(client, result.get("Id"))
    verify.equal("PCRE-TRACKS-READBACK", sorted(listed), sorted(new_ids), "the playlist's tracks, read back")
    verify.equal("PCRE-TRACKS-ORDER", listed, new_ids, "the playlist's tracks in the order of the actions")


# --- names -----------------------------------------------------------------------------------------
NAME_MAX = LIMITS.name_max


def _name(created: Any, kind: str) -> str | None:
    """A name of the kind under test, run-prefixed where the length leaves room (E09: UTF-16 units)."""
    fixed = {"one-character": "\u00e9", "empty": "", "missing": None}
    if kind in fixed:
        return fixed[kind]
    label, length, fill = {
        "256-bmp": ("name-max", NAME_MAX, "\u00e9"),
        "128-astral": ("name-astral", NAME_MAX, ASTRAL),
        "257-bmp": ("name-over", NAME_MAX + 1, "\u00e9"),
        "129-astral": ("name-astral-over", NAME_MAX + 2, ASTRAL),
    }[kind]
    return created.name(label, length=length, fill=fill)


ACCEPTED = {"one-character": "NAME-MIN", "256-bmp": "NAME-MAX", "128-astral": "NAME-ASTRAL"}
# kind -> (requirement, SHOULD requirement of the code, code)
REFUSED = {
    "empty": ("NAME-EMPTY", "NAME-MISSING-CODE", "COLLECTION_INVALID_PLAYLIST_INFO"),
    "257-bmp": ("NAME-OVER", "NAME-OVER-CODE", "INVALID_INPUT_PARAMETER"),
    "missing": ("NAME-MISSING", "NAME-MISSING-CODE", "COLLECTION_INVALID_PLAYLIST_INFO"),
    "129-astral": ("NAME-ASTRAL-OVER", "NAME-OVER-CODE", "INVALID_INPUT_PARAMETER"),
}


@pytest.mark.parametrize("op", ["playlist_create", "playlist_update"])
@pytest.mark.parametrize(
    "kind",
    [pytest.param(k, id=k, marks=pytest.mark.requirement(req, "NAME-STORED")) for k, req in ACCEPTED.items()],
)
def test_name_accepted(kind, op, client, catalog, created, capabilities, verify):
    req = ACCEPTED[kind]
    name = _name(created, kind)
    assert name is not None and _units(name) == {"one-character": 1}.get(kind, NAME_MAX)
    if op == "playlist_create":
        r = client.playlist_create({"Name": name})
        pid = expect.playlist_result(r).get("Id")
    else:
        pid = make_playlist(client, created, catalog, "name-update").id
        r = client.playlist_update({"Id": pid, "Name": name})
    expect.ok(verify, req, r, op)
    verify.that(req, r.error is None, "no top-level Error", actual=r.error)

    readback.need_browse(verify, capabilities, "the stored name")
    item = readback.playlist(client, pid) if isinstance(pid, str) else None
    verify.equal("NAME-STORED", (item or {}).get("Name"), name, "the name a playlists browse shows")
    if req == "NAME-MAX":
        verify.equal(req, (item or {}).get("Name"), name, "the 256-character name stored whole")


def _refused_cases() -> list[Any]:
    out = []
    for kind, (req, code_req, _code) in REFUSED.items():
        for op in ("playlist_create", "playlist_update"):
            if kind == "missing" and op == "playlist_update":
                continue  # without Name an update leaves the name alone (PUPD-UNCHANGED)
            out.append(
                pytest.param(kind, op, id=f"{op}-{kind}", marks=pytest.mark.requirement(req, code_req))
            )
    return out


@pytest.mark.parametrize(("kind", "op"), _refused_cases())
def test_name_refused(kind, op, client, catalog, created, capabilities, verify):
    req, code_req, code = REFUSED[kind]
    name = _name(created, kind)
    made = make_playlist(client, created, catalog, "name-refused") if op == "playlist_update" else None
    before = _summary(client) if capabilities.browse else None
    action: dict[str, Any] = {} if name is None else {"Name": name}
    if made is not None:
        action["Id"] = made.id
    r = client.operation(op, body=action)
    expect.rejected(verify, req, r, op, 400, code=code, code_req=code_req)

    readback.need_browse(verify, capabilities, "that nothing was created or changed")
    after = _summary(client)
    verify.equal(req, after, before, "the playlists (Id, Name) after the refused request")
    if name:
        verify.that(
            req, name not in [n for _, n in after], "no playlist carries the refused name", actual=name
        )


# --- update --------------------------------------------------------------------------------------------
UPDATES = {
    "name": {"Name": True},
    "is-published": {"IsPublished": True},
    "name-and-is-published": {"Name": True, "IsPublished": True},
}


@pytest.mark.requirement("PUPD-METADATA", "PUPD-ECHO", "PUPD-RESULT-ID", "PUPD-UNCHANGED")
@pytest.mark.parametrize("what", list(UPDATES))
def test_update_metadata_only(what, client, catalog, created, capabilities, verify):
    made = make_playlist(
        client, created, catalog, "update-metadata", 2, published=False, capabilities=capabilities
    )
    action: dict[str, Any] = {"Id": made.id}
    new_name = created.name("update-metadata-renamed")
    if "Name" in UPDATES[what]:
        action["Name"] = new_name
    if "IsPublished" in UPDATES[what]:
        action["IsPublished"] = True
    r = client.playlist_update(action)
    expect.ok(verify, "PUPD-RESULT-ID", r, "playlist_update")
    result = expect.playlist_result(r)
    verify.that(
        "PUPD-RESULT-ID",
        str(result.get("Id", "")).upper() == made.id.upper(),
        "the result's Id is the playlist's",
        expected=made.id,
        actual=result.get("Id"),
    )
    for member in ("Name", "IsPublished"):
        if member in action:
            verify.equal("PUPD-ECHO", result.get(member), action[member], f"{member} echoed")

    readback.need_browse(verify, capabilities, "the playlist's metadata")
    item = readback.playlist(client, made.id) or {}
    if "Name" in action:
        verify.equal("PUPD-METADATA", item.get("Name"), new_name, "the new name, read back")
    else:
        verify.equal("PUPD-UNCHANGED", item.get("Name"), made.name, "the name an update without Name left")
    readback.need_tracks_browse(verify, capabilities)
    verify.equal(
        "PUPD-UNCHANGED",
        readback.playlist_track_ids(client, made.id),
        made.entries,
        "the tracks an update without TrackActions left",
    )


@pytest.mark.requirement(
    "PUPD-ADD",
    "PUPD-DELETE",
    "PUPD-DELETE-BROWSED",
    "PUPD-ADD-END",
    "BATCH-ONE-RESULT",
    "BATCH-ORDER",
    "PUPD-BOTH",
)
@pytest.mark.parametrize("with_name", [False, True], ids=["tracks-only", "with-a-new-name"])
def test_update_adds_and_deletes_tracks(with_name, client, catalog, created, capabilities, verify):
    first_ids = catalog.take(3)
    made = client.playlist_create(
        {
            "Name": created.name("update-tracks"),
            "TrackActions": [{"Id": i, "Action": "Add"} for i in first_ids],
        }
    )
    pid = expect.playlist_result(made).get("Id")
    answered = [g.get("Id") for g in expect.results(made) or []]
    assert made.status == 200 and isinstance(pid, str) and len(answered) == 3, (
        f"precondition: create failed: {made!r}"
    )
    browsed = readback.playlist_track_ids(client, pid) if capabilities.playlist_tracks_browse else answered
    # delete the 2nd track by the Id its Add answered, the 3rd by the Id browse shows; add two new ones
    new_ids = catalog.take(2)
    actions = [{"Id": answered[1], "Action": "Delete"}, {"Id": browsed[2], "Action": "Delete"}]
    actions += [{"Id": i, "Action": "Add"} for i in new_ids]
    action: dict[str, Any] = {"Id": pid, "TrackActions": actions}
    new_name = created.name("update-tracks-renamed")
    if with_name:
        action["Name"] = new_name
    r = client.playlist_update(action)
    main = "PUPD-BOTH" if with_name else "PUPD-ADD"
    expect.ok(verify, main, r, "playlist_update")
    got = expect.one_result_per_input(verify, "BATCH-ONE-RESULT", r, [a["Id"] for a in actions])
    if len(got) == 4:
        verify.that(
            "PUPD-DELETE",
            expect.item_error(got[0]) is None,
            "deleting by the Id an Add answered succeeds",
            actual=got[0],
        )
        verify.that(
            "PUPD-DELETE-BROWSED",
            expect.item_error(got[1]) is None,
            "deleting by the Id tracks browse shows succeeds",
            actual=got[1],
        )
        verify.that(
            "PUPD-ADD",
            all(expect.item_error(g) is None and expect.has_value(g, "Id") for g in got[2:]),
            "each Add result carries an Id and no Error",
            actual=got[2:],
        )
    added = [g.get("Id") for g in got[2:]]

    readback.need_tracks_browse(verify, capabilities)
    listed = readback.playlist_track_ids(client, pid)
    verify.that(
        "PUPD-DELETE",
        answered[1] not in listed and browsed[1] not in listed,
        "the track deleted by its answered Id is gone",
        actual=listed,
    )
    verify.that(
        "PUPD-DELETE-BROWSED",
        browsed[2] not in listed,
        "the track deleted by its browsed Id is gone",
        actual=listed,
    )
    verify.that("PUPD-ADD", all(a in listed for a in added), "the added tracks are listed", actual=listed)
    verify.equal(
        "PUPD-ADD-END", listed, [browsed[0], *added], "added tracks at the end, in the order of the actions"
    )
    if with_name:
        readback.need_browse(verify, capabilities, "the new name")
        verify.equal(
            "PUPD-BOTH",
            (readback.playlist(client, pid) or {}).get("Name"),
            new_name,
            "the name changed in the same update",
        )
        verify.equal("PUPD-BOTH", sorted(listed), sorted([browsed[0], *added]), "and the tracks too")


@pytest.mark.requirement("PUPD-ACTIONS-LOWER")
def test_lower_case_action_names(client, catalog, created, capabilities, verify):
    made = make_playlist(client, created, catalog, "lower-actions", 1, capabilities=capabilities)
    r = client.playlist_update(
        {
            "Id": made.id,
            "TrackActions": [
                {"Id": catalog.take(1)[0], "Action": "add"},
                {"Id": made.entries[0], "Action": "delete"},
            ],
        }
    )
    expect.ok(verify, "PUPD-ACTIONS-LOWER", r, "playlist_update")
    verify.that(
        "PUPD-ACTIONS-LOWER",
        all(expect.item_error(g) is None for g in expect.results(r) or [None]),
        "'add' and 'delete' applied like Add and Delete",
        actual=r.body,
    )


# --- unknown and missing playlist Ids ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "op",
    [
        pytest.param("playlist_update", marks=pytest.mark.requirement("PUPD-UNKNOWN", "PUPD-UNKNOWN-CODE")),
        pytest.param("playlist_delete", marks=pytest.mark.requirement("PDEL-UNKNOWN", "PUPD-UNKNOWN-CODE")),
    ],
)
def test_unknown_playlist_id(op, client, catalog, capabilities, verify):
    req = "PUPD-UNKNOWN" if op == "playlist_update" else "PDEL-UNKNOWN"
    before = _summary(client) if capabilities.browse else None
    action: dict[str, Any] = {"Id": f"music.playlist.{uuid.uuid4()}"}
    if op == "playlist_update":
        action |= {"Name": "renamed", "TrackActions": [{"Id": catalog.take(1)[0], "Action": "Add"}]}
    r = client.operation(op, body=action)
    expect.rejected(
        verify, req, r, op, code="COLLECTION_NO_RESULT", code_req="PUPD-UNKNOWN-CODE", code_status=404
    )
    readback.need_browse(verify, capabilities, "that nothing changed")
    verify.equal(req, _summary(client), before, "the playlists (Id, Name) after the refused request")


@pytest.mark.parametrize(
    "op",
    [
        pytest.param("playlist_update", marks=pytest.mark.requirement("PUPD-ID-REQUIRED", "PUPD-ID-CODE")),
        pytest.param("playlist_delete", marks=pytest.mark.requirement("PDEL-ID-REQUIRED", "PUPD-ID-CODE")),
    ],
)
def test_missing_playlist_id(op, client, catalog, created, capabilities, verify):
    req = "PUPD-ID-REQUIRED" if op == "playlist_update" else "PDEL-ID-REQUIRED"
    make_playlist(client, created, catalog, "missing-id")  # at least one playlist that must stay as it is
    before = _summary(client) if capabilities.browse else None
    r = client.operation(op, body={"Name": created.name("missing-id-renamed")})
    expect.rejected(
        verify, req, r, op, code="MISSING_INPUT_PARAMETER", code_req="PUPD-ID-CODE", code_status=400
    )
    readback.need_browse(verify, capabilities, "that nothing changed")
    verify.equal(req, _summary(client), before, "the playlists (Id, Name) after the refused request")


# --- delete ------------------------------------------------------------------------------------------------
@pytest.mark.requirement(
    "PDEL-OK", "PUPD-RESULT-ID", "ID-PLAYLIST-USABLE", "PDEL-READBACK", "PDEL-TRACKS-GONE", "PDEL-UNKNOWN"
)
def test_delete_playlist(client, catalog, created, capabilities, verify):
    keep = make_playlist(client, created, catalog, "delete-keep")
    gone = make_playlist(client, created, catalog, "delete-gone", 1)
    # the Id a create returned, sent back as returned, names the playlist in update, tracks browse, delete
    u = client.playlist_update({"Id": gone.id, "Name": created.name("delete-gone-renamed")})
    expect.ok(verify, "ID-PLAYLIST-USABLE", u, "playlist_update")
    if capabilities.playlist_tracks_browse:
        expect.ok(
            verify, "ID-PLAYLIST-USABLE", client.playlist_tracks_browse(gone.id), "playlist_tracks_browse"
        )
    r = client.playlist_delete({"Id": gone.id})
    expect.ok(verify, "PDEL-OK", r, "playlist_delete")
    verify.that(
        "ID-PLAYLIST-USABLE", r.status == 200 and r.error is None, "delete by the returned Id", actual=r.error
    )
    verify.that(
        "PUPD-RESULT-ID",
        str(expect.playlist_result(r).get("Id", "")).upper() == gone.id.upper(),
        "the result's Id is the deleted playlist's",
        expected=gone.id,
        actual=expect.playlist_result(r).get("Id"),
    )
    again = client.playlist_delete({"Id": gone.id})
    expect.rejected(verify, "PDEL-UNKNOWN", again, "playlist_delete")

    readback.need_browse(verify, capabilities, "the playlists")
    listed = readback.playlists(client)
    verify.that(
        "PDEL-READBACK",
        gone.id.upper() not in listed,
        "the deleted playlist is no longer listed",
        actual=gone.id,
    )
    verify.that(
        "PDEL-READBACK", keep.id.upper() in listed, "another playlist is still listed", actual=keep.id
    )
    readback.need_tracks_browse(verify, capabilities)
    t = client.playlist_tracks_browse(gone.id)
    expect.rejected(verify, "PDEL-TRACKS-GONE", t, "playlist_tracks_browse")


@pytest.mark.requirement("PDEL-IGNORES")
def test_delete_ignores_other_members(client, catalog, created, capabilities, verify):
    keep = make_playlist(client, created, catalog, "ignores-keep")
    gone = make_playlist(client, created, catalog, "ignores-gone")
    other_name = created.name("ignores-other-name")
    before = [(k, n) for k, n in _summary(client) if k != gone.id.upper()] if capabilities.browse else None
    r = client.playlist_delete(
        {
            "Id": gone.id,
            "Name": other_name,
            "IsPublished": True,
            "TrackActions": [{"Id": catalog.take(1)[0], "Action": "Add"}],
        }
    )
    expect.ok(verify, "PDEL-IGNORES", r, "playlist_delete")
    readback.need_browse(verify, capabilities, "the playlists")
    after = _summary(client)
    verify.equal("PDEL-IGNORES", after, before, "the playlist is gone and every other one is as it was")
    verify.that(
        "PDEL-IGNORES", keep.id.upper() in dict(after), "the other playlist is still there", actual=keep.id
    )


@pytest.mark.requirement("ID-PLAYLIST-CASE")
@pytest.mark.parametrize("op", ["playlist_update", "playlist_tracks_browse", "playlist_delete"])
def test_playlist_id_in_another_case(op, client, catalog, created, capabilities, verify):
    readback.require_operation(capabilities, op)
    made = make_playlist(client, created, catalog, "id-case", 1)
    other_case = made.id.upper() if made.id != made.id.upper() else made.id.lower()
    if op == "playlist_update":
        r = client.playlist_update({"Id": other_case, "Name": created.name("id-case-renamed")})
    elif op == "playlist_tracks_browse":
        r = client.playlist_tracks_browse(other_case)
    else:
        r = client.playlist_delete({"Id": other_case})
    expect.ok(verify, "ID-PLAYLIST-CASE", r, op)
