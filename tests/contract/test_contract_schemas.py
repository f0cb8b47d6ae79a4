"""The schemas accept what a conforming server or client may send and reject what it must not,
and ``conformance.contract`` reports why in readable messages."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from conformance import contract

LIMITS = contract.LIMITS
ID = "music.A83EB907-0100-11DB-89CA-0019B92A3933"
ERROR = {"ErrorCode": "COLLECTION_INVALID_ID", "Description": "Invalid collection id for this operation"}


@pytest.mark.parametrize("name", contract.schema_names())
def test_schema_file_is_valid_2020_12_with_its_id(name: str) -> None:
    schema = contract.load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"{contract.SCHEMA_BASE}{name}.json"


@pytest.mark.parametrize("name", contract.schema_names())
def test_references_between_files_are_relative(name: str) -> None:
    text = json.dumps(contract.load_schema(name))
    for ref in [part.split('"')[0] for part in text.split('"$ref": "')[1:]]:
        assert not ref.startswith(("http:", "https:", "/")), f"{name}: absolute $ref {ref}"
        if ref.startswith("#"):
            continue  # inside the same file
        assert ref.removesuffix(".json") in contract.schema_names(), f"{name}: $ref to unknown {ref}"


def test_loads_are_copies() -> None:
    contract.load_schema("Error")["required"].append("Message")
    contract.load_openapi()["paths"].clear()
    assert contract.validate("Error", ERROR) == []
    assert contract.OPERATIONS and contract.load_openapi()["paths"]


def test_unknown_names_are_clear_errors() -> None:
    with pytest.raises(contract.ContractError, match="unknown schema 'Nope'"):
        contract.validate("Nope", {})
    with pytest.raises(contract.ContractError, match="unknown operation 'nope'"):
        contract.response_schema("nope", 200)


@pytest.mark.parametrize(
    ("op", "status", "name"),
    [
        ("collection_add", 200, "TrackActionResponse"),
        ("collection_add", 400, "ErrorResponse"),
        ("collection_delete", 401, "ErrorResponse"),
        ("playlist_create", 200, "PlaylistActionResponse"),
        ("playlist_update", 404, "ErrorResponse"),
        ("playlist_delete", 200, "PlaylistActionResponse"),
        ("collection_browse", 200, "ContentResponse"),
        ("playlist_tracks_browse", 404, "ErrorResponse"),
        ("collection_add", 404, None),
        ("collection_add", 500, None),
    ],
)
def test_response_schema(op: str, status: int, name: str | None) -> None:
    assert contract.response_schema(op, status) == name


def test_request_schema() -> None:
    assert contract.request_schema("collection_delete") == "TrackActionRequest"
    assert contract.request_schema("playlist_update") == "PlaylistAction"
    assert contract.request_schema("collection_browse") is None


# --- requests: strict --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance", "fragment"),
    [
        (
            {"TrackIds": [ID] * (LIMITS.batch_max + 1)},
            "$.TrackIds: 101 items, at most 100 allowed [maxItems]",
        ),
        ({"TrackIds": []}, "[minItems]"),
        ({}, "'TrackIds' is a required property [required]"),
        ({"TrackIds": [ID, 3]}, "$.TrackIds[1]: 3 is not of type string [type]"),
        ({"TrackIds": ID}, "[type]"),
        ({"TrackIds": [ID], "Extra": 1}, "('Extra' was unexpected) [additionalProperties]"),
    ],
)
def test_track_action_request_rejects(instance: dict, fragment: str) -> None:
    errors = contract.validate("TrackActionRequest", instance)
    assert any(fragment in e for e in errors), errors


def test_track_action_request_accepts_the_limit() -> None:
    assert contract.validate("TrackActionRequest", {"TrackIds": [ID] * LIMITS.batch_max}) == []


@pytest.mark.parametrize(
    "instance",
    [
        {"Name": "n" * LIMITS.name_max},
        {"Name": "\U0001f3b5" * (LIMITS.name_max // 2)},  # E09: 128 astral characters are 256 UTF-16 units
        {
            "Id": "music.playlist.x",
            "InsertBeforeTrackId": None,
            "TrackActions": [{"Id": ID, "Action": "Move"}],
        },
        {"Id": "music.playlist.x", "IsReadOnly": True},  # E04: accepted and ignored
        {"Id": "music.playlist.x", "TrackActions": [{"Id": ID, "Action": "Add"}] * LIMITS.batch_max},
        {"Name": "x", "IsPublished": False, "CollectionStateToken": "3.0.1.1.7.7.7"},
    ],
)
def test_playlist_action_accepts(instance: dict) -> None:
    assert contract.validate("PlaylistAction", instance) == []


@pytest.mark.parametrize(
    ("instance", "fragment"),
    [
        ({"Name": ""}, "$.Name: 0 characters, at least 1 required [minLength]"),
        ({"Name": "n" * (LIMITS.name_max + 1)}, "$.Name: 257 characters, at most 256 allowed [maxLength]"),
        ({"Name": 5}, "[type]"),
        ({"IsPublished": "true"}, '$.IsPublished: "true" is not of type boolean [type]'),
        ({"IsReadOnly": "yes"}, "$.IsReadOnly"),
        ({"InsertBeforeTrackId": 7}, "[type]"),
        ({"TrackActions": [{"Id": ID, "Action": "add"}]}, "$.TrackActions[0].Action"),
        ({"TrackActions": [{"Id": ID, "Action": "remove"}]}, "[enum]"),
        ({"TrackActions": [{"Id": ID}]}, "'Action' is a required property"),
        ({"TrackActions": [{"Id": ID, "Action": "Add", "Position": 1}]}, "[additionalProperties]"),
        ({"TrackActions": [{"Id": ID, "Action": "Add"}] * (LIMITS.batch_max + 1)}, "[maxItems]"),
        ({"Name": "x", "Description": "y"}, "[additionalProperties]"),
    ],
)
def test_playlist_action_rejects(instance: dict, fragment: str) -> None:
    errors = contract.validate("PlaylistAction", instance)
    assert any(fragment in e for e in errors), errors


def test_operation_rules_on_playlist_actions() -> None:
    assert contract.validate_request("playlist_create", {"Name": "x"}) == []
    assert any("'Name' is a required property" in e for e in contract.validate_request("playlist_create", {}))
    assert contract.validate_request("playlist_create", {"Name": "x", "Id": "music.playlist.x"})  # E05
    assert any(
        "'Id' is a required property" in e
        for e in contract.validate_request("playlist_update", {"Name": "x"})
    )
    assert any("'Id' is a required property" in e for e in contract.validate_request("playlist_delete", {}))
    assert contract.validate_request("playlist_delete", {"Id": "music.playlist.x"}) == []
    # E07: a reorder holds only Move actions; create only adds
    move, add, delete = ({"Id": ID, "Action": a} for a in ("Move", "Add", "Delete"))
    assert contract.validate_request("playlist_update", {"Id": "p", "TrackActions": [move, move]}) == []
    assert contract.validate_request("playlist_update", {"Id": "p", "TrackActions": [add, delete]}) == []
    assert contract.validate_request("playlist_update", {"Id": "p", "TrackActions": [move, add]})
    assert contract.validate_request("playlist_create", {"Name": "x", "TrackActions": [add, add]}) == []
    assert contract.validate_request("playlist_create", {"Name": "x", "TrackActions": [delete]})
    with pytest.raises(contract.ContractError):
        contract.validate_request("collection_browse", {})


def test_query_validation() -> None:
    assert contract.validate_query("collection_browse", {"maxItems": str(LIMITS.browse_max_items)}) == []
    assert contract.validate_query("collection_browse", {"maxItems": "26"}) == [
        "query maxItems: 26 is greater than the maximum of 25 [maximum]"
    ]
    assert contract.validate_query("collection_browse", {"maxItems": "x"}) == [
        'query maxItems: "x" is not an integer [type]'
    ]
    assert contract.validate_query("playlist_tracks_browse", {"contentType": "yaml"})
    assert contract.validate_query("collection_browse", {"accessToken": "anything", "page": "0"}) == []


# --- responses: tolerant of what may be added, strict on what must be there ----------------------


@pytest.mark.parametrize(
    ("name", "instance"),
    [
        ("Error", {**ERROR, "ErrorCode": "COLLECTION-INVALID-ID"}),  # E01: hyphens validate
        ("Error", {**ERROR, "Message": None, "Extra": 1}),
        ("TrackActionResult", {"InputId": ID}),
        ("TrackActionResult", {"InputId": ID, "Id": None, "Error": None, "Future": [1]}),
        ("TrackActionResponse", {"TrackActionResults": []}),
        ("TrackActionResponse", {"TrackActionResults": [{"InputId": ID, "Error": ERROR}], "Error": ERROR}),
        ("PlaylistActionResponse", {"PlaylistActionResult": {"Id": "music.playlist.x"}}),
        (
            "PlaylistActionResult",
            {"Id": "p", "IsReadOnly": False, "TrackActions": [{"InputId": ID}]},
        ),  # E02, E04
        ("PlaylistActionResult", {"Id": "p", "TrackActionResults": None, "Name": None, "IsPublished": None}),
        ("ErrorResponse", {"Error": ERROR}),
        ("ContentResponse", {}),
        (
            "ContentResponse",
            {"Tracks": {"Items": [{"Id": ID}], "ContinuationToken": None, "TotalItemCount": 1}},
        ),
        (
            "ContentResponse",
            {"Playlists": {"Items": [{"Id": "p", "Tracks": {"Items": []}}]}, "Culture": "en-US"},
        ),
    ],
)
def test_response_accepts(name: str, instance: dict) -> None:
    assert contract.validate(name, instance) == []


@pytest.mark.parametrize(
    ("name", "instance", "fragment"),
    [
        ("Error", {"Description": "d"}, "'ErrorCode' is a required property"),
        ("Error", {"ErrorCode": "COLLECTION_INVALID_ID"}, "'Description' is a required property"),
        ("Error", {**ERROR, "ErrorCode": "collection_invalid_id"}, "[pattern]"),
        ("Error", {**ERROR, "ErrorCode": 400}, "[type]"),
        ("TrackActionResult", {"Id": ID}, "'InputId' is a required property"),
        ("TrackActionResult", {"InputId": None}, "[type]"),
        (
            "TrackActionResult",
            {"InputId": ID, "Error": {"ErrorCode": "X"}},
            "$.Error: 'Description' is a required",
        ),
        ("TrackActionResponse", {}, "'TrackActionResults' is a required property"),
        ("TrackActionResponse", {"TrackActionResults": [{"Id": ID}]}, "$.TrackActionResults[0]: 'InputId'"),
        ("TrackActionResponse", {"TrackActionResults": [], "Error": "failed"}, "$.Error"),
        ("PlaylistActionResponse", {"Error": ERROR}, "'PlaylistActionResult' is a required property"),
        ("PlaylistActionResult", {"Name": "x"}, "'Id' is a required property"),
        ("PlaylistActionResult", {"Id": "p", "IsPublished": "false"}, "$.IsPublished"),
        ("ErrorResponse", {}, "'Error' is a required property"),
        ("ContentResponse", {"Tracks": {"Items": [{"Name": "x"}]}}, "$.Tracks.Items[0]: 'Id' is a required"),
        ("ContentResponse", {"Tracks": {"ContinuationToken": 5, "Items": []}}, "$.Tracks.ContinuationToken"),
        ("ContentResponse", {"Playlists": {"Items": [{"Id": "p", "TrackCount": "2"}]}}, "TrackCount"),
    ],
)
def test_response_rejects(name: str, instance: dict, fragment: str) -> None:
    errors = contract.validate(name, instance)
    assert any(fragment in e for e in errors), errors


def test_messages_are_short_even_for_huge_values() -> None:
    errors = contract.validate("TrackActionRequest", {"TrackIds": ["x" * 10_000] * 500})
    assert errors and all(len(e) < 300 for e in errors)
