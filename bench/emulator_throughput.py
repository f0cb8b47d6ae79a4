"""How fast is the reference emulator, compared with the ceiling of its own server stack?

Run: ``python bench/emulator_throughput.py`` (about a minute on two cores). It prints, from one run:

1. requests per second of the emulator for an add of 100 track IDs, and for a reorder (one Move)
   in a 5,000-track playlist, each next to a bare Starlette endpoint served by the same stack
   (uvicorn in a thread, same settings, same machine, same client, same request body) that reads
   the body and returns a static JSON body of the same size as the emulator's answer; the ratio
   emulator / bare is the share of the stack's ceiling the emulator reaches;
2. how the cost of one reorder grows with the playlist: 500, 5,000 and 50,000 tracks, for random
   moves (median) and for a hot spot (every move lands in the same gap, which forces periodic
   renumbering; mean, so the renumbering is included), with the ratios between sizes (1.0 = flat,
   10.0 = linear in the size).

Numbers are wall-clock on a shared machine: compare the ratios, not the absolute values.
"""

from __future__ import annotations

import argparse
import random
import secrets
import statistics
import time
from collections.abc import Callable

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.emulator import EmulatorConfig, builtin_catalog, start_in_thread
from conformance.emulator.server import serve_in_thread

BASE = "/1/content/music/collection"
SIZES = (500, 5_000, 50_000)


def bare_app(bodies: dict[str, bytes]) -> Starlette:
    """One POST endpoint per name: read the request body, answer the static bytes given."""

    def endpoint(name: str) -> Callable:
        async def handler(request: Request) -> Response:
            await request.body()
            return Response(bodies[name], media_type="application/json; charset=utf-8")

        return handler

    return Starlette(routes=[Route(f"/bare/{n}", endpoint(n), methods=["POST"]) for n in bodies])


def rate(n: int, send: Callable[[int], httpx.Response]) -> float:
    """Requests per second over n sequential requests (after 20 warm-up ones)."""
    for i in range(20):
        send(i)
    start = time.perf_counter()
    for i in range(n):
        r = send(i)
        assert r.status_code == 200, r.text[:200]
    return n / (time.perf_counter() - start)


def build_playlist(client: httpx.Client, size: int, catalog: list[str]) -> tuple[str, list[str]]:
    r = client.post(f"{BASE}/playlists/create", json={"Name": f"bench {size}"})
    pid = r.json()["PlaylistActionResult"]["Id"]
    ids: list[str] = []
    for start in range(0, size, 100):
        batch = [catalog[(start + i) % len(catalog)] for i in range(min(100, size - start))]
        r = client.post(
            f"{BASE}/playlists/update",
            json={"Id": pid, "TrackActions": [{"Id": t, "Action": "Add"} for t in batch]},
        )
        ids += [x["Id"] for x in r.json()["PlaylistActionResult"]["TrackActionResults"]]
    return pid, ids


def reorder_times(client: httpx.Client, pid: str, ids: list[str], n: int, hot: bool) -> float:
    """Seconds per reorder request: the median of random moves, or the mean of hot-spot moves.

    Hot spot: every move lands in the same gap, which forces a renumbering of the whole playlist
    about every 20 moves; the mean includes that amortised cost (a median would hide it).
    """
    rng = random.Random(7)
    times = []
    target = ids[len(ids) // 2]
    for i in range(n):
        if hot:  # move a track right before the previously moved one: the same gap, halved each time
            moved = ids[-1 - (i % (len(ids) // 2))]
        else:
            moved, target = rng.sample(ids, 2)
        start = time.perf_counter()
        r = client.post(
            f"{BASE}/playlists/update",
            json={
                "Id": pid,
                "InsertBeforeTrackId": target,
                "TrackActions": [{"Id": moved, "Action": "Move"}],
            },
        )
        times.append(time.perf_counter() - start)
        assert r.status_code == 200, r.text[:200]
        if hot:
            target = moved
    return statistics.mean(times) if hot else statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per throughput figure")
    parser.add_argument("--moves", type=int, default=150, help="reorders per growth figure")
    args = parser.parse_args()

    catalog = builtin_catalog()
    users = {f"u{i}": secrets.token_urlsafe(16) for i in range(64)}
    em = start_in_thread(EmulatorConfig(users=users))
    clients = {
        name: httpx.Client(base_url=em.url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
        for name, token in users.items()
    }
    main_client = clients["u0"]
    try:
        # --- add of 100 IDs: each request adds a batch not yet in that user's collection -------------
        batches = [catalog[i : i + 100] for i in range(0, len(catalog) - 99, 100)]
        plan = [(f"u{1 + k // len(batches)}", batches[k % len(batches)]) for k in range(args.requests + 20)]
        add_body = {"TrackIds": batches[0]}
        sample = clients["u63"].post(f"{BASE}/add", json=add_body)
        add_bytes = len(sample.content)

        def add(i: int) -> httpx.Response:
            user, batch = plan[i]
            return clients[user].post(f"{BASE}/add", json={"TrackIds": batch})

        emu_add = rate(args.requests, add)

        # --- reorder in a 5,000-track playlist ---------------------------------------------------------
        pid5k, ids5k = build_playlist(main_client, 5_000, catalog)
        rng = random.Random(1)
        moves = [rng.sample(ids5k, 2) for _ in range(args.requests + 20)]

        def move_body(i: int) -> dict:
            moved, target = moves[i]
            return {
                "Id": pid5k,
                "InsertBeforeTrackId": target,
                "TrackActions": [{"Id": moved, "Action": "Move"}],
            }

        reorder_bytes = len(main_client.post(f"{BASE}/playlists/update", json=move_body(0)).content)
        emu_reorder = rate(
            args.requests, lambda i: main_client.post(f"{BASE}/playlists/update", json=move_body(i))
        )

        # --- the bare endpoint on the same stack --------------------------------------------------------
        def static(size: int) -> bytes:
            filler = size - len(b'{"x":""}')
            return b'{"x":"' + b"a" * filler + b'"}'

        app = bare_app({"add": static(add_bytes), "reorder": static(reorder_bytes)})
        bare_url, bare_server, bare_thread, bare_sock = serve_in_thread(app)
        try:
            with httpx.Client(base_url=bare_url, headers={"Authorization": "Bearer x"}, timeout=120) as bare:
                bare_add = rate(
                    args.requests, lambda i: bare.post("/bare/add", json={"TrackIds": plan[i][1]})
                )
                bare_reorder = rate(args.requests, lambda i: bare.post("/bare/reorder", json=move_body(i)))
        finally:
            bare_server.should_exit = True
            bare_thread.join(10)
            bare_sock.close()

        print("Throughput (sequential requests, one client, uvicorn on 127.0.0.1)")
        print(f"{'request':<36}{'emulator req/s':>16}{'bare req/s':>12}{'ratio':>8}{'body bytes':>12}")
        add_ratio = emu_add / bare_add
        print(f"{'add of 100 IDs':<36}{emu_add:>16.0f}{bare_add:>12.0f}{add_ratio:>8.2f}{add_bytes:>12}")
        print(
            f"{'reorder in a 5,000-track playlist':<36}{emu_reorder:>16.0f}{bare_reorder:>12.0f}"
            f"{emu_reorder / bare_reorder:>8.2f}{reorder_bytes:>12}"
        )

        # --- growth of the reorder cost ---------------------------------------------------------------------
        print()
        print(f"Reorder cost by playlist size ({args.moves} requests each)")
        header = ("tracks", "random, median ms", "x previous", "hot spot, mean ms", "x previous")
        print("".join(f"{h:>{w}}" for h, w in zip(header, (8, 19, 12, 19, 12), strict=True)))
        previous: tuple[float, float] | None = None
        built = {5_000: (pid5k, ids5k)}
        for size in SIZES:
            pid, ids = built.get(size) or build_playlist(main_client, size, catalog)
            rnd = reorder_times(main_client, pid, ids, args.moves, hot=False)
            hot = reorder_times(main_client, pid, ids, args.moves, hot=True)
            ratio_r = f"{rnd / previous[0]:.2f}" if previous else "-"
            ratio_h = f"{hot / previous[1]:.2f}" if previous else "-"
            print(f"{size:>8}{rnd * 1000:>19.2f}{ratio_r:>12}{hot * 1000:>19.2f}{ratio_h:>12}")
            previous = (rnd, hot)
        print("(size grows x10 per row: a ratio near 1 means the cost does not grow with the playlist)")
    finally:
        for c in clients.values():
            c.close()
        em.stop()


if __name__ == "__main__":
    main()
