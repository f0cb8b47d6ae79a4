"""Fixtures for the emulator's own tests: real servers on free loopback ports, real HTTP clients.

One emulator per profile serves the whole session; each test gets a fresh user of it (the
configs hold many users), so tests never see each other's collections or playlists. Tests that
need a fault, a custom catalog or a database file start their own instance with ``start``.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from conformance.emulator import EmulatorConfig, RunningEmulator, builtin_catalog, start_in_thread
from conformance.profiles import PROFILES, Profile, get_profile

USERS_PER_EMULATOR = 300
CATALOG = builtin_catalog()
BASE = "/1/content/music/collection"


def make_users(n: int = USERS_PER_EMULATOR) -> dict[str, str]:
    return {f"user{i}": secrets.token_urlsafe(16) for i in range(n)}


class Api:
    """A client of one emulator as one user, in the emulator's profile."""

    def __init__(self, emulator: RunningEmulator, user: str, *, fmt: str = "json"):
        self.emulator = emulator
        self.config = emulator.config
        self.profile: Profile = get_profile(self.config.profile)
        self.user = user
        self.token = self.config.users[user]
        self.http = httpx.Client(base_url=emulator.url, timeout=30.0)

    # --- credentials -------------------------------------------------------------------------
    def auth(self) -> dict[str, str]:
        return self.profile.auth_headers(self.token)

    def query(self) -> dict[str, str]:
        return self.profile.auth_query(self.config.developer_token)

    # --- raw ---------------------------------------------------------------------------------
    def post(
        self,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        content: bytes | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        h = {**(self.auth() if auth else {}), **(headers or {})}
        q = {**self.query(), **(params or {})}
        if content is not None:
            h.setdefault("Content-Type", "application/json")
            return self.http.post(path, content=content, headers=h, params=q)
        return self.http.post(path, json=body, headers=h, params=q)

    def get(
        self, path: str, params: dict[str, Any] | None = None, *, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        return self.http.get(
            path, params={**self.query(), **(params or {})}, headers={**self.auth(), **(headers or {})}
        )

    # --- operations ----------------------------------------------------------------------------
    def add(self, ids: list[str], **kw: Any) -> httpx.Response:
        return self.post(f"{BASE}/add", {"TrackIds": ids}, **kw)

    def delete(self, ids: list[str], **kw: Any) -> httpx.Response:
        return self.post(f"{BASE}/delete", {"TrackIds": ids}, **kw)

    def create(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post(f"{BASE}/playlists/create", body, **kw)

    def update(self, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post(f"{BASE}/playlists/update", body, **kw)

    def delete_playlist(self, playlist_id: str, **kw: Any) -> httpx.Response:
        return self.post(f"{BASE}/playlists/delete", {"Id": playlist_id}, **kw)

    def browse(self, kind: str, **params: Any) -> httpx.Response:
        return self.get(f"{BASE}/{kind}/browse", params)

    def playlist_tracks(self, playlist_id: str, **params: Any) -> httpx.Response:
        return self.get(f"/1/content/{playlist_id}/collection/playlist/tracks/browse", params)

    # --- conveniences --------------------------------------------------------------------------
    def new_playlist(
        self, tracks: list[str] | None = None, name: str = "test playlist"
    ) -> tuple[str, list[str]]:
        """Create a playlist holding ``tracks`` (catalog IDs): (playlist Id, playlist-track Ids)."""
        body: dict[str, Any] = {"Name": name}
        if tracks:
            body["TrackActions"] = [{"Id": t, "Action": "Add"} for t in tracks]
        r = self.create(body)
        assert r.status_code == 200, r.text
        result = r.json()["PlaylistActionResult"]
        return result["Id"], [x["Id"] for x in result.get("TrackActionResults", [])]

    def order(self, playlist_id: str) -> list[str]:
        """Every playlist-track Id of the playlist, in playlist order (following continuations)."""
        out: list[str] = []
        r = self.playlist_tracks(playlist_id)
        while True:
            assert r.status_code == 200, r.text
            tracks = r.json()["Playlists"]["Items"][0]["Tracks"]
            out += [t["Id"] for t in tracks["Items"]]
            token = tracks.get("ContinuationToken")
            if not token:
                return out
            r = self.playlist_tracks(playlist_id, continuationToken=token)

    def collection(self) -> list[str]:
        out: list[str] = []
        r = self.browse("tracks")
        while True:
            assert r.status_code == 200, r.text
            tracks = r.json()["Tracks"]
            out += [t["Id"] for t in tracks["Items"]]
            if not tracks.get("ContinuationToken"):
                return out
            r = self.browse("tracks", continuationToken=tracks["ContinuationToken"])

    def move(self, playlist_id: str, moved: list[str], before: str | None) -> httpx.Response:
        body: dict[str, Any] = {
            "Id": playlist_id,
            "TrackActions": [{"Id": m, "Action": "Move"} for m in moved],
        }
        if before is not None:
            body["InsertBeforeTrackId"] = before
        return self.update(body)

    def close(self) -> None:
        self.http.close()


def start(profile: str = "groove-2016", **kw: Any) -> RunningEmulator:
    kw.setdefault("users", make_users(4))
    return start_in_thread(EmulatorConfig(profile=profile, **kw))


@pytest.fixture(scope="session", params=sorted(PROFILES))
def server(request: pytest.FixtureRequest) -> Iterator[RunningEmulator]:
    """One emulator per profile for the session (tests using it run once per profile)."""
    em = start_in_thread(EmulatorConfig(profile=request.param, users=make_users()))
    yield em
    em.stop()
    assert em.internal_errors == 0


@pytest.fixture(scope="session")
def groove_server() -> Iterator[RunningEmulator]:
    em = start_in_thread(EmulatorConfig(profile="groove-2016", users=make_users()))
    yield em
    em.stop()
    assert em.internal_errors == 0


_counters: dict[int, Iterator[int]] = {}


def fresh_user(em: RunningEmulator) -> str:
    counter = _counters.setdefault(id(em), itertools.count())
    index = next(counter)
    assert index < USERS_PER_EMULATOR, "raise USERS_PER_EMULATOR"
    return f"user{index}"


@pytest.fixture
def api(server: RunningEmulator) -> Iterator[Api]:
    """A fresh user of the per-profile emulator (the test runs for both profiles)."""
    client = Api(server, fresh_user(server))
    yield client
    client.close()


@pytest.fixture
def other(server: RunningEmulator) -> Iterator[Api]:
    """A second fresh user of the same emulator (isolation tests)."""
    client = Api(server, fresh_user(server))
    yield client
    client.close()


@pytest.fixture(scope="session")
def xbox_server() -> Iterator[RunningEmulator]:
    em = start_in_thread(EmulatorConfig(profile="xbox-2013", users=make_users()))
    yield em
    em.stop()
    assert em.internal_errors == 0


@pytest.fixture
def xapi(xbox_server: RunningEmulator) -> Iterator[Api]:
    """A fresh user of the xbox-2013 emulator (tests of that dialect only)."""
    client = Api(xbox_server, fresh_user(xbox_server))
    yield client
    client.close()


@pytest.fixture
def gapi(groove_server: RunningEmulator) -> Iterator[Api]:
    """A fresh user of the groove-2016 emulator (tests where the profile does not matter)."""
    client = Api(groove_server, fresh_user(groove_server))
    yield client
    client.close()
