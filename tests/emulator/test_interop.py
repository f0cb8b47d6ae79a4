"""What real clients send is served (spec notes section 7; RFC 9110 sections 8.3.1 and 11.1; E22).

The public official .NET client builds paths from enum names (``collection/Add``,
``Collection/Tracks/browse``), sends browse parameters in lower case (``maxitems``, ``orderby``,
``page``), carries the developer token as ``accessToken=Bearer%20{token}`` on every call (beside
``Authorization: Bearer`` in the newer edition), adds ``X-Client-Name`` / ``X-Client-Version`` and
omits null members. HTTP makes the authentication scheme and media types case-insensitive and lets
media types carry parameters. The emulator serves all of it in both profiles; each case below is
one request shaped exactly like the client's, over real HTTP.

Every fault of the interop group undoes one of these (``path-case-strict`` ...);
``tests/emulator/test_faults.py`` probes them.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from defusedxml.ElementTree import fromstring

from conformance import xml_codec
from conformance.profiles import GROOVE_2016, XBOX_2013, split_xbox_user_token

from .conftest import CATALOG, Api

BOTH = (GROOVE_2016.name, XBOX_2013.name)
JSON_UTF8 = "application/json; charset=utf-8"  # what .NET's StringContent sends for JSON


class Official:
    """Requests as the official client builds them, for one user of one emulator.

    The query is written by hand so that the developer token travels as the client escapes it
    (``Bearer%20…``, not ``Bearer+…``); in groove-2016, which has no developer token, the client
    still sends one, so a made-up token goes there.
    """

    def __init__(self, api: Api) -> None:
        self.api = api
        self.developer = api.config.developer_token or f"dev-{secrets.token_hex(8)}"

    def authorization(self, scheme: str | None = None) -> str:
        value = self.api.auth()["Authorization"]
        if scheme is None:
            return value
        return f"{scheme} {value.split(' ', 1)[1]}"

    def url(self, path: str, params: Sequence[tuple[str, Any]] = (), access_token: str | None = None) -> str:
        pairs = [*params, ("accessToken", access_token or f"Bearer {self.developer}")]
        query = "&".join(f"{quote(str(k), safe='')}={quote(str(v), safe='')}" for k, v in pairs)
        return f"{path}?{query}"

    def headers(self, scheme: str | None = None, **extra: str) -> dict[str, str]:
        return {
            "Authorization": self.authorization(scheme),
            "X-Client-Name": "GrooveApiClient",
            "X-Client-Version": "1.0.0",
            "Accept": "application/json",
            **extra,
        }

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        content: bytes | None = None,
        content_type: str = JSON_UTF8,
        scheme: str | None = None,
        access_token: str | None = None,
        **headers: str,
    ) -> httpx.Response:
        data = content if content is not None else json.dumps(body).encode("utf-8")
        return self.api.http.post(
            self.url(path, access_token=access_token),
            content=data,
            headers=self.headers(scheme, **{"Content-Type": content_type, **headers}),
        )

    def get(
        self,
        path: str,
        params: Sequence[tuple[str, Any]] = (),
        *,
        scheme: str | None = None,
        access_token: str | None = None,
        **headers: str,
    ) -> httpx.Response:
        return self.api.http.get(
            self.url(path, params, access_token=access_token), headers=self.headers(scheme, **headers)
        )

    # --- the documented (lower-case) requests, for preconditions -----------------------------------
    def owned_track(self) -> str:
        r = self.api.add([CATALOG[7]])
        assert r.status_code == 200, r.text
        return r.json()["TrackActionResults"][0]["Id"]

    def playlist(self) -> str:
        return self.api.new_playlist([CATALOG[8]], name=f"interop {secrets.token_hex(4)}")[0]


C = "/1/content/music/collection"
CC = "/1/content/music/Collection"  # the client's ContentSource enum name


@dataclass(frozen=True)
class Case:
    """One request shaped like the client's and the status the emulator answers it with."""

    send: Callable[[Official], httpx.Response]
    status: int = 200
    profiles: tuple[str, ...] = BOTH


def _playlist_tracks(o: Official) -> httpx.Response:
    return o.get(f"/1/content/{o.playlist()}/Collection/Playlist/Tracks/browse", [("maxitems", 1)])


def _xml_in(profile_name: str, accept: str = "application/json") -> Callable[[Official], httpx.Response]:
    dialect = GROOVE_2016 if profile_name == GROOVE_2016.name else XBOX_2013

    def send(o: Official) -> httpx.Response:
        body = xml_codec.encode("TrackActionRequest", {"TrackIds": [CATALOG[9]]}, dialect)
        return o.post(f"{C}/add", content=body, content_type="application/xml", Accept=accept)

    return send


CASES: dict[str, Case] = {
    # paths built from enum names
    "POST collection/Add": Case(lambda o: o.post(f"{C}/Add", {"TrackIds": [CATALOG[0]]})),
    "POST collection/Delete": Case(lambda o: o.post(f"{C}/Delete", {"TrackIds": [o.owned_track()]})),
    "POST collection/playlists/Create": Case(
        lambda o: o.post(f"{C}/playlists/Create", {"Name": "made by the client"})
    ),
    "POST collection/playlists/Update (Name, IsPublished omitted)": Case(
        lambda o: o.post(
            f"{C}/playlists/Update",
            {"Id": o.playlist(), "TrackActions": [{"Id": CATALOG[1], "Action": "Add"}]},
        )
    ),
    "POST collection/playlists/Delete": Case(lambda o: o.post(f"{C}/playlists/Delete", {"Id": o.playlist()})),
    "POST /1/content/Music/collection/add": Case(
        lambda o: o.post("/1/content/Music/collection/add", {"TrackIds": [CATALOG[2]]})
    ),
    "GET Collection/Tracks/browse?maxitems&page&orderby": Case(
        lambda o: o.get(f"{CC}/Tracks/browse", [("maxitems", 2), ("page", 0), ("orderby", "TrackTitle")])
    ),
    "GET Collection/Playlists/browse?maxitems": Case(
        lambda o: o.get(f"{CC}/Playlists/browse", [("maxitems", 5)])
    ),
    "GET Collection/Albums/browse": Case(lambda o: o.get(f"{CC}/Albums/browse")),
    "GET Collection/Artists/browse": Case(lambda o: o.get(f"{CC}/Artists/browse")),
    "GET {id}/Collection/Playlist/Tracks/browse?maxitems": Case(_playlist_tracks),
    # query parameter names in any letter case; a repeated one is still a 400
    "GET tracks/browse?MAXITEMS=3&ORDERBY=TrackTitle": Case(
        lambda o: o.get(f"{C}/tracks/browse", [("MAXITEMS", 3), ("ORDERBY", "TrackTitle")])
    ),
    "GET tracks/browse?maxItems=2&maxitems=2": Case(
        lambda o: o.get(f"{C}/tracks/browse", [("maxItems", 2), ("maxitems", 2)]), 400
    ),
    "GET tracks/browse?page=0&PAGE=1": Case(
        lambda o: o.get(f"{C}/tracks/browse", [("page", 0), ("PAGE", 1)]), 400
    ),
    "GET tracks/browse?maxitems=26": Case(lambda o: o.get(f"{C}/tracks/browse", [("maxitems", 26)]), 400),
    "GET tracks/browse?language=en-US&country=US": Case(
        lambda o: o.get(f"{C}/tracks/browse", [("Language", "en-US"), ("COUNTRY", "US")])
    ),
    # the authentication scheme in any letter case
    "POST add, Authorization: bearer": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[3]]}, scheme="bearer"),
        profiles=(GROOVE_2016.name,),
    ),
    "POST add, Authorization: BEARER": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[3]]}, scheme="BEARER"),
        profiles=(GROOVE_2016.name,),
    ),
    "GET tracks/browse, Authorization: bearer": Case(
        lambda o: o.get(f"{C}/tracks/browse", scheme="bearer"), profiles=(GROOVE_2016.name,)
    ),
    "POST add, Authorization: xbl3.0 x=…": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[3]]}, scheme="xbl3.0"), profiles=(XBOX_2013.name,)
    ),
    "POST add, accessToken=bearer%20…": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[3]]}, access_token=f"bearer {o.developer}"),
        profiles=(XBOX_2013.name,),
    ),
    # the developer token beside the user's Bearer header (groove-2016: extra, whatever its value)
    "POST add, accessToken=Bearer%20… beside Authorization: Bearer": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[4]]}), profiles=(GROOVE_2016.name,)
    ),
    "POST add, accessToken=Bearer%20… (the developer token)": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[4]]}), profiles=(XBOX_2013.name,)
    ),
    # media types: any letter case, with parameters
    "POST add, Content-Type: Application/JSON; charset=utf-8": Case(
        lambda o: o.post(
            f"{C}/add", {"TrackIds": [CATALOG[5]]}, content_type="Application/JSON; charset=utf-8"
        )
    ),
    "POST add, Content-Type: application/json;charset=UTF-8": Case(
        lambda o: o.post(
            f"{C}/add", {"TrackIds": [CATALOG[5]]}, content_type="application/json;charset=UTF-8"
        )
    ),
    "POST add, Accept: application/xml; q=0.9": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[5]]}, Accept="application/xml; q=0.9")
    ),
    "POST add, Accept: Application/XML": Case(
        lambda o: o.post(f"{C}/add", {"TrackIds": [CATALOG[5]]}, Accept="Application/XML")
    ),
    "POST add, XML body, Content-Type: Application/XML; charset=utf-8": Case(
        lambda o: o.post(
            f"{C}/add",
            content=xml_codec.encode("TrackActionRequest", {"TrackIds": [CATALOG[6]]}, o.api.profile),
            content_type="Application/XML; charset=utf-8",
        )
    ),
    "POST add, Content-Type: application/json; charset=latin-1": Case(
        lambda o: o.post(
            f"{C}/add", {"TrackIds": [CATALOG[6]]}, content_type="application/json; charset=latin-1"
        ),
        400,
    ),
    # E22: XML requests in either documented namespace, in either profile
    "POST add, XML in the 2013 namespace": Case(_xml_in(XBOX_2013.name)),
    "POST add, XML in the SDK (2016) namespace": Case(_xml_in(GROOVE_2016.name)),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_official_client_request_is_served(name: str, api: Api) -> None:
    case = CASES[name]
    if api.profile.name not in case.profiles:
        pytest.skip(f"{api.profile.name}: the case is {', '.join(case.profiles)}'s")
    r = case.send(Official(api))
    assert r.status_code == case.status, r.text
    if case.status >= 400:
        assert r.json()["Error"]["ErrorCode"] == "INVALID_INPUT_PARAMETER"


def test_enum_paths_have_the_effect_of_the_documented_ones(api: Api) -> None:
    o = Official(api)
    added = o.post(f"{C}/Add", {"TrackIds": [CATALOG[0], CATALOG[1]]}).json()["TrackActionResults"]
    assert sorted(api.collection()) == sorted(x["Id"] for x in added)
    assert o.post(f"{C}/Delete", {"TrackIds": [added[0]["Id"]]}).status_code == 200
    assert api.collection() == [added[1]["Id"]]
    made = o.post(
        f"{C}/playlists/Create", {"Name": "enum", "TrackActions": [{"Id": CATALOG[2], "Action": "Add"}]}
    )
    pid = made.json()["PlaylistActionResult"]["Id"]
    o.post(f"{C}/playlists/Update", {"Id": pid, "Name": "renamed"})
    listed = o.get(f"{CC}/Playlists/browse").json()["Playlists"]["Items"]
    assert [(p["Id"], p["Name"], p["TrackCount"]) for p in listed] == [(pid, "renamed", 1)]
    assert o.post(f"{C}/playlists/Delete", {"Id": pid}).status_code == 200
    assert api.browse("playlists").json()["Playlists"]["Items"] == []


def test_lower_case_browse_parameters_are_honoured(api: Api) -> None:
    o = Official(api)
    assert api.add(CATALOG[10:15]).status_code == 200
    by_title = [t["Id"] for t in api.browse("tracks", orderBy="TrackTitle").json()["Tracks"]["Items"]]
    pages = [
        o.get(f"{CC}/Tracks/browse", [("maxitems", 2), ("page", n), ("orderby", "TrackTitle")]).json()[
            "Tracks"
        ]
        for n in (0, 1, 2)
    ]
    assert [[t["Id"] for t in p["Items"]] for p in pages] == [by_title[0:2], by_title[2:4], by_title[4:5]]
    token = pages[0]["ContinuationToken"]
    after = o.get(f"{CC}/Tracks/browse", [("continuationtoken", token)]).json()["Tracks"]
    assert [t["Id"] for t in after["Items"]] == by_title[2:4]
    assert o.get(f"{CC}/Playlists/browse", [("orderby", "TrackTitle")]).status_code == 400  # still checked


def test_xml_in_either_namespace_is_read_and_answered_in_the_profile_s_own(api: Api) -> None:
    """E22: the groove-2016 add page's own example is in the 2013 namespace; it is read (as is the
    SDK namespace in xbox-2013) and the answer stays in the profile's namespace."""
    o = Official(api)
    for name in BOTH:
        r = _xml_in(name, accept="application/xml")(o)
        assert r.status_code == 200, r.text
        assert fromstring(r.content).tag == f"{{{api.profile.xml_namespace}}}TrackActionResponse"
    assert len(api.collection()) == 1  # CATALOG[9] twice: one collection entry (E17)


def test_the_add_page_s_own_xml_example(gapi: Api) -> None:
    """reference/groove-docs/uri-add-track-collection.md, "Add a track using XML instead of JSON":
    a Bearer (2016) page whose request is in the 2013 namespace with d2p1:string items."""
    example = (
        b'<TrackActionRequest xmlns:i="http://www.w3.org/2001/XMLSchema-instance" '
        b'xmlns="http://schemas.microsoft.com/xboxmusic/2013/10/platform">\n'
        b'  <TrackIds xmlns:d2p1="http://schemas.microsoft.com/2003/10/Serialization/Arrays">\n'
        b"    <d2p1:string>music.873FB507-0100-11DB-89CA-0019B92A3933</d2p1:string>\n"
        b"  </TrackIds>\n</TrackActionRequest>"
    )
    r = gapi.post(f"{C}/add", content=example, headers={"Content-Type": "application/xml"})
    assert r.status_code == 200, r.text
    _, body = xml_codec.decode(r.content, GROOVE_2016)
    assert body["TrackActionResults"][0]["InputId"] == "music.873FB507-0100-11DB-89CA-0019B92A3933"


def test_media_type_parameters_choose_the_format(api: Api) -> None:
    o = Official(api)
    for accept, media in (
        ("application/xml; q=0.9", "application/xml"),
        ("Application/XML", "application/xml"),
        ("application/json; q=0.5, application/xml; q=0.9", "application/xml"),
        ("application/json; charset=utf-8", "application/json"),
    ):
        r = o.post(f"{C}/add", {"TrackIds": [CATALOG[5]]}, Accept=accept)
        assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media, accept


def test_groove_2016_takes_any_access_token_beside_bearer(gapi: Api) -> None:
    """Chosen: groove-2016 has no developer token, so an accessToken beside the Bearer header is
    extra and never a refusal, whatever its value (the client sends its own developer token)."""
    o = Official(gapi)
    for value in ("Bearer wrong", "bearer x", "", "not even Bearer"):
        assert o.post(f"{C}/add", {"TrackIds": [CATALOG[0]]}, access_token=value or None).status_code == 200


def test_scheme_case_leaves_the_token_checked(api: Api) -> None:
    """A lower-case scheme with an unknown token, or a scheme glued to the token, is still 401."""
    o = Official(api)
    scheme = "bearer" if api.profile.name == GROOVE_2016.name else "xbl3.0"
    token = "unknown" if api.profile.name == GROOVE_2016.name else "x=1;unknown"
    for header in (f"{scheme} {token}", f"{scheme}{split_xbox_user_token(api.token)[1]}"):
        r = api.http.post(
            o.url(f"{C}/add"), json={"TrackIds": [CATALOG[0]]}, headers={"Authorization": header}
        )
        assert r.status_code == 401 and r.json()["Error"]["ErrorCode"] == "INVALID_AUTHORIZATION_HEADER"
    assert api.collection() == []
