"""The registry of what a run created, its journal, and ``groove-conformance cleanup``."""

from __future__ import annotations

import argparse

import pytest

from conformance import cleanup_command
from conformance.cleanup import Registry
from conformance.client import Client, ClientConfig, GuardError
from conformance.emulator import EmulatorConfig, start_in_thread
from conformance.journal import Journal, journal_path, read_journal
from conformance.ownership import browse_all
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
    assert [p["Id"] for p in browse_all(c, "playlists")] == [before]
    assert browse_all(c, "tracks") == []
    assert not journal.path.exists()


def test_a_track_the_user_already_had_is_never_removed(emulator):
    own = client_for(emulator).collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    reg = Registry("0123abcd")
    c = client_for(emulator, reg)
    reg.snapshot("user", c)
    again = c.collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    assert again == own and reg.tracks("user") == []  # E17: same Id, so not the run's
    reg.cleanup({"user": c})
    assert [t["Id"] for t in browse_all(c, "tracks")] == [own]


def test_without_browse_added_tracks_are_left_and_listed(emulator):
    reg = Registry("0123abcd")  # no snapshot: as against a target without browse
    c = client_for(emulator, reg)
    added = c.collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    result = reg.cleanup({"user": c})
    assert [(kind, i) for _, kind, i, _ in result.left] == [("track", added)] and "unverified" in result.left[
        0
    ][3]
    assert [t["Id"] for t in browse_all(c, "tracks")] == [added]


def command_env(monkeypatch, tmp_path) -> None:
    """What ``groove-conformance cleanup`` reads: the state directory and the user's token only."""
    monkeypatch.setenv("GROOVE_STATE_DIR", str(tmp_path))
    for var in ("GROOVE_TARGET", "GROOVE_OTHER_USER_TOKEN", "GROOVE_DEVELOPER_TOKEN", "GROOVE_PROFILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GROOVE_USER_TOKEN", USER)


def test_cleanup_command_removes_what_an_interrupted_run_left(emulator, tmp_path, monkeypatch, capsys):
    command_env(monkeypatch, tmp_path)
    journal = Journal(
        journal_path("feedbeef", "gw0"), target=emulator.url, profile="groove-2016", run_id="feedbeef"
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
    cleanup_command.add_arguments(parser)
    assert cleanup_command.main(parser.parse_args(["--dry-run"])) == 1  # something is listed
    assert left in capsys.readouterr().out
    assert len(browse_all(c, "playlists")) == 3

    status = cleanup_command.main(
        parser.parse_args(["--target", emulator.url, "--sweep", "--run", "feedbeef"])
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert [p["Id"] for p in browse_all(c, "playlists")] == [mine]
    assert stray in out and USER not in out
    assert not journal.path.exists()
    assert cleanup_command.main(parser.parse_args([])) == 0
    assert "nothing to clean up" in capsys.readouterr().out


def test_refused_batches_are_retried_in_halves():
    """A target that chokes on one entry (or counts its limit differently) still gets the rest."""
    from types import SimpleNamespace

    from conformance.cleanup import _batched

    ids = [f"id{i}" for i in range(10)]
    ids[6] = "bad"
    sent: list[list[str]] = []

    def send(batch: list[str]) -> SimpleNamespace:
        sent.append(list(batch))
        return SimpleNamespace(status=400 if "bad" in batch or len(batch) > 4 else 200)

    answered = list(_batched(ids, send, limit=10))
    assert sorted(i for batch, _ in answered for i in batch) == sorted(ids)  # each once
    assert [(b, r.status) for b, r in answered if r.status != 200] == [(["bad"], 400)]
    assert len(sent) <= 2 * len(ids)


def test_an_unanswered_add_is_settled_by_adding_again(emulator):
    """The add's answer is lost (here: the registry never sees it); the cleanup adds the pending
    catalog ID again, learns the Id, deletes it, and leaves the user's own track alone."""
    own = client_for(emulator).collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    other = "music.873FB507-0100-11DB-89CA-0019B92A3933"  # documented valid, not the user's
    reg = Registry("0123abcd")
    c = client_for(emulator, reg)
    reg.snapshot("user", c)
    reg.sending("user", "collection_add", {"TrackIds": [VALID, other]})
    client_for(emulator).collection_add([other])  # the add went through; its answer is lost
    assert sorted(reg.pending_adds("user")) == sorted([VALID, other])
    result = reg.cleanup({"user": c})
    assert result.clean and result.removed_tracks == 1, result.left
    assert [t["Id"] for t in browse_all(c, "tracks")] == [own]
    assert reg.pending_adds("user") == []


def test_dry_run_lists_what_the_target_still_has_not_the_journal(emulator, tmp_path, monkeypatch, capsys):
    """A journal outlives its items: dry-run reads the target (browse) and lists only what is still
    there, counting the rest as already gone. Nothing is removed."""
    command_env(monkeypatch, tmp_path)
    journal = Journal(
        journal_path("0ddba11a", "gw0"), target=emulator.url, profile="groove-2016", run_id="0ddba11a"
    )
    reg = Registry("0ddba11a", journal=journal)
    c = client_for(emulator, reg)
    reg.snapshot("user", c)
    made = [
        c.playlist_create({"Name": reg.name("left")}).body["PlaylistActionResult"]["Id"] for _ in range(4)
    ]
    track = c.collection_add([VALID]).body["TrackActionResults"][0]["Id"]
    # Removed behind the journal's back (another process, a person): the journal still lists them.
    outside = client_for(emulator)
    for pid in made[:3]:
        assert outside.playlist_delete({"Id": pid}).status == 200
    assert len(read_journal(journal.path)) == 5

    parser = argparse.ArgumentParser()
    cleanup_command.add_arguments(parser)
    assert cleanup_command.main(parser.parse_args(["--dry-run"])) == 1  # something is still there
    out = capsys.readouterr().out
    assert "5 item(s) in journals; 2 still on the target, 3 already gone" in out, out
    assert made[3] in out and track in out
    assert not any(pid in out for pid in made[:3]), out
    assert USER not in out
    # Nothing was removed, and the journal is kept.
    assert [p["Id"] for p in browse_all(c, "playlists")] == [made[3]]
    assert [t["Id"] for t in browse_all(c, "tracks")] == [track]
    assert journal.path.exists()

    outside.playlist_delete({"Id": made[3]})
    outside.collection_delete([track])
    assert cleanup_command.main(parser.parse_args(["--dry-run"])) == 0
    assert "0 still on the target, 5 already gone" in capsys.readouterr().out
