"""Replay scripts: a logged sequence rendered as Python that runs again against a server.

The script must hold no credential, read IDs that earlier answers returned from those answers (a
fresh run mints fresh IDs), and, run against a live emulator, repeat the same requests.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from conformance.client import NONE, Client, ClientConfig
from conformance.emulator import builtin_catalog
from conformance.fuzz.replay import render
from conformance.fuzz.stateful.machine import send
from conformance.fuzz.transport import Sent
from conformance.profiles import PROFILES, get_profile

from .runner import REPO


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_a_rendered_sequence_replays_against_a_live_server(profile: str, start_target: Any) -> None:
    target = start_target(profile)
    client = Client(
        ClientConfig(
            base_url=target.url,
            profile=get_profile(profile),
            developer_token=target.emulator.config.developer_token,
        ),
        target.users["user"],
    )
    catalog = builtin_catalog()
    log: list[Sent] = []
    body = {"Name": "replayed", "TrackActions": [{"Id": t, "Action": "Add"} for t in catalog[:2]]}
    r, _ = send(client, log, "playlist_create", body=body)
    pid = r.body["PlaylistActionResult"]["Id"]
    first = r.body["PlaylistActionResult"]["TrackActionResults"][0]["Id"]
    send(
        client, log, "playlist_update", body={"Id": pid, "TrackActions": [{"Id": first, "Action": "Delete"}]}
    )
    send(client, log, "playlist_tracks_browse", path={"id": pid})
    send(client, log, "collection_add", body={"TrackIds": [catalog[3]]}, auth=NONE, auth_label="none")

    script = render(log, profile=profile, base_url=target.url, title="a test sequence")
    compile(script, "replay.py", "exec")
    for secret in (*target.users.values(), target.emulator.config.developer_token):
        if secret:
            assert secret not in script
    # The playlist and the entry are read from the answers, not written in as literals.
    assert pid not in script and first not in script
    assert "id1 = r1.json()['PlaylistActionResult']['Id']" in script

    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={**target.env(), "GROOVE_TARGET": target.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    statuses = [line.split("->")[1].split()[0] for line in done.stdout.splitlines() if "->" in line]
    assert statuses == ["200", "200", "200", "401"], done.stdout


def test_long_lists_are_folded() -> None:
    sent = Sent("collection_add", "POST", "/1/content/music/collection/add", body={"TrackIds": ["a"] * 101})
    script = render([sent], profile="groove-2016", base_url="http://127.0.0.1:1", title="t")
    assert "*['a'] * 101" in script
    compile(script, "replay.py", "exec")
