"""Authentication in both profiles (seeds/000; reference user-authentication.md; erratum E19)."""

from __future__ import annotations

from urllib.parse import quote_plus

from conformance.profiles import split_xbox_user_token

from .conftest import BASE, CATALOG, Api


def assert_401(r, code: str = "INVALID_AUTHORIZATION_HEADER") -> None:  # noqa: ANN001
    assert r.status_code == 401, r.text
    body = r.json()
    assert body["Error"]["ErrorCode"] == code
    assert body["Error"]["Description"]


def bad_headers(api: Api) -> list[dict[str, str]]:
    token = split_xbox_user_token(api.token)[1]
    if api.profile.name == "groove-2016":
        return [
            {},
            {"Authorization": "Bearer"},
            {"Authorization": "Bearer  x"},
            {"Authorization": f"Basic {token}"},
            {"Authorization": "Bearer not-a-known-token"},
            {"Authorization": f"bearer{token}"},
            {"Authorization": f"XBL3.0 x=1;{token}"},
        ]
    return [
        {},
        {"Authorization": "XBL3.0 x=;" + token},
        {"Authorization": f"XBL3.0 x=12ab;{token}"},
        {"Authorization": f"Bearer {token}"},
        {"Authorization": "XBL3.0 x=123;unknown"},
        {"Authorization": "XBL3.0 x=123;"},
    ]


def test_the_profile_form_is_accepted(api: Api) -> None:
    assert api.add([CATALOG[0]]).status_code == 200


def test_bad_user_credentials_are_401_and_change_nothing(api: Api) -> None:
    for headers in bad_headers(api):
        r = api.http.post(f"{BASE}/add", json={"TrackIds": [CATALOG[0]]}, headers=headers, params=api.query())
        assert_401(r)
        r = api.http.post(f"{BASE}/playlists/create", json={"Name": "x"}, headers=headers, params=api.query())
        assert_401(r)
    assert api.collection() == [] and api.browse("playlists").json()["Playlists"]["Items"] == []


def test_two_authorization_headers_are_refused(api: Api) -> None:
    auth = api.auth()["Authorization"]
    r = api.http.post(
        f"{BASE}/add",
        json={"TrackIds": [CATALOG[0]]},
        params=api.query(),
        headers=[("Authorization", auth), ("Authorization", auth)],
    )
    assert_401(r)
    assert api.collection() == []


def test_authentication_comes_before_body_validation(api: Api) -> None:
    for content in (b"{not json", b"", b'{"TrackIds": 5}', b"<x/>"):
        r = api.post(f"{BASE}/add", content=content, auth=False)
        assert_401(r)


def test_any_userhash_of_digits_is_accepted_in_xbox_2013(xapi: Api) -> None:
    api = xapi
    token = split_xbox_user_token(api.token)[1]
    for userhash in ("1", "945039495", "0000"):
        r = api.http.post(
            f"{BASE}/add",
            json={"TrackIds": [CATALOG[0]]},
            params=api.query(),
            headers={"Authorization": f"XBL3.0 x={userhash};{token}"},
        )
        assert r.status_code == 200


def test_developer_token_in_xbox_2013(xapi: Api) -> None:
    api = xapi
    headers = api.auth()
    body = {"TrackIds": [CATALOG[0]]}
    assert_401(api.http.post(f"{BASE}/add", json=body, headers=headers), "ACCESS_TOKEN_MISSING")
    for value in ("Bearer wrong", api.config.developer_token, "Bearer ", ""):
        r = api.http.post(f"{BASE}/add", json=body, headers=headers, params={"accessToken": value})
        assert_401(r, "ACCESS_TOKEN_INVALID")
    # the form the older pages print: accessToken=Bearer+<url-encoded token>
    encoded = api.profile.encoded_access_token(api.config.developer_token)
    assert encoded.startswith("Bearer+")
    r = api.http.post(f"{BASE}/add?accessToken={encoded}", json=body, headers=headers)
    assert r.status_code == 200
    assert api.collection() and len(api.collection()) == 1
    # the user header is checked first: no user header and no developer token is a user-auth error
    assert_401(api.http.post(f"{BASE}/add", json=body), "INVALID_AUTHORIZATION_HEADER")
    assert quote_plus(" ") == "+"


def test_groove_2016_ignores_an_access_token_parameter(gapi: Api) -> None:
    api = gapi
    r = api.add([CATALOG[0]], params={"accessToken": "Bearer anything"})
    assert r.status_code == 200
