"""Browse answers in XML (FMT-ACCEPT-XML, FMT-PARAM-XML and XML-CONTENT-ROOT for the browse operations).

The XML answer is ``<ContentResponse>`` in the profile's namespace and carries the same
information as the JSON answer to the same request: both are decoded and compared whole.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from conformance import contract, xml_codec

from .conftest import BASE, CATALOG, Api

ASK_XML = {
    "accept": ({"Accept": "application/xml"}, {}),
    "content-type-param": ({}, {"contentType": "xml"}),
}


def _xml_answer(api: Api, r: httpx.Response) -> dict[str, Any]:
    """The decoded XML answer, after checking its media type and root (profile namespace)."""
    assert r.headers["content-type"].split(";")[0] == "application/xml", r.text[:200]
    assert fromstring(r.content).tag == f"{{{api.profile.xml_namespace}}}ContentResponse"
    root, body = xml_codec.decode(r.content, api.profile, expected_root="ContentResponse")
    assert root == "ContentResponse"
    return body


@pytest.fixture
def browsable(api: Api) -> tuple[Api, str]:
    """A user with three tracks in the collection and a playlist of two (a name to escape)."""
    assert api.add(CATALOG[:3]).status_code == 200
    playlist_id, _ = api.new_playlist(CATALOG[3:5], name="Road <trip> & more")
    return api, playlist_id


@pytest.mark.parametrize("ask", list(ASK_XML))
def test_browse_answers_xml_with_the_same_information_as_json(browsable: tuple[Api, str], ask: str) -> None:
    api, playlist_id = browsable
    headers, params = ASK_XML[ask]
    requests = [
        (f"{BASE}/tracks/browse", {"maxItems": 2}),  # a ContinuationToken
        (f"{BASE}/playlists/browse", {}),
        (f"{BASE}/albums/browse", {}),  # empty lists of items of no named type
        (f"{BASE}/artists/browse", {}),
        (f"/1/content/{playlist_id}/collection/playlist/tracks/browse", {"maxItems": 1}),
    ]
    for path, query in requests:
        as_json = api.get(path, query)
        as_xml = api.get(path, {**query, **params}, headers=headers)
        assert as_json.status_code == as_xml.status_code == 200, (path, as_xml.text[:200])
        assert as_json.headers["content-type"].startswith("application/json")
        body = _xml_answer(api, as_xml)
        assert body == as_json.json(), path
        assert contract.validate("ContentResponse", body) == []
    tracks = body["Playlists"]["Items"][0]
    assert tracks["Name"] == "Road <trip> & more" and tracks["Tracks"]["ContinuationToken"]


def test_continuation_from_an_xml_answer(api: Api) -> None:
    assert api.add(CATALOG[:3]).status_code == 200
    xml = {"Accept": "application/xml"}
    first = _xml_answer(api, api.get(f"{BASE}/tracks/browse", {"maxItems": 2}, headers=xml))["Tracks"]
    token = first["ContinuationToken"]
    rest = _xml_answer(api, api.get(f"{BASE}/tracks/browse", {"continuationToken": token}, headers=xml))
    assert [t["Id"] for t in first["Items"] + rest["Tracks"]["Items"]] == api.collection()
    assert "ContinuationToken" not in rest["Tracks"]


def test_browse_errors_in_xml_are_content_responses(api: Api) -> None:
    as_json = api.browse("tracks", maxItems=42)
    as_xml = api.get(f"{BASE}/tracks/browse", {"maxItems": 42}, headers={"Accept": "application/xml"})
    assert as_json.status_code == as_xml.status_code == 400
    assert _xml_answer(api, as_xml) == as_json.json()
    unknown = "music.playlist.00000000-0000-0000-0000-000000000000"
    r = api.get(f"/1/content/{unknown}/collection/playlist/tracks/browse", {"contentType": "xml"})
    assert r.status_code == 404
    assert _xml_answer(api, r)["Error"]["ErrorCode"] == "COLLECTION_NO_RESULT"
