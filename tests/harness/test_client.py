"""The client against canned answers (respx): auth per profile, redaction, codecs, retries, redirects."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from conformance import xml_codec
from conformance.client import (
    MAX_EXCHANGES_PER_TEST,
    NONE,
    REDACTED,
    RETRY_BUDGET_S,
    TRANSCRIPT_BODY_CAP,
    Client,
    ClientConfig,
    TransportError,
    operation_for,
    raw_auth,
    with_token,
)
from conformance.profiles import GROOVE_2016, XBOX_2013, split_xbox_user_token

BASE = "http://target.test"
ADD = "/1/content/music/collection/add"
USER = "user-secret-token-1"
DEV = "dev-secret-token-2"
OK_ADD = {"TrackActionResults": [{"InputId": "music.A", "Id": "music.AQQf"}]}


def make(profile=GROOVE_2016, *, user=USER, sleeps=None, transcript=None, **kw) -> Client:
    config = ClientConfig(
        BASE, profile, developer_token=DEV if profile is XBOX_2013 else None, secrets=(USER, DEV), **kw
    )
    sleep = sleeps.append if sleeps is not None else (lambda s: None)
    return Client(config, user, transcript=[] if transcript is None else transcript, sleep=sleep)


@pytest.fixture
def mock():
    with respx.mock(base_url=BASE, assert_all_called=False) as m:
        yield m


def test_groove_2016_sends_bearer_and_no_access_token(mock):
    route = mock.post(ADD).respond(200, json=OK_ADD)
    r = make().collection_add(["music.A"])
    sent = route.calls.last.request
    assert r.status == 200 and r.body == OK_ADD and r.format == "json"
    assert sent.headers.get_list("authorization") == [f"Bearer {USER}"]
    assert "accessToken" not in sent.url.params
    assert json.loads(sent.content) == {"TrackIds": ["music.A"]}
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"


def test_xbox_2013_sends_xbl_header_and_developer_token(mock):
    route = mock.post(ADD).respond(200, json=OK_ADD)
    make(XBOX_2013).collection_add(["music.A"])
    sent = route.calls.last.request
    userhash, token = split_xbox_user_token(USER)
    assert sent.headers["authorization"] == f"XBL3.0 x={userhash};{token}"
    assert sent.url.params["accessToken"] == f"Bearer {DEV}"


def test_auth_overrides(mock):
    route = mock.post(ADD).respond(
        401, json={"Error": {"ErrorCode": "INVALID_AUTHORIZATION_HEADER", "Description": "d"}}
    )
    c = make(XBOX_2013)
    c.collection_add(["x"], auth=NONE)
    assert "authorization" not in route.calls.last.request.headers
    assert "accessToken" in route.calls.last.request.url.params  # the developer part is still sent
    c.collection_add(["x"], access_token=None)
    assert "accessToken" not in route.calls.last.request.url.params
    c.collection_add(["x"], access_token="Bearer nope")
    assert route.calls.last.request.url.params["accessToken"] == "Bearer nope"
    c.collection_add(["x"], auth=with_token("unknown-tok"))
    assert route.calls.last.request.headers["authorization"].endswith(";unknown-tok")
    make().collection_add(["x"], auth=raw_auth(("Authorization", "Bearer a"), ("Authorization", "Bearer b")))
    assert route.calls.last.request.headers.get_list("authorization") == ["Bearer a", "Bearer b"]
    make().collection_add(["x"], auth=raw_auth(("Authorization", "")))
    assert route.calls.last.request.headers.get_list("authorization") == [""]


def test_accept_and_content_type_parameter(mock):
    route = mock.post(ADD).respond(200, json=OK_ADD)
    c = make()
    c.collection_add(["x"], accept=None)
    assert "accept" not in route.calls.last.request.headers
    c.collection_add(["x"], accept="*/*", content_type_param="xml")
    sent = route.calls.last.request
    assert sent.headers["accept"] == "*/*" and sent.url.params["contentType"] == "xml"
    c.request("POST", ADD, content=b"{not json", content_type="text/plain")
    sent = route.calls.last.request
    assert sent.content == b"{not json" and sent.headers["content-type"] == "text/plain"


def test_transcript_redacts_every_credential(mock):
    echo = {"Error": {"ErrorCode": "X", "Description": f"token {USER} and {DEV} seen"}}
    mock.post(ADD).respond(400, json=echo, headers={"Set-Cookie": "sid=abc"})
    transcript: list = []
    c = make(XBOX_2013, transcript=transcript)
    r = c.collection_add(["music.A"])
    x = transcript[-1]
    text = json.dumps(x.__dict__)
    assert USER not in text and DEV not in text and "sid=abc" not in text
    assert x.request_headers["authorization"] == f"XBL3.0 {REDACTED}"
    assert f"accessToken={REDACTED}" in x.url.replace("%5B", "[").replace("%5D", "]")
    assert x.response_headers["set-cookie"] == REDACTED
    assert x.status == 400 and x.method == "POST" and x.elapsed_ms >= 0
    assert USER not in repr(r) and USER not in repr(c) and DEV not in repr(c.config)


def test_transcript_caps_bodies_and_entries(mock):
    big = {"TrackActionResults": [], "Pad": "x" * (TRANSCRIPT_BODY_CAP * 2)}
    mock.post(ADD).respond(200, json=big)
    transcript: list = []
    c = make(transcript=transcript)
    r = c.collection_add(["music.A"])
    assert r.body == big  # the answer itself is whole
    assert transcript[-1].truncated and len(transcript[-1].response_body) <= TRANSCRIPT_BODY_CAP
    for _ in range(MAX_EXCHANGES_PER_TEST + 5):
        c.collection_add([])
    assert len(transcript) == MAX_EXCHANGES_PER_TEST


def test_xml_request_and_response_use_the_codec(mock):
    answer = xml_codec.encode("TrackActionResponse", OK_ADD, XBOX_2013)
    route = mock.post(ADD).respond(200, content=answer, headers={"Content-Type": "application/xml"})
    r = make(XBOX_2013).collection_add(["music.A"], fmt="xml")
    sent = route.calls.last.request
    assert sent.headers["content-type"] == "application/xml" and sent.headers["accept"] == "application/xml"
    root, body = xml_codec.decode(sent.content, XBOX_2013)
    assert root == "TrackActionRequest" and body == {"TrackIds": ["music.A"]}
    assert r.format == "xml" and r.root == "TrackActionResponse" and r.body == OK_ADD


def test_xml_out_of_order_is_reported_and_still_read(mock):
    ns = XBOX_2013.xml_namespace
    doc = (
        f'<TrackActionResponse xmlns="{ns}"><TrackActionResults><TrackActionResult>'
        "<InputId>music.A</InputId><Id>music.AQQf</Id>"
        "</TrackActionResult></TrackActionResults></TrackActionResponse>"
    ).encode()
    mock.post(ADD).respond(200, content=doc, headers={"Content-Type": "application/xml"})
    r = make(XBOX_2013).collection_add(["music.A"])
    assert r.xml_order_error and r.parse_error is None and r.body == OK_ADD


@pytest.mark.parametrize(
    ("content", "ctype", "fmt", "problem"),
    [
        (b"{broken", "application/json", "json", "invalid JSON"),
        (b"[1, 2]", "application/json", "json", "not an object"),
        (b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "application/xml", "xml", "invalid XML"),
        (b"hello", "text/plain", None, "neither JSON nor XML"),
        (b'{"Error": {"ErrorCode": "X", "Description": "d"}}', "text/html", "json", None),
    ],
)
def test_unreadable_bodies_are_reported(mock, content, ctype, fmt, problem):
    mock.post(ADD).respond(400, content=content, headers={"Content-Type": ctype})
    r = make().collection_add(["x"])
    assert r.format == fmt
    if problem:
        assert r.body is None and problem in r.parse_error
    else:
        assert r.parse_error is None and r.error_code == "X"


def test_429_with_retry_after_is_retried_within_the_bound(mock):
    route = mock.post(ADD)
    route.side_effect = [httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200, json=OK_ADD)]
    sleeps: list[float] = []
    transcript: list = []
    r = make(sleeps=sleeps, transcript=transcript).collection_add(["x"])
    assert r.status == 200 and sleeps == [1.0] and [x.status for x in transcript] == [429, 200]


def test_429_retries_stop_after_two(mock):
    route = mock.post(ADD)
    route.side_effect = [httpx.Response(429, headers={"Retry-After": "1"}) for _ in range(5)]
    sleeps: list[float] = []
    r = make(sleeps=sleeps).collection_add(["x"])
    assert r.status == 429 and sleeps == [1.0, 1.0] and route.call_count == 3


def test_429_beyond_the_budget_or_without_retry_after_is_not_slept_on(mock):
    route = mock.post(ADD)
    route.side_effect = [httpx.Response(429, headers={"Retry-After": str(int(RETRY_BUDGET_S) + 1)})]
    sleeps: list[float] = []
    assert make(sleeps=sleeps).collection_add(["x"]).status == 429 and sleeps == []
    route.side_effect = [httpx.Response(429), httpx.Response(200, json=OK_ADD)]
    assert make(sleeps=sleeps).collection_add(["x"]).status == 429 and sleeps == []


def test_same_origin_redirect_is_followed_with_credentials(mock):
    mock.post(ADD).respond(307, headers={"Location": "/v2/add"})
    moved = mock.post("/v2/add").respond(200, json=OK_ADD)
    r = make().collection_add(["x"])
    assert r.status == 200 and moved.calls.last.request.headers["authorization"] == f"Bearer {USER}"
    assert json.loads(moved.calls.last.request.content) == {"TrackIds": ["x"]}


def test_redirect_to_another_host_never_carries_credentials(mock):
    mock.post(ADD).respond(302, headers={"Location": "http://evil.test/steal?accessToken=x"})
    evil = respx.post("http://evil.test/steal")
    r = make(XBOX_2013).collection_add(["x"])
    assert not evil.called
    assert r.status == 302 and r.redirect_refused.startswith("http://evil.test/steal")
    assert "accessToken=x" not in r.redirect_refused


def test_transport_failure_is_one_clear_line(mock):
    transcript: list = []
    mock.post(ADD).mock(side_effect=httpx.ConnectError("Connection refused"))
    with pytest.raises(TransportError) as info:
        make(transcript=transcript).collection_add(["x"])
    assert "\n" not in str(info.value) and "cannot connect to http://target.test" in str(info.value)
    assert transcript[-1].status is None and transcript[-1].error == str(info.value)
    mock.post(ADD).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(TransportError, match="no complete answer"):
        make().collection_add(["x"])


@pytest.mark.parametrize(
    ("parser_says", "we_say"),
    [
        # What h11 says of bytes that are no HTTP at all: it must not reach the user as is.
        ("illegal request line", "answered with bytes that are not an HTTP/1.1 response"),
        ("Server disconnected without sending a response.", "closed the connection without answering"),
        (
            "peer closed connection without sending complete message body (received 3 bytes, expected 9)",
            "closed the connection before its answer was complete",
        ),
    ],
)
def test_broken_answers_are_described_as_broken_answers(mock, parser_says, we_say):
    mock.post(ADD).mock(side_effect=httpx.RemoteProtocolError(parser_says))
    with pytest.raises(TransportError) as info:
        make().collection_add(["x"])
    assert we_say in str(info.value) and "request line" not in str(info.value)


def test_paths_come_from_the_contract(mock):
    route = mock.get("/1/content/music.playlist.ABC%2FX/collection/playlist/tracks/browse").respond(
        200, json={}
    )
    make().playlist_tracks_browse("music.playlist.ABC/X", max_items=5)
    assert route.calls.last.request.url.params["maxItems"] == "5"
    assert operation_for("POST", ADD) == "collection_add"
    assert operation_for("GET", "/1/content/music/collection/tracks/browse") == "collection_browse"
    assert operation_for("GET", "/1/content/music.playlist.x/collection/playlist/tracks/browse") == (
        "playlist_tracks_browse"
    )
    assert operation_for("DELETE", ADD) is None
