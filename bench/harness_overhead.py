"""What does the harness's client cost per request, compared with a raw httpx loop?

Run: ``python bench/harness_overhead.py`` (about 10-30 s). It prints, from one run, the requests per
second of ``conformance.client.Client`` (auth per profile, decoding, schema-free body parsing,
redaction, a transcript entry per exchange, the response-size and deadline guards) and of a bare
``httpx.Client`` loop sending the *same* requests (method, URL, headers, body bytes: taken from the
harness's own transcript) to the same emulator, alternating the two in rounds so that the noise
of a shared machine falls on both. The ratio harness / raw is the share of raw speed the harness
keeps; 1.0 would be free.
"""

from __future__ import annotations

import argparse
import secrets
import time
from collections.abc import Callable

import httpx

from conformance.client import Client, ClientConfig
from conformance.emulator import EmulatorConfig, builtin_catalog, start_in_thread
from conformance.profiles import GROOVE_2016

ROUNDS = 5


def timed(n: int, send: Callable[[int], int]) -> float:
    """Seconds for n sequential requests."""
    start = time.perf_counter()
    for i in range(n):
        status = send(i)
        assert status == 200, status
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per round and per side")
    args = parser.parse_args()

    token = secrets.token_urlsafe(16)
    catalog = builtin_catalog()
    em = start_in_thread(EmulatorConfig(users={"user": token}))
    http = httpx.Client()
    try:
        transcript: list = []
        config = ClientConfig(base_url=em.url, profile=GROOVE_2016, secrets=(token,))
        harness = Client(config, token, http=http, transcript=transcript)
        ids = catalog[:3]
        # The two kinds of request the suite sends most: a small write and a read.
        calls = [
            lambda: harness.collection_add(ids),
            lambda: harness.collection_browse("tracks", max_items=5),
        ]

        def harness_send(i: int) -> int:
            transcript.clear()  # the suite keeps one transcript per test; so does this loop
            return calls[i % 2]().status

        # The same requests, as the harness sent them (headers from httpx, the token put back).
        raw_requests = []
        for i in range(2):
            harness_send(i)
            x = transcript[-1]
            headers = {k: (f"Bearer {token}" if k.lower() == "authorization" else v)
                       for k, v in x.request_headers.items()}  # fmt: skip
            body = x.request_body.encode() if x.request_body else None
            raw_requests.append((x.method, x.url, headers, body))

        def raw_send(i: int) -> int:
            method, url, headers, body = raw_requests[i % 2]
            r = http.request(method, url, headers=headers, content=body)
            r.read()
            return r.status_code

        for i in range(40):  # warm-up of both paths
            harness_send(i)
            raw_send(i)
        t_harness = t_raw = 0.0
        for _ in range(ROUNDS):
            t_harness += timed(args.requests, harness_send)
            t_raw += timed(args.requests, raw_send)
        n = args.requests * ROUNDS
        h_rate, r_rate = n / t_harness, n / t_raw
        per_request_us = (t_harness - t_raw) / n * 1e6
        print("Harness client vs raw httpx, same requests (add of 3 IDs / browse of 5), same emulator")
        print(f"{'side':<22}{'requests':>10}{'req/s':>10}")
        print(f"{'harness Client':<22}{n:>10}{h_rate:>10.0f}")
        print(f"{'raw httpx loop':<22}{n:>10}{r_rate:>10.0f}")
        print(f"ratio harness/raw: {h_rate / r_rate:.2f}  (overhead {per_request_us:.0f} us per request)")
    finally:
        http.close()
        em.stop()


if __name__ == "__main__":
    main()
