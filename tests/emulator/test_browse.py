"""Browse (reference uri-browse-user-collection-playlist.md, uri-browse-sub-items.md,
json-paginatedlist.md; erratum E18)."""

from __future__ import annotations

import base64

import pytest

from conformance import contract

from .conftest import CATALOG, Api


def error_code(r) -> str:  # noqa: ANN001
    return r.json()["Error"]["ErrorCode"]


def test_maxitems_42_is_rejected_as_the_page_shows(api: Api) -> None:
    r = api.browse("tracks", maxItems=42)
    assert r.status_code == 400
    assert r.json() == {
        "Error": {
            "ErrorCode": "INVALID_INPUT_PARAMETER",
            "Description": "Invalid parameter value.",
            "Message": "Parameter maxItems must have a value of at most 25",
        }
    }


@pytest.mark.parametrize("value", ["26", "0", "-1", "abc", "1.5", "99999999999", ""])
def test_bad_maxitems(gapi: Api, value: str) -> None:
    r = gapi.browse("tracks", maxItems=value)
    assert r.status_code == 400 and error_code(r) == "INVALID_INPUT_PARAMETER"


def test_collection_tracks_pages_and_continuation(api: Api) -> None:
    added = [x["Id"] for x in api.add(CATALOG[:60]).json()["TrackActionResults"]]
    first = api.browse("tracks").json()["Tracks"]
    assert contract.validate("ContentResponse", {"Tracks": first}) == []
    assert [t["Id"] for t in first["Items"]] == added[:25] and first["TotalItemCount"] == 60
    assert all(t["Source"] == "Collection" and t["Name"] for t in first["Items"])
    second = api.browse("tracks", continuationToken=first["ContinuationToken"]).json()["Tracks"]
    assert [t["Id"] for t in second["Items"]] == added[25:50]
    third = api.browse("tracks", continuationToken=second["ContinuationToken"]).json()["Tracks"]
    assert [t["Id"] for t in third["Items"]] == added[50:] and "ContinuationToken" not in third
    page = api.browse("tracks", maxItems=10, page=2).json()["Tracks"]
    assert [t["Id"] for t in page["Items"]] == added[20:30]
    assert api.collection() == added


def test_playlists_browse_with_maxitems_1_then_continuation(api: Api) -> None:
    """The page's "Browse playlists" example: maxItems=1, then the continuation token."""
    p1, _ = api.new_playlist(CATALOG[:2], name="Playlist1")
    p2, _ = api.new_playlist(name="EmptyPlaylist")
    first = api.browse("playlists", maxItems=1)
    assert first.status_code == 200
    assert contract.validate("ContentResponse", first.json()) == []
    lst = first.json()["Playlists"]
    assert lst["Items"] == [
        {
            "Id": p1,
            "Name": "Playlist1",
            "IsPublished": False,
            "TrackCount": 2,
            "UserIsOwner": True,
            "Source": "Collection",
        }
    ]
    rest = api.browse("playlists", continuationToken=lst["ContinuationToken"]).json()["Playlists"]
    assert [(p["Id"], p["TrackCount"]) for p in rest["Items"]] == [(p2, 0)]
    assert "ContinuationToken" not in rest


def test_playlist_tracks_in_playlist_order_with_continuation(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:30])
    r = api.playlist_tracks(pid)
    assert r.status_code == 200
    assert contract.validate("ContentResponse", r.json()) == []
    (item,) = r.json()["Playlists"]["Items"]
    assert (item["Id"], item["TrackCount"]) == (pid, 30)
    assert [t["Id"] for t in item["Tracks"]["Items"]] == ids[:25]
    assert api.order(pid) == ids


def test_continuation_tolerates_maxitems(api: Api) -> None:
    pid, ids = api.new_playlist(CATALOG[:12])
    token = api.playlist_tracks(pid, maxItems=5).json()["Playlists"]["Items"][0]["Tracks"][
        "ContinuationToken"
    ]
    r = api.playlist_tracks(pid, continuationToken=token, maxItems=5)
    assert [t["Id"] for t in r.json()["Playlists"]["Items"][0]["Tracks"]["Items"]] == ids[5:10]


def test_tokens_are_bound_to_user_and_list(api: Api, other: Api) -> None:
    api.add(CATALOG[:3])
    pid, _ = api.new_playlist(CATALOG[:3])
    token = api.browse("tracks", maxItems=1).json()["Tracks"]["ContinuationToken"]
    other.add(CATALOG[:3])
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-3] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    for r in (
        other.browse("tracks", continuationToken=token),  # another user
        api.browse("playlists", continuationToken=token),  # another list
        api.playlist_tracks(pid, continuationToken=token),
        api.browse("tracks", continuationToken=forged),
        api.browse("tracks", continuationToken="not a token!"),
    ):
        assert r.status_code == 400 and error_code(r) == "CONTINUATION_TOKEN_INVALID_ERROR"


@pytest.mark.parametrize("kind", ["albums", "artists", "playlistsforyou"])
def test_types_without_metadata_are_empty_lists(gapi: Api, kind: str) -> None:
    gapi.add(CATALOG[:2])
    r = gapi.browse(kind)
    assert r.status_code == 200
    assert contract.validate("ContentResponse", r.json()) == []
    assert next(iter(r.json().values()))["Items"] == []


def test_unknown_type_and_order(gapi: Api) -> None:
    r = gapi.browse("songs")
    assert r.status_code == 400 and error_code(r) == "INVALID_INPUT_PARAMETER"
    r = gapi.browse("artists", orderBy="AlbumTitle")  # the page's "invalid orderBy" example
    assert r.status_code == 400
    assert r.json()["Error"] == {
        "ErrorCode": "INCOMPATIBLE_INPUT_PARAMETERS",
        "Description": "Incompatible parameters.",
        "Message": "Invalid ordering for this content",
    }
    assert gapi.browse("artists", orderBy="ArtistName").status_code == 200


def test_order_by_track_title(gapi: Api) -> None:
    ids = CATALOG[10:20]
    gapi.add(ids)
    names = [t["Name"] for t in gapi.browse("tracks", orderBy="TrackTitle").json()["Tracks"]["Items"]]
    assert names == sorted(names) and len(names) == 10


def test_browse_needs_authentication(gapi: Api) -> None:
    r = gapi.http.get("/1/content/music/collection/tracks/browse")
    assert r.status_code == 401 and error_code(r) == "INVALID_AUTHORIZATION_HEADER"
