"""XML and content negotiation (seeds/000 "Add a track using XML"; common-parameters.md; E11)."""

from __future__ import annotations

import pytest
from defusedxml.ElementTree import fromstring

from conformance import xml_codec
from conformance.profiles import XBOX_2013

from .conftest import BASE, CATALOG, Api

XML = {"Content-Type": "application/xml"}

# seeds/000_49ef52240da7cdbc.txt, "Add a track using XML instead of JSON", request body as printed.
EXAMPLE_000 = b"""<TrackActionRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" \
xmlns="http://schemas.microsoft.com/xboxmusic/2013/10/platform">
  <TrackIds xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">
    <d2p1:string>music.873FB507-0100-11DB-89CA-0019B92A3933</d2p1:string>
  </TrackIds>
</TrackActionRequest>"""


def xml_body(api: Api, type_name: str, obj: dict) -> bytes:
    return xml_codec.encode(type_name, obj, api.profile)


def test_000_xml_example(xapi: Api) -> None:
    """The example is written in the xbox-2013 dialect."""
    api = xapi
    assert api.profile is XBOX_2013
    r = api.post(f"{BASE}/add", content=EXAMPLE_000, headers=XML)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/xml")
    root = fromstring(r.content)
    ns = "{http://schemas.microsoft.com/xboxmusic/2013/10/platform}"
    assert root.tag == f"{ns}TrackActionResponse"
    (result,) = root.find(f"{ns}TrackActionResults")
    assert [child.tag for child in result] == [f"{ns}Id", f"{ns}InputId"]  # DataContract order
    assert result.find(f"{ns}InputId").text == "music.873FB507-0100-11DB-89CA-0019B92A3933"
    assert result.find(f"{ns}Id").text.startswith("music.AQQf")
    assert root.find(f"{ns}Error") is None


def test_xml_round_trip_in_the_profile_dialect(api: Api) -> None:
    content = xml_body(
        api, "TrackActionRequest", {"TrackIds": ["music.9bb2c5c5-455c-4c15-827c-f9bfd759a458", CATALOG[0]]}
    )
    r = api.post(f"{BASE}/add", content=content, headers=XML)
    assert r.status_code == 200
    root, body = xml_codec.decode(r.content, api.profile, expected_root="TrackActionResponse")
    assert body["TrackActionResults"][0]["InputId"] == "music.9BB2C5C5-455C-4C15-827C-F9BFD759A458"
    assert body["TrackActionResults"][0]["Error"]["ErrorCode"] == "COLLECTION_INVALID_ID"
    assert body["Error"]["ErrorCode"] == "COLLECTION_SOME_OPERATIONS_FAILED"
    owned = body["TrackActionResults"][1]["Id"]
    assert api.collection() == [owned]


def test_xml_playlist_create_and_reorder(api: Api) -> None:
    content = xml_body(
        api,
        "PlaylistAction",
        {
            "Name": "xml <&> list",
            "IsPublished": True,
            "TrackActions": [{"Id": t, "Action": "Add"} for t in CATALOG[:3]],
        },
    )
    r = api.post(f"{BASE}/playlists/create", content=content, headers=XML)
    assert r.status_code == 200, r.text
    _, body = xml_codec.decode(r.content, api.profile, expected_root="PlaylistActionResponse")
    result = body["PlaylistActionResult"]
    assert (result["Name"], result["IsPublished"]) == ("xml <&> list", True)
    ids = [x["Id"] for x in result["TrackActionResults"]]
    move = xml_body(
        api,
        "PlaylistAction",
        {
            "Id": result["Id"],
            "InsertBeforeTrackId": ids[0],
            "TrackActions": [{"Id": ids[2], "Action": "Move"}],
        },
    )
    r = api.post(f"{BASE}/playlists/update", content=move, headers=XML)
    assert r.status_code == 200
    assert xml_codec.decode(r.content, api.profile)[1] == {"PlaylistActionResult": {"Id": result["Id"]}}
    assert api.order(result["Id"]) == [ids[2], ids[0], ids[1]]


def test_xml_errors_use_the_operation_response_type_as_root(api: Api) -> None:
    too_many = xml_body(api, "TrackActionRequest", {"TrackIds": [CATALOG[0]] * 101})
    r = api.post(f"{BASE}/add", content=too_many, headers=XML)
    assert r.status_code == 400
    root, body = xml_codec.decode(r.content, api.profile)
    assert root == "TrackActionResponse" and body["Error"]["ErrorCode"] == "COLLECTION_INVALID_OPERATION"
    r = api.post(
        f"{BASE}/playlists/create", content=xml_body(api, "PlaylistAction", {"Name": ""}), headers=XML
    )
    assert r.status_code == 400
    root, body = xml_codec.decode(r.content, api.profile)
    assert root == "PlaylistActionResponse"
    assert body["Error"]["ErrorCode"] == "COLLECTION_INVALID_PLAYLIST_INFO"
    assert api.collection() == []


@pytest.mark.parametrize(
    "content",
    [
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
        b"<TrackActionRequest><TrackIds>&b;</TrackIds></TrackActionRequest>",
        b'<!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd"><TrackActionRequest/>',
        b"<TrackActionRequest xmlns='urn:wrong'><TrackIds/></TrackActionRequest>",
        b"<TrackActionRequest",
        b"<PlaylistAction/>",
        b"\xff\xfe<\x00x\x00/\x00>\x00",
    ],
)
def test_bad_xml_is_400_and_changes_nothing(api: Api, content: bytes) -> None:
    r = api.post(f"{BASE}/add", content=content, headers=XML)
    assert r.status_code == 400
    _, body = xml_codec.decode(r.content, api.profile)
    assert body["Error"]["ErrorCode"] == "INVALID_INPUT_PARAMETER"
    assert api.collection() == []


def test_other_dialect_is_read_and_answered_in_the_own(api: Api) -> None:
    """E22, leniently: a request in the other documented namespace is read (see test_interop.py)."""
    other = next(
        p
        for name, p in __import__("conformance.profiles").profiles.PROFILES.items()
        if name != api.profile.name
    )
    content = xml_codec.encode("TrackActionRequest", {"TrackIds": [CATALOG[0]]}, other)
    r = api.post(f"{BASE}/add", content=content, headers=XML)
    assert r.status_code == 200 and len(api.collection()) == 1
    assert fromstring(r.content).tag.startswith("{" + api.profile.xml_namespace + "}")


def fmt_of(r) -> str:  # noqa: ANN001
    return r.headers["content-type"].split(";")[0]


def test_negotiation(gapi: Api) -> None:
    json_body = {"TrackIds": [CATALOG[0]]}
    xml_content = xml_body(gapi, "TrackActionRequest", json_body)
    add = f"{BASE}/add"
    cases = [
        (gapi.post(add, json_body), "application/json"),  # JSON request, no Accept
        (gapi.post(add, json_body, headers={"Accept": "application/xml"}), "application/xml"),
        (gapi.post(add, json_body, params={"contentType": "xml"}), "application/xml"),
        (gapi.post(add, content=xml_content, headers=XML), "application/xml"),  # XML request, no Accept
        (gapi.post(add, content=xml_content, headers={**XML, "Accept": "*/*"}), "application/xml"),
        (
            gapi.post(add, content=xml_content, headers={**XML, "Accept": "application/json"}),
            "application/json",
        ),
        (
            gapi.post(add, content=xml_content, headers=XML, params={"contentType": "json"}),
            "application/json",
        ),
        (gapi.post(add, json_body, params={"contentType": "XML"}), "application/xml"),
        (
            gapi.post(add, json_body, headers={"Accept": "text/html, application/xml;q=0.5"}),
            "application/xml",
        ),
    ]
    for r, expected in cases:
        assert r.status_code == 200 and fmt_of(r) == expected


def test_bad_content_type_parameter(gapi: Api) -> None:
    r = gapi.add([CATALOG[0]], params={"contentType": "yaml"})
    assert r.status_code == 400 and r.json()["Error"]["ErrorCode"] == "INVALID_INPUT_PARAMETER"
    assert gapi.collection() == []
