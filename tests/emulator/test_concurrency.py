"""Concurrent clients never lose an update.

Eight clients work on ONE playlist of one user at the same time, each adding its own tracks and
reordering them (moves of a client's tracks before another of its tracks, or to the end). Whatever
the interleaving, a move of client A's tracks never changes the relative order of client B's
tracks, and adds append; so each client can predict the order of its own tracks from its own
accepted requests alone. The final playlist must hold exactly every added track once, and each
client's tracks in the order its model predicts.
"""

from __future__ import annotations

import random
import threading

from .conftest import CATALOG, Api
from .test_reorder import model_move

CLIENTS = 8
ADDS_PER_CLIENT = 3  # requests, 4 tracks each
MOVES_PER_CLIENT = 8


def test_eight_clients_add_and_reorder_one_playlist(gapi: Api) -> None:
    pid, _ = gapi.new_playlist()
    barrier = threading.Barrier(CLIENTS)
    models: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def client(index: int) -> None:
        api = Api(gapi.emulator, gapi.user)  # same user, own connection
        rng = random.Random(index)
        mine: list[str] = []
        try:
            barrier.wait()
            tracks = CATALOG[index * 20 : (index + 1) * 20]
            for step in range(ADDS_PER_CLIENT + MOVES_PER_CLIENT):
                if step % 2 == 0 and step // 2 < ADDS_PER_CLIENT or len(mine) < 3:
                    batch = tracks[len(mine) : len(mine) + 4]
                    r = api.update({"Id": pid, "TrackActions": [{"Id": t, "Action": "Add"} for t in batch]})
                    assert r.status_code == 200, r.text
                    mine += [x["Id"] for x in r.json()["PlaylistActionResult"]["TrackActionResults"]]
                    continue
                moved = rng.sample(mine, rng.randint(1, 3))
                rest = [t for t in mine if t not in moved]
                before = rng.choice(rest + [None])
                r = api.move(pid, moved, before)
                assert r.status_code == 200, r.text
                mine = model_move(mine, moved, before)
            models[index] = mine
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            api.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    final = gapi.order(pid)
    everything = [t for m in models.values() for t in m]
    assert sorted(final) == sorted(everything) and len(set(final)) == len(final)
    for mine in models.values():
        assert [t for t in final if t in set(mine)] == mine
    item = gapi.browse("playlists").json()["Playlists"]["Items"][0]
    assert item["TrackCount"] == len(everything)


def test_concurrent_adds_of_the_same_tracks_to_a_collection(gapi: Api) -> None:
    """Every client adds the same 20 tracks: each ends up once, with one collection Id for all."""
    barrier = threading.Barrier(CLIENTS)
    seen: list[dict[str, str]] = []
    errors: list[BaseException] = []

    def client() -> None:
        api = Api(gapi.emulator, gapi.user)
        try:
            barrier.wait()
            for chunk in (CATALOG[:10], CATALOG[10:20]):
                r = api.add(chunk)
                assert r.status_code == 200 and "Error" not in r.json(), r.text
                seen.append({x["InputId"]: x["Id"] for x in r.json()["TrackActionResults"]})
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            api.close()

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    ids: dict[str, set[str]] = {}
    for mapping in seen:
        for track, coll in mapping.items():
            ids.setdefault(track, set()).add(coll)
    assert all(len(v) == 1 for v in ids.values()) and len(ids) == 20
    assert sorted(gapi.collection()) == sorted(next(iter(v)) for v in ids.values())
