"""The documents' examples, one by one, against the emulator (both profiles, JSON).

Each test names the page it follows (paths relative to shared/). Bodies are also validated
against the contract's schemas, so the emulator and schemas/ cannot drift apart.
"""

from __future__ import annotations

import re

from conformance import contract
from conformance.catalog_ids import DOCUMENT_INVALID_TRACK_IDS, DOCUMENT_VALID_TRACK_IDS

from .conftest import CATALOG, Api

COLLECTION_ID = re.compile(r"^music\.AQQf[A-Za-z0-9_-]{30}$")
PLAYLIST_ID = re.compile(r"^music\.playlist\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
GET_LUCKY = "music.A83EB907-0100-11DB-89CA-0019B92A3933"  # 000, 001/002
ALEPH = "music.2DEBEA07-0100-11DB-89CA-0019B92A3933"  # 003
DER_ALCHEMYST = "music.9941BE07-0100-11DB-89CA-0019B92A3933"  # 001/002
RANDOM_LOWER = "music.9bb2c5c5-455c-4c15-827c-f9bfd759a458"  # 000, 004
SOME_FAILED = {
    "ErrorCode": "COLLECTION_SOME_OPERATIONS_FAILED",
    "Description": "Some of the operations failed",
}


def valid(schema: str, body: object) -> None:
    assert contract.validate(schema, body) == [], contract.validate(schema, body)


def test_document_ids_are_in_the_builtin_catalog() -> None:
    assert set(DOCUMENT_VALID_TRACK_IDS) <= set(CATALOG)
    assert not {i.upper().replace("MUSIC.", "music.") for i in DOCUMENT_INVALID_TRACK_IDS} & set(CATALOG)


# --- seeds/000 (collection add) ---------------------------------------------------------------


def test_000_add_one_valid_one_random(api: Api) -> None:
    r = api.add([RANDOM_LOWER, GET_LUCKY])
    assert r.status_code == 200
    body = r.json()
    valid("TrackActionResponse", body)
    bad, good = body["TrackActionResults"]
    assert bad == {
        "InputId": "music.9BB2C5C5-455C-4C15-827C-F9BFD759A458",
        "Error": {
            "ErrorCode": "COLLECTION_INVALID_ID",
            "Description": "Invalid collection id for this operation",
            "Message": "Collection ErrorCode=ArgumentInvalid, Details=ContentId",
        },
    }
    assert good["InputId"] == GET_LUCKY and set(good) == {"InputId", "Id"}
    assert COLLECTION_ID.match(good["Id"])
    assert body["Error"] == SOME_FAILED
    assert api.collection() == [good["Id"]]


def test_000_add_too_many_changes_nothing(api: Api) -> None:
    r = api.add([GET_LUCKY] * 101)
    assert r.status_code == 400
    assert r.json() == {
        "Error": {
            "ErrorCode": "COLLECTION_INVALID_OPERATION",
            "Description": "This operation is not supported",
            "Message": "Number of tracks for this operation is limited to 100",
        }
    }
    valid("ErrorResponse", r.json())
    assert api.collection() == []


def test_000_exactly_100_distinct_ids_are_added(api: Api) -> None:
    r = api.add(CATALOG[:100])
    assert r.status_code == 200
    results = r.json()["TrackActionResults"]
    assert [x["InputId"] for x in results] == CATALOG[:100]
    assert "Error" not in r.json()
    assert len(api.collection()) == 100


def test_000_access_denied_without_user_token(api: Api) -> None:
    r = api.add([GET_LUCKY], auth=False)
    assert r.status_code == 401
    assert r.json() == {
        "Error": {
            "ErrorCode": "INVALID_AUTHORIZATION_HEADER",
            "Description": "Missing or invalid authorization header",
            "Message": "You need user authentication to use this API",
        }
    }
    assert api.collection() == []


def test_adding_an_owned_track_again_returns_its_collection_id(api: Api) -> None:
    first = api.add([GET_LUCKY]).json()["TrackActionResults"][0]["Id"]
    again = api.add([GET_LUCKY.lower().replace("music.", "music.")]).json()["TrackActionResults"][0]
    assert again == {"InputId": GET_LUCKY, "Id": first}
    assert api.collection() == [first]


def test_all_items_failing_is_still_a_200_partial_failure(api: Api) -> None:
    r = api.add([RANDOM_LOWER, DOCUMENT_INVALID_TRACK_IDS[1]])
    assert r.status_code == 200
    assert all(x["Error"]["ErrorCode"] == "COLLECTION_INVALID_ID" for x in r.json()["TrackActionResults"])
    assert r.json()["Error"] == SOME_FAILED


# --- seeds/004 (collection delete) ------------------------------------------------------------


def test_004_delete_one_owned_one_random(api: Api) -> None:
    owned = api.add([DER_ALCHEMYST]).json()["TrackActionResults"][0]["Id"]
    r = api.delete([RANDOM_LOWER, owned])
    assert r.status_code == 200
    body = r.json()
    valid("TrackActionResponse", body)
    assert body == {
        "TrackActionResults": [
            {
                "InputId": "music.9BB2C5C5-455C-4C15-827C-F9BFD759A458",
                "Error": {
                    "ErrorCode": "COLLECTION_INVALID_ID",
                    "Description": "Invalid collection id for this operation",
                },
            },
            {"InputId": owned},
        ],
        "Error": SOME_FAILED,
    }
    assert api.collection() == []


def test_delete_same_collection_id_twice_in_one_batch(api: Api) -> None:
    owned = api.add([DER_ALCHEMYST]).json()["TrackActionResults"][0]["Id"]
    results = api.delete([owned, owned]).json()["TrackActionResults"]
    assert "Error" not in results[0]
    assert results[1]["Error"]["ErrorCode"] == "COLLECTION_INVALID_ID"


def test_delete_by_catalog_id_is_refused_per_item(api: Api) -> None:
    api.add([DER_ALCHEMYST])
    r = api.delete([DER_ALCHEMYST])
    assert r.status_code == 200
    assert r.json()["TrackActionResults"][0]["Error"]["ErrorCode"] == "COLLECTION_INVALID_ID"
    assert len(api.collection()) == 1


def test_delete_101_changes_nothing(api: Api) -> None:
    owned = api.add([DER_ALCHEMYST]).json()["TrackActionResults"][0]["Id"]
    r = api.delete([owned] * 101)
    assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == "COLLECTION_INVALID_OPERATION"
    assert api.collection() == [owned]


# --- seeds/001, 002 (playlist create) ---------------------------------------------------------


def test_001_create_without_tracks(api: Api) -> None:
    r = api.create({"Name": "Groove is awesome", "IsPublished": False})
    assert r.status_code == 200
    body = r.json()
    valid("PlaylistActionResponse", body)
    result = body["PlaylistActionResult"]
    assert set(body) == {"PlaylistActionResult"}
    assert PLAYLIST_ID.match(result["Id"])
    assert result == {"Id": result["Id"], "Name": "Groove is awesome", "IsPublished": False}


def test_001_create_with_tracks(api: Api) -> None:
    r = api.create(
        {
            "Name": "Groove APIs rock!",
            "IsPublished": False,
            "TrackActions": [{"Id": GET_LUCKY, "Action": "Add"}, {"Id": DER_ALCHEMYST, "Action": "Add"}],
        }
    )
    assert r.status_code == 200 and "Error" not in r.json()
    result = r.json()["PlaylistActionResult"]
    assert [x["InputId"] for x in result["TrackActionResults"]] == [GET_LUCKY, DER_ALCHEMYST]
    ids = [x["Id"] for x in result["TrackActionResults"]]
    assert all(COLLECTION_ID.match(i) for i in ids)
    assert api.order(result["Id"]) == ids


def test_001_create_with_some_invalid_tracks(api: Api) -> None:
    invalid = "music.9F41BE07-357E-23A5-7B54-0019B92A3933"
    r = api.create(
        {
            "Name": "Please take my money!",
            "IsPublished": False,
            "TrackActions": [{"Id": GET_LUCKY, "Action": "Add"}, {"Id": invalid, "Action": "Add"}],
        }
    )
    assert r.status_code == 200
    body = r.json()
    valid("PlaylistActionResponse", body)
    good, bad = body["PlaylistActionResult"]["TrackActionResults"]
    assert good["InputId"] == GET_LUCKY and "Error" not in good
    assert bad == {
        "InputId": invalid,
        "Error": {
            "ErrorCode": "COLLECTION_INVALID_ID",
            "Description": "Invalid collection id for this operation",
            "Message": "Collection ErrorCode=ArgumentInvalid, Details=ContentId",
        },
    }
    assert body["Error"] == SOME_FAILED
    assert api.order(body["PlaylistActionResult"]["Id"]) == [good["Id"]]


def test_create_101_tracks_creates_nothing(api: Api) -> None:
    r = api.create({"Name": "big", "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[:101]]})
    assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == "COLLECTION_INVALID_OPERATION"
    assert api.browse("playlists").json()["Playlists"]["Items"] == []


# --- seeds/003 (playlist update) --------------------------------------------------------------


def test_003_update_metadata(api: Api) -> None:
    pid, _ = api.new_playlist()
    r = api.update({"Id": pid, "Name": "Fill me up with love", "IsPublished": True})
    assert r.status_code == 200
    assert r.json() == {
        "PlaylistActionResult": {"Id": pid, "Name": "Fill me up with love", "IsPublished": True}
    }
    item = api.browse("playlists").json()["Playlists"]["Items"][0]
    assert (item["Name"], item["IsPublished"]) == ("Fill me up with love", True)


def test_003_update_metadata_and_tracks(api: Api) -> None:
    pid, (first,) = api.new_playlist([GET_LUCKY])
    r = api.update(
        {
            "Id": pid,
            "Name": "Fill me up with hate",
            "TrackActions": [{"Id": first, "Action": "Delete"}, {"Id": ALEPH, "Action": "Add"}],
        }
    )
    assert r.status_code == 200
    body = r.json()
    valid("PlaylistActionResponse", body)
    result = body["PlaylistActionResult"]
    assert "Error" not in body
    assert result["Name"] == "Fill me up with hate" and "IsPublished" not in result
    deleted, added = result["TrackActionResults"]
    assert deleted == {"InputId": first}
    assert added["InputId"] == ALEPH and COLLECTION_ID.match(added["Id"])
    assert api.order(pid) == [added["Id"]]


def test_003_delete_of_an_unknown_track_is_a_partial_failure(api: Api) -> None:
    pid, ids = api.new_playlist([GET_LUCKY])
    random_guid = "music.E8AEDB01-23D6-4659-9916-2349BE9F9C26"
    r = api.update({"Id": pid, "TrackActions": [{"Id": random_guid, "Action": "Delete"}]})
    assert r.status_code == 200
    assert r.json() == {
        "PlaylistActionResult": {
            "Id": pid,
            "TrackActionResults": [
                {
                    "InputId": random_guid,
                    "Error": {
                        "ErrorCode": "COLLECTION_INVALID_ID",
                        "Description": "Invalid collection id for this operation",
                    },
                }
            ],
        },
        "Error": SOME_FAILED,
    }
    assert api.order(pid) == ids


def test_003_reorder_answer_is_just_the_id(api: Api) -> None:
    pid, (a, b) = api.new_playlist([GET_LUCKY, ALEPH])
    r = api.update({"Id": pid, "InsertBeforeTrackId": a, "TrackActions": [{"Id": b, "Action": "Move"}]})
    assert r.status_code == 200
    assert r.json() == {"PlaylistActionResult": {"Id": pid}}
    assert api.order(pid) == [b, a]


def test_update_with_101_actions_changes_nothing(api: Api) -> None:
    pid, ids = api.new_playlist([GET_LUCKY])
    r = api.update(
        {"Id": pid, "Name": "renamed", "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[:101]]}
    )
    assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == "COLLECTION_INVALID_OPERATION"
    assert api.order(pid) == ids
    assert api.browse("playlists").json()["Playlists"]["Items"][0]["Name"] == "test playlist"


def test_action_spellings(api: Api) -> None:
    pid, (a,) = api.new_playlist([GET_LUCKY])
    r = api.update(
        {"Id": pid, "TrackActions": [{"Id": ALEPH, "Action": "add"}, {"Id": a, "Action": "remove"}]}
    )
    assert r.status_code == 200 and "Error" not in r.json()
    r = api.update({"Id": pid, "TrackActions": [{"Id": ALEPH, "Action": "Insert"}]})
    assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == "INVALID_INPUT_PARAMETER"
    assert len(api.order(pid)) == 1


# --- playlist names (001/002, 003; E09, E10) ----------------------------------------------------


def test_name_limits(api: Api) -> None:
    assert api.create({"Name": "x"}).status_code == 200
    assert api.create({"Name": "x" * 256}).status_code == 200
    assert api.create({"Name": "\U0001f3b5" * 128}).status_code == 200  # 256 UTF-16 code units
    for name, code in (
        ("x" * 257, "INVALID_INPUT_PARAMETER"),
        ("\U0001f3b5" * 129, "INVALID_INPUT_PARAMETER"),
        ("", "COLLECTION_INVALID_PLAYLIST_INFO"),
    ):
        r = api.create({"Name": name})
        assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == code
    r = api.create({"IsPublished": True})
    assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == "COLLECTION_INVALID_PLAYLIST_INFO"
    assert len(api.browse("playlists").json()["Playlists"]["Items"]) == 3


def test_bad_name_on_update_changes_nothing(api: Api) -> None:
    pid, ids = api.new_playlist([GET_LUCKY])
    for name in ("", "y" * 257):
        r = api.update({"Id": pid, "Name": name, "TrackActions": [{"Id": ALEPH, "Action": "Add"}]})
        assert r.status_code == 400
    assert api.order(pid) == ids
    assert api.browse("playlists").json()["Playlists"]["Items"][0]["Name"] == "test playlist"


# --- playlist delete, ids and isolation ---------------------------------------------------------


def test_delete_playlist(api: Api) -> None:
    pid, _ = api.new_playlist([GET_LUCKY])
    r = api.delete_playlist(pid)
    assert r.status_code == 200 and r.json() == {"PlaylistActionResult": {"Id": pid}}
    for response in (
        api.delete_playlist(pid),
        api.update({"Id": pid, "Name": "x"}),
        api.playlist_tracks(pid),
    ):
        assert response.status_code == 404
        assert response.json()["Error"]["ErrorCode"] == "COLLECTION_NO_RESULT"


def test_missing_playlist_id(api: Api) -> None:
    for r in (api.update({"Name": "x"}), api.post("/1/content/music/collection/playlists/delete", {})):
        assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == "MISSING_INPUT_PARAMETER"


def test_playlist_id_in_another_case(api: Api) -> None:
    pid, _ = api.new_playlist()
    r = api.update({"Id": pid.upper().replace("MUSIC.PLAYLIST.", "music.playlist."), "Name": "again"})
    assert r.status_code == 200 and r.json()["PlaylistActionResult"]["Id"] == pid


def test_other_users_ids_behave_as_unknown(api: Api, other: Api) -> None:
    pid, ids = api.new_playlist([GET_LUCKY])
    owned = api.add([ALEPH]).json()["TrackActionResults"][0]["Id"]
    for r in (
        other.update({"Id": pid, "Name": "mine"}),
        other.delete_playlist(pid),
        other.playlist_tracks(pid),
    ):
        assert r.status_code == 404 and r.json()["Error"]["ErrorCode"] == "COLLECTION_NO_RESULT"
    r = other.delete([owned])
    assert (
        r.status_code == 200
        and r.json()["TrackActionResults"][0]["Error"]["ErrorCode"] == "COLLECTION_INVALID_ID"
    )
    assert api.order(pid) == ids and api.collection() == [owned]
    assert other.browse("playlists").json()["Playlists"]["Items"] == []
    assert other.collection() == []


def test_playlists_and_collection_are_independent(api: Api) -> None:
    pid, _ = api.new_playlist([GET_LUCKY])
    assert api.collection() == []
    owned = api.add([GET_LUCKY]).json()["TrackActionResults"][0]["Id"]
    api.delete([owned])
    assert len(api.order(pid)) == 1
