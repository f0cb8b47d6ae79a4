"""Where does the suite's time go: the embedded emulator (process or thread), a separate one, the floor.

Run: ``python bench/embedded_speed.py`` (about five minutes on two cores; ``--levels quick`` for
one). For each level it prints, from one run, the wall time of ``pytest --pyargs conformance.suite``:

1. embedded, the emulator in a child process of pytest (the default);
2. embedded, the emulator in a thread of the pytest process (``GROOVE_EMBEDDED=thread``, as before
   the child process): suite and server share one interpreter lock;
3. foreign: an emulator started separately (``conformance.emulator.child``) and given as
   ``--target``, with its built-in catalog as ``--catalog`` (so that the same tests run: without
   it the tests needing many catalog IDs skip); it records every request it receives;

then the number of HTTP exchanges of the foreign run and the time a bare ``httpx.Client`` needs to
replay them, in order, one connection, against a fresh emulator started the same way: the floor
(server time plus the least a client can spend), and the ratio suite / floor: what the suite's own
work (pytest, generation, judging, transcripts) adds on top of the HTTP it needs.

Numbers are wall-clock on a shared machine: compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
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


def suite(level: str, profile: str, env: dict[str, str]) -> tuple[float, int, str]:
    """Wall time, exit status and pytest's last line of one suite run."""
    cmd = [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-q", "-p", "no:cacheprovider"]
    cmd += ["--conformance-level", level, "--profile", profile]
    started = time.monotonic()
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    tail = (done.stdout + done.stderr).strip().splitlines()[-1:] or [""]
    return elapsed, done.returncode, tail[0]


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GROOVE_")}


def foreign(level: str, profile: str, record: Path) -> tuple[float, int, str, EmulatorConfig]:
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
        elapsed, rc, line = suite(level, profile, env)
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="groove-2016")
    parser.add_argument("--levels", default="quick,standard")
    args = parser.parse_args()
    print(f"profile {args.profile}; {os.cpu_count()} CPUs; wall-clock seconds")
    for level in args.levels.split(","):
        EFFORTS[level]  # an unknown level fails here, not after minutes
        print(f"\n== level {level}")
        process, rc, line = suite(level, args.profile, clean_env())
        print(f"embedded, own process (default)     {process:7.1f} s  exit {rc}  {line}")
        thread, rc, line = suite(level, args.profile, {**clean_env(), EMBEDDED_MODE_VAR: "thread"})
        print(f"embedded, thread of pytest (before) {thread:7.1f} s  exit {rc}  {line}")
        with tempfile.TemporaryDirectory() as scratch:
            record = Path(scratch) / "requests.jsonl"
            separate, rc, line, config = foreign(level, args.profile, record)
            print(f"foreign, emulator started apart     {separate:7.1f} s  exit {rc}  {line}")
            count, floor = replay(record, config)
        print(f"HTTP exchanges (foreign run)        {count:7d}")
        print(f"raw httpx replay of them (floor)    {floor:7.1f} s  ({count / floor:,.0f} req/s)")
        print(f"ratio thread / process              {thread / process:7.2f}")
        print(f"ratio process / foreign             {process / separate:7.2f}")
        print(f"ratio foreign suite / floor         {separate / floor:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
