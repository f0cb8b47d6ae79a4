"""Where does the suite's time go: embedded -n 1 and -n 2, a separate emulator, and the floor.

Run: ``python bench/embedded_speed.py`` (a few minutes on two cores; ``--levels quick`` for one;
``--repo DIR`` measures the suite of another checkout, e.g. a worktree of an older commit, for a
before/after table). For each level it prints, from one run, the wall time of
``pytest --pyargs conformance.suite``:

1. embedded, the emulator in a child process of pytest (the default), one pytest process;
2. embedded under pytest-xdist ``-n 2`` (each worker its own emulator, records merged);
3. with ``--thread``: embedded, the emulator in a thread of the pytest process
   (``GROOVE_EMBEDDED=thread``, as before the child process): suite and server share one lock;
4. foreign: an emulator started separately (``conformance.emulator.child``) and given as
   ``--target``, with its built-in catalog as ``--catalog`` (so that the same tests run: without
   it the tests needing many catalog IDs skip); it records every request it receives;

in that foreign run, the CPU seconds of each side (the pytest process, from its rusage; the
emulator's process, from ``/proc``, Linux only), per exchange: what each side costs, and what the
wall time holds beyond both (waiting to be scheduled on a shared machine); then the number of HTTP
exchanges of the foreign run and the time a bare ``httpx.Client`` needs to
replay them, in order, one connection, against a fresh emulator started the same way: the floor
(server time plus the least a client can spend), and the ratios suite / floor (what the suite's own
work — pytest, generation, judging, transcripts — adds on top of the HTTP it needs) and -n 1 / -n 2.
At the end the figures as a Markdown table (the README's performance section). Exit 1 when any run
failed: the time of a failing run means nothing.

Numbers are wall-clock on a shared machine: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from conformance.emulator import EmulatorConfig, builtin_catalog, start_in_process
from conformance.emulator.child import SECRET_MARK, secrets_of
from conformance.plugin import EFFORTS, EMBEDDED_MODE_VAR

REPO = Path(__file__).resolve().parents[1]
# Not sent again: httpx writes its own framing for the body it is given.
FRAMING = {"host", "content-length", "transfer-encoding", "connection"}


def config_for(profile: str) -> EmulatorConfig:
    users = {"user": secrets.token_urlsafe(24), "other": secrets.token_urlsafe(24)}
    return EmulatorConfig(profile=profile, users=users)


def suite(level: str, profile: str, env: dict[str, str], workers: int = 0) -> tuple[float, int, str]:
    """Wall time, exit status and pytest's last line of one suite run (``workers``: xdist's -n)."""
    cmd = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-q", "-p", "no:cacheprovider"]
    cmd += ["--conformance-level", level, "--profile", profile]
    if workers:
        cmd += ["-n", str(workers)]
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return elapsed, done.returncode, tail[0]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}


def process_cpu(pid: int) -> float | None:
    """CPU seconds (user + system) a live process has used so far; None off Linux."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def foreign(
    level: str, profile: str, record: Path, cpu: dict[str, float | None]
) -> tuple[float, int, str, EmulatorConfig]:
    """The suite against a separately started emulator; ``cpu`` gets each side's CPU seconds."""
    config = config_for(profile)
    env = clean_env()
    catalog = record.with_name("catalog.txt")
    catalog.write_text("\n".join(builtin_catalog()) + "\n", encoding="utf-8")
    env["GROOVE_CATALOG"] = str(catalog)
    with start_in_process(config, record=str(record)) as emulator:
        env["GROOVE_TARGET"] = emulator.url
        env["GROOVE_USER_TOKEN"] = config.users["user"]
        env["GROOVE_OTHER_USER_TOKEN"] = config.users["other"]
        if config.developer_token:
            env["GROOVE_DEVELOPER_TOKEN"] = config.developer_token
        server_before, suite_before = process_cpu(emulator.pid), children_cpu()
        elapsed, rc, line = suite(level, profile, env)
        server_after = process_cpu(emulator.pid)
        cpu["suite"] = children_cpu() - suite_before
        cpu["emulator"] = (
            None if server_after is None or server_before is None else server_after - server_before
        )
    return elapsed, rc, line, config


def replay(record: Path, config: EmulatorConfig) -> tuple[int, float]:
    """Send the recorded requests again with a bare client to a fresh emulator; (count, seconds)."""
    secret_values = secrets_of(config)
    requests = []
    for line in record.read_text(encoding="utf-8").splitlines():
        for i, secret in enumerate(secret_values):
            line = line.replace(SECRET_MARK.format(i), secret)
        x = json.loads(line)
        headers = [(k, v) for k, v in x["headers"] if k.lower() not in FRAMING]
        query = f"?{x['query']}" if x["query"] else ""
        body = x.get("body")
        requests.append((x["method"], x["path"] + query, headers, body.encode() if body else None))
    with start_in_process(config) as emulator, httpx.Client(base_url=emulator.url) as http:
        started = time.monotonic()
        for method, target, headers, body in requests:
            http.request(method, target, headers=headers, content=body).read()
        return len(requests), time.monotonic() - started


@dataclass
class Level:
    """One level's figures (seconds unless said)."""

    name: str
    process: float = 0.0
    two_workers: float = 0.0
    thread: float | None = None
    foreign: float = 0.0
    exchanges: int = 0
    floor: float = 0.0
    cpu: dict[str, float | None] = field(default_factory=dict)  # "suite", "emulator": CPU seconds
    exits: list[int] = field(default_factory=list)


def measure(level: str, profile: str, thread: bool) -> Level:
    EFFORTS[level]  # an unknown level fails here, not after minutes
    out = Level(level)
    print(f"\n== level {level}", flush=True)
    out.process, rc, line = suite(level, profile, clean_env())
    out.exits.append(rc)
    print(f"embedded, own process, -n 1         {out.process:7.1f} s  exit {rc}  {line}", flush=True)
    out.two_workers, rc, line = suite(level, profile, clean_env(), workers=2)
    out.exits.append(rc)
    print(f"embedded, -n 2 (an emulator each)   {out.two_workers:7.1f} s  exit {rc}  {line}", flush=True)
    if thread:
        out.thread, rc, line = suite(level, profile, {**clean_env(), EMBEDDED_MODE_VAR: "thread"})
        out.exits.append(rc)
        print(f"embedded, thread of pytest (before) {out.thread:7.1f} s  exit {rc}  {line}", flush=True)
    with tempfile.TemporaryDirectory() as scratch:
        record = Path(scratch) / "requests.jsonl"
        out.foreign, rc, line, config = foreign(level, profile, record, out.cpu)
        out.exits.append(rc)
        print(f"foreign, emulator started apart     {out.foreign:7.1f} s  exit {rc}  {line}", flush=True)
        out.exchanges, out.floor = replay(record, config)
    print(f"HTTP exchanges (foreign run)        {out.exchanges:7d}")
    print(f"raw httpx replay of them (floor)    {out.floor:7.1f} s  ({out.exchanges / out.floor:,.0f} req/s)")
    print(f"ratio foreign suite / floor         {out.foreign / out.floor:7.2f}")
    per = 1000 / max(out.exchanges, 1)
    for side in ("suite", "emulator"):
        used = out.cpu.get(side)
        if used is not None:
            print(f"CPU of the {side:<9} (foreign run) {used:7.1f} s  ({used * per:.2f} ms per exchange)")
    print(f"wall per exchange (foreign run)     {out.foreign * per:7.2f} ms")
    print(f"ratio -n 1 / -n 2                   {out.process / out.two_workers:7.2f}")
    return out


def table(levels: list[Level]) -> str:
    """The figures as the README's performance table rows (Markdown)."""
    head = (
        "| level | embedded, `-n 1` | embedded, `-n 2` | out of process (`--target`) | exchanges "
        "| raw replay (floor) | suite / floor | `-n 1` / `-n 2` | CPU per exchange, suite / emulator |"
    )
    rows = [head, "|---|---|---|---|---|---|---|---|---|"]
    for x in levels:
        per = 1000 / max(x.exchanges, 1)
        cpu = " / ".join(
            "?" if x.cpu.get(k) is None else f"{x.cpu[k] * per:.2f}" for k in ("suite", "emulator")
        )
        rows.append(
            f"| {x.name} | {x.process:.1f} s | {x.two_workers:.1f} s | {x.foreign:.1f} s | {x.exchanges:,} "
            f"| {x.floor:.1f} s | {x.foreign / x.floor:.2f} | {x.process / x.two_workers:.2f} | {cpu} ms |"
        )
    return "\n".join(rows)


def main() -> int:
    global REPO
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="groove-2016")
    parser.add_argument("--levels", default="quick,standard")
    parser.add_argument("--thread", action="store_true", help="also the emulator in a thread of pytest")
    parser.add_argument(
        "--repo", type=Path, default=REPO, help="the checkout whose suite runs (e.g. an old worktree)"
    )
    args = parser.parse_args()
    REPO = args.repo.resolve()
    print(f"profile {args.profile}; {os.cpu_count()} CPUs; suite of {REPO}; wall-clock seconds")
    levels = [measure(level, args.profile, args.thread) for level in args.levels.split(",")]
    print()
    print(table(levels))
    return 0 if all(rc == 0 for x in levels for rc in x.exits) else 1


if __name__ == "__main__":
    sys.exit(main())
