"""The built-in catalog, ``--catalog``, configuration checks and the ``serve`` command line."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.catalog_ids import DOCUMENT_INVALID_TRACK_IDS, DOCUMENT_VALID_TRACK_IDS
from conformance.emulator import FAULTS, EmulatorConfig, builtin_catalog
from conformance.emulator import cli as serve_cli
from conformance.emulator.catalog import load_catalog_file
from conformance.ids import canonical

from .conftest import Api, start

GUID_ID = re.compile(r"^music\.[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")


def test_builtin_catalog_is_deterministic_and_large() -> None:
    ids = builtin_catalog()
    assert ids == builtin_catalog()
    assert list(DOCUMENT_VALID_TRACK_IDS) == ids[: len(DOCUMENT_VALID_TRACK_IDS)]
    assert len(set(ids)) == len(ids) >= 1000 + len(DOCUMENT_VALID_TRACK_IDS)
    assert all(GUID_ID.match(i) for i in ids)
    assert not {canonical(i) for i in DOCUMENT_INVALID_TRACK_IDS} & set(ids)


def test_catalog_file_replaces_the_builtin_one(tmp_path: Path) -> None:
    path = tmp_path / "catalog.txt"
    path.write_text("# my catalog\nmusic.11111111-2222-3333-4444-555555555555\n\nmusic.custom-id\n")
    ids = load_catalog_file(path)
    assert ids == ["music.11111111-2222-3333-4444-555555555555", "music.custom-id"]
    em = start(catalog=ids)
    try:
        api = Api(em, next(iter(em.config.users)))
        results = api.add(
            ["music.11111111-2222-3333-4444-555555555555".lower(), "music.custom-id", builtin_catalog()[0]]
        ).json()["TrackActionResults"]
        assert ["Error" in r for r in results] == [False, False, True]
        assert results[0]["InputId"] == "music.11111111-2222-3333-4444-555555555555"
        api.close()
    finally:
        em.stop()
    (tmp_path / "empty.txt").write_text("# nothing\n")
    with pytest.raises(ValueError):
        load_catalog_file(tmp_path / "empty.txt")


def test_config_checks() -> None:
    with pytest.raises(ValueError):
        EmulatorConfig(profile="nope")
    with pytest.raises(ValueError):
        EmulatorConfig(fault="nope")
    with pytest.raises(ValueError):
        EmulatorConfig(users={})
    assert EmulatorConfig(profile="xbox-2013").developer_token
    assert EmulatorConfig().developer_token is None
    assert set(EmulatorConfig().users) == {"alice", "bob"}


def test_start_and_stop_leave_no_temporary_database() -> None:
    em = start()
    path = em.app.state.emulator.store.path
    assert Path(path).exists()
    em.stop()
    assert not Path(path).exists() and not Path(path).parent.exists()


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve_cli.add_arguments(parser)
    return parser.parse_args(argv)


def test_list_faults(capsys: pytest.CaptureFixture[str]) -> None:
    assert serve_cli.main(parse(["--list-faults"])) == 0
    out = capsys.readouterr().out
    for fault in FAULTS.values():
        assert fault.name in out and fault.breaks[0] in out


def test_bad_arguments() -> None:
    assert serve_cli.main(parse(["--token", "no-equals-sign"])) == 2
    assert serve_cli.main(parse(["--token", "a=1", "--token", "a=2"])) == 2
    with pytest.raises(SystemExit):
        parse(["--fault", "no-such-fault"])
    with pytest.raises(SystemExit):
        parse(["--profile", "no-such-profile"])


def test_entry_point_dispatches_to_serve() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "conformance.cli", "serve", "--list-faults"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0 and "reorder-ignored" in r.stdout
