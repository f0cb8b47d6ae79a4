"""The registry of what a run created, its journal, and ``groove-conformance cleanup``."""

from __future__ import annotations

import argparse

import pytest

from conformance import cleanup
from conformance.cleanup import Journal, Registry, browse_all, read_journal
from conformance.client import Client, ClientConfig, GuardError
from conformance.emulator import EmulatorConfig, start_in_thread
from conformance.profiles import GROOVE_2016

USER = "cleanup-user-token-55aa"
VALID = "music.A83EB907-0100-11DB-89CA-0019B92A3933"


def units(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


def test_names_carry_the_run_prefix_and_exact_lengths():
    reg = Registry("0123abcd")
    first, second = reg.name("pl"), reg.name("pl")
    assert first.startswith("conformance-0123abcd-pl-") and first != second
    assert units(reg.name(length=256)) == 256 and reg.name(length=256).startswith(reg.prefix)
    astral = reg.name(length=256, fill="\U0001f3b5")
    assert units(astral) == 256 and astral.startswith(reg.prefix)
    assert reg.name(length=1) == "x"


@pytest.fixture
def emulator():
    emu = start_in_thread(EmulatorConfig(users={"alice": USER}))
    yield emu
    emu.stop()


def client_for(emu, registry=None) -> Client:
    return Client(ClientConfig(emu.url, GROOVE_2016, secrets=(USER,)), USER, registry=registry)


def test_registry_learns_guards_and_cleans(emulator, tmp_path):
    before = client_for(emulator).playlist_create({"Name": "mine"}).body["PlaylistActionResult"]["Id"]
    journal = Journal(tmp_path / "j.jsonl", target=emulator.url, profile="groove-2016", run_id="0123abcd")
    reg = Registry("0123abcd", journal=journal)
    c = client_for(emulator, reg)
    assert reg.snapshot("user", c)
    with pytest.raises(GuardError, match="existed before this run"):
        c.playlist_delete({"Id": before})
    with pytest.raises(GuardError):
        c.playlist_update({"Id": before.upper(), "Name": "x"})  # playlist IDs are case-insensitive
    made = c.playlist_create({"Name": reg.name()}).body["PlaylistActionResult"]["Id"]
    gone = c.playlist_create({"Name": reg.name()}).body["PlaylistActionResult"]["Id"]
    c.playlist_delete({"Id": gone})
    added = c.collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    assert reg.playlists("user") == [made] and reg.tracks("user") == [added]
    assert {(x.kind, x.id) for x in read_journal(journal.path)} == {("playlist", made), ("track", added)}
    result = reg.cleanup({"user": c})
    assert result.clean and result.removed_playlists == 1 and result.removed_tracks == 1
    assert [p["Id"] for p in browse_all(c, "playlists", "Playlists")] == [before]
    assert browse_all(c, "tracks", "Tracks") == []
    assert not journal.path.exists()


def test_a_track_the_user_already_had_is_never_removed(emulator):
    own = client_for(emulator).collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    reg = Registry("0123abcd")
    c = client_for(emulator, reg)
    reg.snapshot("user", c)
    again = c.collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    assert again == own and reg.tracks("user") == []  # E17: same Id, so not the run's
    reg.cleanup({"user": c})
    assert [t["Id"] for t in browse_all(c, "tracks", "Tracks")] == [own]


def test_without_browse_added_tracks_are_left_and_listed(emulator):
    reg = Registry("0123abcd")  # no snapshot: as against a target without browse
    c = client_for(emulator, reg)
    added = c.collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    result = reg.cleanup({"user": c})
    assert [(kind, i) for _, kind, i, _ in result.left] == [("track", added)] and "unverified" in result.left[
        0
    ][3]
    assert [t["Id"] for t in browse_all(c, "tracks", "Tracks")] == [added]


def test_cleanup_command_removes_what_an_interrupted_run_left(emulator, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GROOVE_STATE_DIR", str(tmp_path))
    for var in ("GROOVE_TARGET", "GROOVE_OTHER_USER_TOKEN", "GROOVE_DEVELOPER_TOKEN", "GROOVE_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GROOVE_USER_TOKEN", USER)
    journal = Journal(
        cleanup.journal_path("feedbeef", "gw0"), target=emulator.url, profile="groove-2016", run_id="feedbeef"
    )
    reg = Registry("feedbeef", journal=journal)
    c = client_for(emulator, reg)
    reg.snapshot("user", c)
    left = c.playlist_create({"Name": reg.name("interrupted")}).body["PlaylistActionResult"]["Id"]
    stray = (
        client_for(emulator)
        .playlist_create({"Name": "conformance-feedbeef-stray"})
        .body["PlaylistActionResult"]["Id"]
    )
    mine = (
        client_for(emulator).playlist_create({"Name": "conformance notes"}).body["PlaylistActionResult"]["Id"]
    )

    parser = argparse.ArgumentParser()
    cleanup.add_arguments(parser)
    assert cleanup.main(parser.parse_args(["--dry-run"])) == 1  # something is listed
    assert left in capsys.readouterr().out
    assert len(browse_all(c, "playlists", "Playlists")) == 3

    status = cleanup.main(parser.parse_args(["--target", emulator.url, "--sweep", "--run", "feedbeef"]))
    out = capsys.readouterr().out
    assert status == 0, out
    assert [p["Id"] for p in browse_all(c, "playlists", "Playlists")] == [mine]
    assert stray in out and USER not in out
    assert not journal.path.exists()
    assert cleanup.main(parser.parse_args([])) == 0
    assert "nothing to clean up" in capsys.readouterr().out
