"""Playlists: create, name rules, update of metadata and tracks, delete, unknown and missing Ids.

Mixes of valid and invalid tracks in a create or update are in ``test_partial_failures.py``, batch
sizes in ``test_batch_limits.py``, Move actions in ``test_reorder.py``.

A playlist is found in a playlists browse by Id and, failing that, by the unique run-generated Name
it should carry (E15: ``readback.playlist``); results of creates and updates are paired with their
actions by InputId (E27), and a playlist's order is only ever compared with what its own tracks
browse listed before, never with the order of a create's answer.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import pytest

from conformance import judging, readback
from conformance.contract import LIMITS
from conformance.ids import unknown_playlist_id, utf16_units
from conformance.suite.helpers import expect
from conformance.suite.helpers.builders import make_playlist

if TYPE_CHECKING:
    from conformance.client import Client
    from conformance.ownership import Ownership
    from conformance.plugin import Capabilities


ASTRAL = "\U0001f3b5"  # MUSICAL NOTE, outside the BMP: two UTF-16 code units


def _summary(client: Client) -> list[tuple[str, Any]]:
    """The user's playlists as (Id, Name) pairs: what a refused request must leave as it was."""
    return sorted((k, v.get("Name")) for k, v in readback.playlists(client).items())


def _others(listed: dict[str, dict[str, Any]], *skip: Any) -> list[tuple[str, Any, Any]]:
    """(Id, Name, IsPublished) of the listed playlists, leaving out the items in ``skip``."""
    return sorted(
        (k, v.get("Name"), v.get("IsPublished")) for k, v in listed.items() if all(v is not x for x in skip)
    )


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


def _one_character(created: Ownership) -> str:
    """A one-character, non-ASCII (NFC) name of its own: a CJK ideograph drawn from a fresh run name,
    so that two playlists of one run never share a name (E26)."""
    digest = hashlib.sha256(created.name("name-min").encode()).digest()
    return chr(0x4E00 + int.from_bytes(digest[:4], "big") % 0x5000)


def _name(created: Ownership, kind: str) -> str | None:
    """A name of the kind under test, run-prefixed where the length leaves room (E09: UTF-16 units)."""
    if kind == "one-character":
        return _one_character(created)
    fixed = {"empty": "", "missing": None}
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
# kind -> (requirement, SHOULD requirement of the code, code); an empty Name on update is
# test_empty_name_on_update's (E10: it may be read as "no new name")
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
    assert name is not None and utf16_units(name) == {"one-character": 1}.get(kind, NAME_MAX)
    old_name = None
    if op == "playlist_create":
        r = client.playlist_create({"Name": name})
        pid = expect.playlist_result(r).get("Id")
    else:
        made = make_playlist(client, created, catalog, "name-update")
        pid, old_name = made.id, made.name
        r = client.playlist_update({"Id": pid, "Name": name})
    expect.ok(verify, req, r, op)
    verify.that(req, r.error is None, "no top-level Error", actual=r.error)

    readback.need_browse(verify, capabilities, "the stored name")
    item = readback.playlist(client, pid, name, old_name) if isinstance(pid, str) else None
    verify.equal("NAME-STORED", (item or {}).get("Name"), name, "the name a playlists browse shows")
    if req == "NAME-MAX":
        verify.equal(req, (item or {}).get("Name"), name, "the 256-character name stored whole")


def _refused_cases() -> list[Any]:
    out = []
    for kind, (req, code_req, _code) in REFUSED.items():
        for op in ("playlist_create", "playlist_update"):
            if kind == "missing" and op == "playlist_update":
                continue  # without Name an update leaves the name alone (PUPD-UNCHANGED)
            if kind == "empty" and op == "playlist_update":
                continue  # test_empty_name_on_update
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


@pytest.mark.requirement("NAME-EMPTY-UPDATE", "NAME-EMPTY-REFUSED", "NAME-MISSING-CODE")
def test_empty_name_on_update(client, catalog, created, capabilities, verify):
    """E10: an empty Name on update never empties the name: refused (4xx, nothing changed) or, read
    as "no new name", answered 200 with the name unchanged (MUST); refused with 400 (SHOULD)."""
    made = make_playlist(client, created, catalog, "name-empty-update")
    before = _summary(client) if capabilities.browse else None
    r = client.playlist_update({"Id": made.id, "Name": ""})
    refused = r.status in expect.CLIENT_ERRORS
    verify.that(
        "NAME-EMPTY-UPDATE",
        refused or r.status == 200,
        "an empty Name on update is refused (4xx) or read as no new name (200)",
        expected="4xx, or 200 with the name unchanged",
        actual=r.status,
    )
    if refused:
        verify.schema("NAME-EMPTY-UPDATE", r, "ErrorResponse")
    elif r.status == 200:
        expect.body(verify, "NAME-EMPTY-UPDATE", r, "playlist_update")
    verify.status("NAME-EMPTY-REFUSED", r, 400)
    verify.schema("NAME-EMPTY-REFUSED", r, "ErrorResponse")
    verify.error_code("NAME-MISSING-CODE", r, "COLLECTION_INVALID_PLAYLIST_INFO")

    readback.need_browse(verify, capabilities, "that the name did not change")
    listed = readback.playlists(client)
    item = readback.find_playlist(listed, made.id, made.name)
    verify.equal(
        "NAME-EMPTY-UPDATE",
        (item or {}).get("Name"),
        made.name,
        "the playlist keeps its name",
    )
    verify.equal(
        "NAME-EMPTY-UPDATE",
        sorted((k, v.get("Name")) for k, v in listed.items()),
        before,
        "the playlists (Id, Name) after the update with an empty Name",
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
    item = readback.playlist(client, made.id, action.get("Name"), made.name) or {}
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
    "BROWSE-PL-ORDER",
    "PUPD-BOTH",
)
@pytest.mark.parametrize("with_name", [False, True], ids=["tracks-only", "with-a-new-name"])
def test_update_adds_and_deletes_tracks(with_name, client, catalog, created, capabilities, verify):
    first_ids = catalog.take(3)
    old_name = created.name("update-tracks")
    made = client.playlist_create(
        {"Name": old_name, "TrackActions": [{"Id": i, "Action": "Add"} for i in first_ids]}
    )
    pid = expect.playlist_result(made).get("Id")
    # the Id each Add answered, matched to its action by InputId (E27), in action order
    matched = judging.match_results(first_ids, expect.results(made)).by_entry
    answered = [g.get("Id") if isinstance(g, dict) and not expect.item_error(g) else None for g in matched]
    assert made.status == 200 and isinstance(pid, str) and all(isinstance(a, str) for a in answered), (
        f"precondition: create failed: {made!r}"
    )
    # the playlist's order as its tracks browse lists it (without one: the answered Ids, a set)
    browsed = readback.playlist_track_ids(client, pid) if capabilities.playlist_tracks_browse else answered
    # two distinct tracks to delete: one by the Id tracks browse shows, the other by the Id its Add
    # answered (chosen among the browsed ones, so that it names another track than the first)
    by_browse = browsed[-1]
    by_answer = next((a for a in answered if a != by_browse and a in browsed), None)
    by_answer = by_answer or next(a for a in answered if a != by_browse)
    deleted = {by_answer, by_browse}
    new_ids = catalog.take(2)
    actions = [{"Id": by_answer, "Action": "Delete"}, {"Id": by_browse, "Action": "Delete"}]
    actions += [{"Id": i, "Action": "Add"} for i in new_ids]
    action: dict[str, Any] = {"Id": pid, "TrackActions": actions}
    new_name = created.name("update-tracks-renamed")
    if with_name:
        action["Name"] = new_name
    r = client.playlist_update(action)
    main = "PUPD-BOTH" if with_name else "PUPD-ADD"
    expect.ok(verify, main, r, "playlist_update")
    # in action order: got[i] is the result matched to action i by InputId
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
    added = [g.get("Id") for g in got[2:]]  # in action order

    readback.need_tracks_browse(verify, capabilities)
    listed = readback.playlist_track_ids(client, pid)
    verify.that(
        "PUPD-DELETE",
        by_answer not in listed,
        "the track deleted by its answered Id is gone",
        expected=f"{by_answer} not listed",
        actual=listed,
    )
    verify.that(
        "PUPD-DELETE-BROWSED",
        by_browse not in listed,
        "the track deleted by its browsed Id is gone",
        expected=f"{by_browse} not listed",
        actual=listed,
    )
    verify.that("PUPD-ADD", all(a in listed for a in added), "the added tracks are listed", actual=listed)
    kept = [b for b in browsed if b not in deleted]
    verify.equal(
        "BROWSE-PL-ORDER",
        [x for x in listed if x in browsed],
        kept,
        "the tracks not deleted are still listed, in the order they stood",
    )
    verify.equal(
        "PUPD-ADD-END", listed, [*kept, *added], "added tracks at the end, in the order of the actions"
    )
    if with_name:
        readback.need_browse(verify, capabilities, "the new name")
        verify.equal(
            "PUPD-BOTH",
            (readback.playlist(client, pid, new_name, old_name) or {}).get("Name"),
            new_name,
            "the name changed in the same update",
        )
        verify.equal("PUPD-BOTH", sorted(listed), sorted([*kept, *added]), "and the tracks too")


def _published_reports(
    client: Client,
    capabilities: Capabilities,
    pid: str,
    *names: str,
) -> list[tuple[str, Any]]:
    """(where, IsPublished) for every place the service reports the playlist's IsPublished, when
    reported: its item in a playlists browse, each tracks-browse page's Playlists.Items[0]."""
    out: list[tuple[str, Any]] = []
    if capabilities.browse:
        item = readback.playlist(client, pid, *names)
        if item is not None and item.get("IsPublished") is not None:
            out.append(("the playlists browse", item["IsPublished"]))
    if capabilities.playlist_tracks_browse:
        read = readback.playlist_read(client, pid)
        out += [
            (f"tracks browse page {k + 1}", head["IsPublished"])
            for k, head in enumerate(read.heads)
            if head.get("IsPublished") is not None
        ]
    return out


@pytest.mark.requirement("PUPD-PUBLISHED")
@pytest.mark.parametrize("first", [True, False], ids=["published-then-not", "unpublished-then-published"])
def test_is_published_sent_is_applied(first, client, catalog, created, capabilities, verify):
    """E26: what IsPublished defaults to is silent, but an IsPublished that is sent is stated (003:
    "control whether it's published"): every IsPublished reported afterwards is the value sent.
    Where it is not reported (absent, null), nothing is judged."""
    name = created.name("published")
    r = client.playlist_create(
        {"Name": name, "IsPublished": first, "TrackActions": [{"Id": catalog.take(1)[0], "Action": "Add"}]}
    )
    pid = expect.playlist_result(r).get("Id")
    assert r.status == 200 and isinstance(pid, str), f"precondition: create failed: {r!r}"
    for value, step, answer in ((first, "create", r), (not first, "update", None)):
        if answer is None:
            answer = client.playlist_update({"Id": pid, "IsPublished": value})
            verify.status("PUPD-PUBLISHED", answer, 200)
        reports = []
        echoed = expect.playlist_result(answer).get("IsPublished")
        if echoed is not None:
            reports.append((f"the {step} result", echoed))
        reports += _published_reports(client, capabilities, pid, name)
        for where, reported in reports:
            verify.equal(
                "PUPD-PUBLISHED",
                reported,
                value,
                f"after a {step} sending IsPublished={str(value).lower()}: IsPublished in {where}",
            )


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
def test_unknown_playlist_id(op, client, catalog, created, capabilities, verify):
    req = "PUPD-UNKNOWN" if op == "playlist_update" else "PDEL-UNKNOWN"
    before = _summary(client) if capabilities.browse else None
    action: dict[str, Any] = {"Id": unknown_playlist_id()}
    if op == "playlist_update":
        action |= {
            "Name": created.name("unknown-renamed"),
            "TrackActions": [{"Id": catalog.take(1)[0], "Action": "Add"}],
        }
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
    renamed = created.name("delete-gone-renamed")
    # the Id a create returned, sent back as returned, names the playlist in update, tracks browse, delete
    u = client.playlist_update({"Id": gone.id, "Name": renamed})
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
        readback.find_playlist(listed, gone.id, renamed, gone.name) is None,
        "the deleted playlist is no longer listed (by Id or Name)",
        actual=gone.id,
    )
    verify.that(
        "PDEL-READBACK",
        readback.find_playlist(listed, keep.id, keep.name) is not None,
        "another playlist is still listed",
        actual=keep.id,
    )
    readback.need_tracks_browse(verify, capabilities)
    t = client.playlist_tracks_browse(gone.id)
    expect.rejected(verify, "PDEL-TRACKS-GONE", t, "playlist_tracks_browse")


@pytest.mark.requirement("PDEL-IGNORES")
def test_delete_ignores_metadata(client, catalog, created, capabilities, verify):
    """uri-delete-playlist.md: "all other metadata will be ignored": Name and IsPublished."""
    keep = make_playlist(client, created, catalog, "ignores-keep", published=False)
    gone = make_playlist(client, created, catalog, "ignores-gone", published=False)
    other_name = created.name("ignores-other-name")
    before = None
    if capabilities.browse:
        listed = readback.playlists(client)
        before = _others(listed, readback.find_playlist(listed, gone.id, gone.name))
    r = client.playlist_delete({"Id": gone.id, "Name": other_name, "IsPublished": True})
    expect.ok(verify, "PDEL-IGNORES", r, "playlist_delete")
    readback.need_browse(verify, capabilities, "the playlists")
    listed = readback.playlists(client)
    verify.that(
        "PDEL-IGNORES",
        readback.find_playlist(listed, gone.id, other_name, gone.name) is None,
        "the playlist is deleted",
        actual=gone.id,
    )
    verify.equal(
        "PDEL-IGNORES", _others(listed), before, "every other playlist is as it was (Id, Name, IsPublished)"
    )
    verify.that(
        "PDEL-IGNORES",
        readback.find_playlist(listed, keep.id, keep.name) is not None,
        "the other playlist is still there",
        actual=keep.id,
    )


@pytest.mark.requirement("PDEL-ACTIONS", "PDEL-ACTIONS-IGNORED")
def test_delete_with_track_actions(client, catalog, created, capabilities, verify):
    """E29: TrackActions are not metadata; a delete carrying an Add applies none of it: 200 and the
    playlist deleted, or 4xx with an Error and the playlist unchanged (MUST); ignored, 200 (SHOULD)."""
    keep = make_playlist(client, created, catalog, "actions-keep", 1, capabilities=capabilities)
    gone = make_playlist(client, created, catalog, "actions-gone", 1, capabilities=capabilities)
    tracks = capabilities.playlist_tracks_browse
    before: dict[str, Any] = {}
    if capabilities.browse:
        listed = readback.playlists(client)
        before["others"] = _others(listed, readback.find_playlist(listed, gone.id, gone.name))
        before["collection"] = set(readback.collection_track_ids(client))
    r = client.playlist_delete({"Id": gone.id, "TrackActions": [{"Id": catalog.take(1)[0], "Action": "Add"}]})
    deleted, refused = r.status == 200, r.status in expect.CLIENT_ERRORS
    verify.that(
        "PDEL-ACTIONS",
        deleted or refused,
        "a delete carrying TrackActions deletes (200) or is refused (4xx)",
        expected="200 or 4xx",
        actual=r.status,
    )
    if refused:
        verify.schema("PDEL-ACTIONS", r, "ErrorResponse")
    elif deleted:
        expect.body(verify, "PDEL-ACTIONS", r, "playlist_delete")
    verify.status("PDEL-ACTIONS-IGNORED", r, 200)

    readback.need_browse(verify, capabilities, "that no action was applied")
    listed = readback.playlists(client)
    still = readback.find_playlist(listed, gone.id, gone.name)
    if deleted:
        verify.that("PDEL-ACTIONS", still is None, "answered 200: the playlist is deleted", actual=still)
    elif refused:
        verify.that("PDEL-ACTIONS", still is not None, "refused: the playlist stays", actual=gone.id)
    verify.that("PDEL-ACTIONS-IGNORED", still is None, "the playlist is deleted", actual=still)
    verify.equal(
        "PDEL-ACTIONS",
        _others(listed, still),
        before["others"],
        "every other playlist is as it was (Id, Name, IsPublished), none added",
    )
    # the collection: no track the test did not add itself appeared (not a whole-collection
    # comparison: what this run added elsewhere meanwhile is the run's, not the delete's)
    appeared = set(readback.collection_track_ids(client)) - before["collection"] - set(created.tracks("user"))
    verify.that("PDEL-ACTIONS", not appeared, "no track reached the collection", actual=sorted(appeared)[:5])
    if not tracks:
        return
    verify.equal(
        "PDEL-ACTIONS",
        readback.playlist_track_ids(client, keep.id),
        keep.entries,
        "the other playlist's tracks are as they were",
    )
    if still is not None:
        verify.equal(
            "PDEL-ACTIONS",
            readback.playlist_track_ids(client, gone.id),
            gone.entries,
            "the playlist that stays holds the tracks it had",
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
