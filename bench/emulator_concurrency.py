"""The reference emulator under 8 concurrent clients, next to the ceiling of its bare stack.

Run: ``python bench/emulator_concurrency.py`` (about 20-60 s). The servers run in this process
(uvicorn in a thread, as the suite's embedded target does); the 8 clients run as 8 threads of a
*child* process, so that they do not share the server's interpreter lock. Each client is one user
with its own connection; it alternates an add of 3 IDs and a browse of 5 tracks. The same load then
goes to a bare Starlette endpoint on the same stack (``serve_in_thread``, same settings) that reads
the body and answers static bytes of the emulator's answer size. Printed from one run: requests per
second, median and p99 latency of each, and the ratios emulator / bare (throughput: share of the
ceiling reached; p99: how many times slower the slow tail is).
"""

from __future__ import annotations

import argparse
import multiprocessing
import secrets
import statistics
import threading
import time

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance.emulator import EmulatorConfig, builtin_catalog, start_in_thread
from conformance.emulator.server import serve_in_thread

CLIENTS = 8
BASE = "/1/content/music/collection"


def bare_app(add_body: bytes, browse_body: bytes) -> Starlette:
    """The same two routes, answering static bytes: what the stack costs with no emulator behind it."""

    async def add(request: Request) -> Response:
        await request.body()
        return Response(add_body, media_type="application/json; charset=utf-8")

    async def browse(request: Request) -> Response:
        return Response(browse_body, media_type="application/json; charset=utf-8")

    return Starlette(
        routes=[Route(f"{BASE}/add", add, methods=["POST"]), Route(f"{BASE}/tracks/browse", browse)]
    )


def client_loop(
    url: str, token: str, ids: list[str], n: int, out: list[float], barrier: threading.Barrier
) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as c:
        for _ in range(5):  # warm-up: connection open, first requests
            c.post(f"{BASE}/add", json={"TrackIds": ids})
            c.get(f"{BASE}/tracks/browse", params={"maxItems": 5})
        barrier.wait()
        for i in range(n):
            start = time.perf_counter()
            if i % 2:
                r = c.post(f"{BASE}/add", json={"TrackIds": ids})
            else:
                r = c.get(f"{BASE}/tracks/browse", params={"maxItems": 5})
            out.append(time.perf_counter() - start)
            if r.status_code != 200:
                raise RuntimeError(f"HTTP {r.status_code}: {r.text[:200]}")


def load(url: str, tokens: list[str], ids: list[str], n: int) -> tuple[float, list[float]]:
    """Run in the child process: 8 client threads; returns (wall seconds, every latency)."""
    latencies: list[list[float]] = [[] for _ in tokens]
    barrier = threading.Barrier(len(tokens) + 1)
    threads = [
        threading.Thread(target=client_loop, args=(url, t, ids, n, latencies[k], barrier))
        for k, t in enumerate(tokens)
    ]
    for t in threads:
        t.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    return time.perf_counter() - start, [x for per in latencies for x in per]


def figures(wall: float, latencies: list[float]) -> tuple[float, float, float]:
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return len(ordered) / wall, statistics.median(ordered) * 1000, p99 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=250, help="requests per client")
    args = parser.parse_args()

    tokens = [secrets.token_urlsafe(16) for _ in range(CLIENTS)]
    ids = builtin_catalog()[:3]
    em = start_in_thread(EmulatorConfig(users={f"u{k}": t for k, t in enumerate(tokens)}))
    ctx = multiprocessing.get_context("spawn")
    try:
        with httpx.Client(base_url=em.url, headers={"Authorization": f"Bearer {tokens[0]}"}) as probe:
            add_bytes = probe.post(f"{BASE}/add", json={"TrackIds": ids}).content
            browse_bytes = probe.get(f"{BASE}/tracks/browse", params={"maxItems": 5}).content
        with ctx.Pool(1) as pool:
            emu = figures(*pool.apply(load, (em.url, tokens, ids, args.requests)))
            url, server, thread, sock = serve_in_thread(bare_app(add_bytes, browse_bytes))
            try:
                bare = figures(*pool.apply(load, (url, tokens, ids, args.requests)))
            finally:
                server.should_exit = True
                thread.join(10)
                sock.close()
    finally:
        em.stop()

    print(
        f"{CLIENTS} concurrent clients, {args.requests} requests each "
        "(add of 3 IDs / browse of 5, alternating)"
    )
    print(f"{'server':<14}{'req/s':>10}{'median ms':>12}{'p99 ms':>10}")
    print(f"{'emulator':<14}{emu[0]:>10.0f}{emu[1]:>12.2f}{emu[2]:>10.2f}")
    print(f"{'bare stack':<14}{bare[0]:>10.0f}{bare[1]:>12.2f}{bare[2]:>10.2f}")
    print(f"ratio emulator/bare: throughput {emu[0] / bare[0]:.2f}, p99 latency {emu[2] / bare[2]:.2f}x")


if __name__ == "__main__":
    main()
