"""The capability probe (respx), the ``verify`` checks, and option resolution (flags and environment)."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
import respx

from conformance.client import Client, ClientConfig
from conformance.plugin import Settings, SettingsError, StartError, TrackAllocator, probe
from conformance.profiles import GROOVE_2016, XBOX_2013
from conformance.records import CheckResult
from conformance.verify import Verify, VerifyUsageError

BASE = "http://target.test"
BROWSE = "/1/content/music/collection/playlists/browse"
ADD = "/1/content/music/collection/add"
TRACKS = r"^/1/content/[^/]+/collection/playlist/tracks/browse$"
AUTH_ERROR = {"Error": {"ErrorCode": "INVALID_AUTHORIZATION_HEADER", "Description": "Missing or invalid"}}


def client(profile=GROOVE_2016, token="tok-1") -> Client:
    return Client(ClientConfig(BASE, profile, developer_token="dev"), token)


@pytest.fixture
def mock():
    with respx.mock(base_url=BASE, assert_all_called=False) as m:
        yield m


# --- probe -----------------------------------------------------------------------------------
def test_probe_target_down(mock):
    mock.get(BROWSE).mock(side_effect=httpx.ConnectError("Connection refused"))
    with pytest.raises(StartError, match="target unreachable: cannot connect"):
        probe(client())


def test_probe_token_refused(mock):
    mock.get(BROWSE).respond(401, json=AUTH_ERROR)
    with pytest.raises(StartError, match=r"refused the user token \(HTTP 401 INVALID_AUTHORIZATION_HEADER\)"):
        probe(client())


def test_probe_developer_token_refused(mock):
    mock.get(BROWSE).respond(401, json={"Error": {"ErrorCode": "ACCESS_TOKEN_INVALID", "Description": "d"}})
    with pytest.raises(StartError, match="refused the developer token.*--developer-token"):
        probe(client(XBOX_2013))


def test_probe_second_user_refused(mock):
    mock.get(BROWSE).mock(
        side_effect=lambda req: httpx.Response(
            401 if req.headers["authorization"] == "Bearer tok-2" else 200, json={"Playlists": {"Items": []}}
        )
    )
    mock.get(path__regex=TRACKS).respond(
        404, json={"Error": {"ErrorCode": "COLLECTION_NO_RESULT", "Description": "d"}}
    )
    with pytest.raises(StartError, match="second user's token"):
        probe(client(), client(token="tok-2"))


def test_probe_with_browse(mock):
    mock.get(BROWSE).respond(200, json={"Playlists": {"Items": []}})
    mock.get(path__regex=TRACKS).respond(
        404, json={"Error": {"ErrorCode": "COLLECTION_NO_RESULT", "Description": "d"}}
    )
    caps = probe(client(), client(token="tok-2"))
    assert caps.reachable and caps.browse and caps.playlist_tracks_browse and caps.other_user


def test_probe_without_browse_checks_the_token_with_an_empty_add(mock):
    mock.get(BROWSE).respond(404, text="Not Found")
    add = mock.post(ADD).respond(
        400, json={"Error": {"ErrorCode": "MISSING_INPUT_PARAMETER", "Description": "d"}}
    )
    caps = probe(client())
    assert caps.reachable and not caps.browse and not caps.playlist_tracks_browse
    assert add.calls.last.request.content == b'{"TrackIds": []}'
    with pytest.raises(pytest.skip.Exception, match="target has no browse endpoint"):
        caps.require_browse()
    add.respond(401, json=AUTH_ERROR)
    with pytest.raises(StartError, match="refused the user token"):
        probe(client())


def test_probe_not_the_api(mock):
    mock.get(BROWSE).respond(404, text="Not Found")
    mock.post(ADD).respond(404, text="Not Found")
    with pytest.raises(StartError, match="does not serve the collection API"):
        probe(client())


def test_probe_not_a_groove_api_at_all(mock):
    """Another web site: 200 HTML to everything, with a token or without."""
    mock.get(BROWSE).respond(200, html="<html><body>Welcome</body></html>")
    add = mock.post(ADD).respond(200, html="<html><body>Welcome</body></html>")
    with pytest.raises(StartError, match=r"does not answer like a Groove API \(.*HTTP 200 text/html"):
        probe(client())
    assert "authorization" not in add.calls.last.request.headers  # the last probe: no token


def test_probe_a_wrong_groove_server_is_still_tested(mock):
    """Bodies that are no API's, but the request without a token is refused: a Groove server."""
    mock.get(BROWSE).respond(200, text="ok")
    mock.post(ADD).mock(
        side_effect=lambda req: httpx.Response(200 if "authorization" in req.headers else 401, text="ok")
    )
    caps = probe(client())
    assert caps.reachable and not caps.browse


# --- catalog ---------------------------------------------------------------------------------
def test_catalog_hands_out_distinct_ids_and_skips_when_short():
    cat = TrackAllocator(["a", "b", "c", "A"], "test")
    assert len(cat) == 3
    first, second = cat.take(2), cat.take(2)
    assert len(set(first)) == 2 and len(set(second)) == 2 and first != second
    with pytest.raises(pytest.skip.Exception, match=r"needs 4 catalog IDs \(have 3"):
        cat.take(4)
    bad = TrackAllocator.invalid(3, lower=True)
    assert len(set(bad)) == 3 and all(b.startswith("music.") and b == b.lower() for b in bad)


# --- verify ----------------------------------------------------------------------------------
LEVELS = {"R-MUST": "MUST", "R-SHOULD": "SHOULD", "R-MAY": "MAY"}


def make_verify(strict: bool = False) -> Verify:
    return Verify(list(LEVELS), [], level_of=LEVELS.__getitem__, strict=strict)


def response(status: int, body) -> SimpleNamespace:
    err = body.get("Error") if isinstance(body, dict) else None
    return SimpleNamespace(
        status=status,
        body=body,
        parse_error=None,
        redirect_refused=None,
        error_code=(err or {}).get("ErrorCode"),
    )


def test_verify_refuses_requirements_outside_the_marker():
    with pytest.raises(VerifyUsageError, match="does not list"):
        make_verify().that("OTHER", True, "x")


def test_verify_status_and_error_code_spelling():
    v = make_verify()
    r = response(400, {"Error": {"ErrorCode": "COLLECTION-INVALID-ID", "Description": "d"}})
    assert v.status("R-MUST", r, 400) and v.status("R-MUST", r, {400, 404}) and not v.status("R-MUST", r, 200)
    assert v.error_code("R-MUST", r, "COLLECTION_INVALID_ID")  # E01: hyphens compare equal
    assert not v.error_code("R-SHOULD", r, "COLLECTION_INVALID_ID", exact=True)
    assert not v.error_code("R-MUST", response(200, {}), "X")
    assert v.error_code("R-MUST", {"ErrorCode": "A_B", "Description": "d"}, ["X", "A-B"])
    assert [c.passed for c in v.checks] == [True, True, False, True, False, False, True]
    assert v.checks[2].expected == "200" and v.checks[2].actual == "400 (COLLECTION-INVALID-ID)"


def test_verify_schema_uses_the_contract():
    v = make_verify()
    assert v.schema("R-MUST", {"Error": {"ErrorCode": "X", "Description": "d"}}, "ErrorResponse")
    assert not v.schema("R-MUST", {"Nope": 1}, "ErrorResponse")
    unreadable = SimpleNamespace(status=200, body=None, parse_error="invalid JSON: x")
    assert not v.schema("R-MUST", unreadable, "ErrorResponse")
    assert "invalid JSON" in v.checks[-1].actual
    with pytest.raises(VerifyUsageError):
        v.schema("R-MUST", {}, "NoSuchSchema")


def test_verify_blocking_and_advisory():
    v = make_verify()
    v.that("R-SHOULD", False, "should thing")
    v.that("R-MAY", False, "may thing")
    assert v.blocking_failures() == [] and len(v.advisory_failures()) == 2
    v.equal("R-MUST", 1, 2, "numbers")
    assert [c.requirement for c in v.blocking_failures()] == ["R-MUST"]
    text = v.summary()
    assert "R-MUST [MUST] numbers" in text and "expected: 2" in text and "actual:   1" in text
    assert "advisory" in text
    strict = make_verify(strict=True)
    strict.checks.append(CheckResult("R-SHOULD", False, "x"))
    assert len(strict.blocking_failures()) == 1


# --- settings --------------------------------------------------------------------------------
class FakeConfig:
    def __init__(self, **options):
        self.options = options
        self.option = SimpleNamespace()

    def getoption(self, name, default=None):
        return self.options.get(name, default)

    def getini(self, name):
        return False


def test_every_option_can_come_from_the_environment(tmp_path):
    catalog = tmp_path / "ids.txt"
    catalog.write_text("music.A\n")
    env = {
        "GROOVE_TARGET": "http://t.test/",
        "GROOVE_PROFILE": "xbox-2013",
        "GROOVE_USER_TOKEN": "u-secret",
        "GROOVE_OTHER_USER_TOKEN": "o-secret",
        "GROOVE_DEVELOPER_TOKEN": "d-secret",
        "GROOVE_CATALOG": str(catalog),
        "GROOVE_REPORT_DIR": str(tmp_path / "rep"),
        "GROOVE_CONFORMANCE_LEVEL": "quick",
        "GROOVE_STRICT": "1",
    }
    s = Settings.from_config(FakeConfig(), env)
    assert (s.target, s.profile, s.effort, s.strict) == ("http://t.test", "xbox-2013", "quick", True)
    assert (s.user_token, s.other_user_token, s.developer_token) == ("u-secret", "o-secret", "d-secret")
    assert s.catalog_file == catalog and s.report_dir == tmp_path / "rep"
    shown = repr(s) + repr(s.public())
    assert "secret" not in shown
    # a flag wins over the variable
    s = Settings.from_config(FakeConfig(groove_profile="groove-2016"), env)
    assert s.profile == "groove-2016"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GROOVE_PROFILE": "nope"}, "unknown profile"),
        ({"GROOVE_CONFORMANCE_LEVEL": "max"}, "unknown level"),
        ({"GROOVE_TARGET": "ftp://x"}, "http:// or https://"),
        ({"GROOVE_CATALOG": "/no/such/file"}, "no such file"),
        ({"GROOVE_REQUEST_TIMEOUT": "soon"}, "number of seconds"),
    ],
)
def test_bad_option_values_are_clear_errors(env, message):
    with pytest.raises(SettingsError, match=message):
        Settings.from_config(FakeConfig(), env)
