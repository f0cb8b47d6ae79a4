"""A user's mistake is a usage error: one line naming it on stderr, exit status 4, nothing run.

Exit status 1 means only "the server does not conform"; these mistakes used to produce hundreds
of failed requirements instead. Each case is a real run in a subprocess (``pytest`` and
``groove-conformance run``), with a fresh ``--report-dir``: nothing ran, so no report is written
and no test outcome is counted. The other direction is proved too: the start-up probe's
"not a Groove API" stop never fires on the reference emulator with any of its faults or variants
(servers that are Groove APIs, right or wrong, must get verdicts).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from conformance.catalog_ids import DOCUMENT_VALID_TRACK_IDS
from conformance.client import Client, ClientConfig
from conformance.emulator import EmulatorConfig, start_in_thread
from conformance.emulator.faults import FAULTS
from conformance.emulator.server import serve_in_thread
from conformance.emulator.variants import VARIANTS
from conformance.plugin import EXIT_USAGE_ERROR, StartError, probe
from conformance.profiles import PROFILES, get_profile

USER = "usage-user-token-3c9f1e"
OTHER = "usage-other-token-8a7d20"
RUN_TIMEOUT_S = 120
COUNTS = re.compile(r"\d+ (passed|failed|errors?|xfailed)\b")


def cli() -> list[str]:
    script = Path(sys.executable).with_name("groove-conformance")
    return [str(script)] if script.exists() else [sys.executable, "-m", "conformance.cli"]


def pytest_suite() -> list[str]:
    return [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-p", "no:cacheprovider", "-q"]


ENTRY_POINTS = {"pytest": pytest_suite, "groove-conformance run": lambda: [*cli(), "run"]}


def run(entry: str, tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GROOVE_", "PYTEST_ADDOPTS"))}
    environ.update(GROOVE_STATE_DIR=str(tmp_path / "state"), **env)
    argv = [*ENTRY_POINTS[entry](), "--report-dir", str(tmp_path / "report"), "--conformance-level", "quick"]
    return subprocess.run(
        [*argv, *args], cwd=tmp_path, env=environ, capture_output=True, text=True, timeout=RUN_TIMEOUT_S
    )


def assert_usage_error(proc: subprocess.CompletedProcess[str], tmp_path: Path, *naming: str) -> str:
    """Exit 4, one line on stderr naming the mistake, nothing run, no report, no credential shown."""
    output = proc.stdout + proc.stderr
    assert proc.returncode == EXIT_USAGE_ERROR, output[-3000:]
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    for text in naming:
        assert text in lines[0], lines[0]
    assert not COUNTS.search(proc.stdout), proc.stdout[-3000:]  # no test outcome at all
    assert not (tmp_path / "report" / "report.json").exists()
    assert "Traceback" not in output and USER not in output and OTHER not in output
    return lines[0]


# --- a target that is not a Groove API --------------------------------------------------------
class _Html200(http.server.BaseHTTPRequestHandler):
    """Some other web application: 200 and an HTML page for every method and path."""

    def _page(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b"<!doctype html><html><body>Welcome to my site</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _page

    def log_message(self, *args: object) -> None:
        pass


class _FileServer(http.server.SimpleHTTPRequestHandler):
    """``python -m http.server``: 404 HTML for what it lacks, 501 for a POST."""

    def log_message(self, *args: object) -> None:
        pass


async def _not_found(request: Request) -> HTMLResponse:
    return HTMLResponse("<html><body>Not what you are looking for</body></html>", status_code=404)


@pytest.fixture(params=["python -m http.server", "a site answering 200 HTML", "a Starlette app, 404 HTML"])
def foreign_target(request, tmp_path) -> Iterator[str]:
    if request.param.startswith("a Starlette app"):
        app = Starlette(routes=[Route("/{p:path}", _not_found, methods=["GET", "POST"])])
        url, server, thread, sock = serve_in_thread(app)  # returns once it accepts connections
        try:
            yield url.rstrip("/")
        finally:
            server.should_exit = True
            thread.join(10)
            sock.close()
        return
    (tmp_path / "site").mkdir()
    handler = (
        functools.partial(_FileServer, directory=str(tmp_path / "site"))
        if request.param == "python -m http.server"
        else _Html200
    )
    # Bound and listening before serve_forever starts: connections queue, nothing to wait for.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_target_that_is_not_a_groove_api(foreign_target, tmp_path):
    proc = run("pytest", tmp_path, "--target", foreign_target, GROOVE_USER_TOKEN=USER)
    line = assert_usage_error(proc, tmp_path, "cannot run the suite", foreign_target)
    assert "Groove API" in line or "does not serve the collection API" in line
    assert "root URL" in line


def test_a_target_that_is_not_a_groove_api_through_groove_conformance_run(tmp_path):
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Html200) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        target = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            proc = run("groove-conformance run", tmp_path, "--target", target, GROOVE_USER_TOKEN=USER)
        finally:
            server.shutdown()
    assert_usage_error(proc, tmp_path, "cannot run the suite", f"{target} does not answer like a Groove API")


@pytest.mark.parametrize("profile_name", PROFILES)
def test_the_probe_takes_every_emulator_fault_and_variant_for_a_groove_api(profile_name):
    """No false "not a Groove API": every fault and every variant of the reference emulator passes
    the probe's foreign-target rule (a fault may still fail the token check: not this rule)."""
    profile = get_profile(profile_name)
    cases = [{"fault": f} for f in FAULTS] + [
        {"variants": (v,)} for v, spec in VARIANTS.items() if profile_name in spec.profiles
    ]

    def stopped_by_the_rule(case: dict) -> str | None:
        emulator = start_in_thread(
            EmulatorConfig(profile=profile_name, users={"u": USER}, developer_token=OTHER, **case)
        )
        client = Client(ClientConfig(emulator.url.rstrip("/"), profile, developer_token=OTHER), USER)
        try:
            probe(client)
        except StartError as exc:
            if "Groove API" in str(exc) or "does not serve" in str(exc):
                return str(exc)
        finally:
            client.close()
            emulator.stop()
        return None

    # Several at once: most of each case is the server's start and stop, waiting, not working.
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(stopped_by_the_rule, cases))
    stopped = [(case, why) for case, why in zip(cases, outcomes, strict=True) if why is not None]
    assert len(outcomes) == len(cases)
    assert not stopped, stopped


# --- options whose values are mistakes --------------------------------------------------------
@pytest.mark.parametrize(
    ("entry", "path"),
    [
        ("pytest", "/1/content/music"),
        ("pytest", "/groove/1/content/music/"),
        ("groove-conformance run", "/1/content/music/collection/add"),
    ],
)
def test_a_target_with_the_api_path(entry, path, tmp_path):
    proc = run(entry, tmp_path, "--target", f"http://127.0.0.1:9{path}", GROOVE_USER_TOKEN=USER)
    root = "http://127.0.0.1:9" + path.split("/1/content")[0]
    assert_usage_error(proc, tmp_path, "give the server's root URL", f"({root})")


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_one_token_for_both_users(entry, tmp_path):
    proc = run(entry, tmp_path, GROOVE_USER_TOKEN=USER, GROOVE_OTHER_USER_TOKEN=USER)
    assert_usage_error(proc, tmp_path, "the two users are one account")


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_catalog_line_that_is_not_a_track_id(entry, tmp_path):
    catalog = tmp_path / "ids.csv"
    catalog.write_text(f"# exported\n{DOCUMENT_VALID_TRACK_IDS[0]}\n\nTrackId,Title\n")
    proc = run(entry, tmp_path, "--catalog", str(catalog))
    assert_usage_error(proc, tmp_path, f"{catalog}:4: TrackId,Title: not a catalog track ID")


@pytest.mark.parametrize(
    ("entry", "args"),
    [
        # argparse's own choices in groove-conformance run (exit 2 before), Settings in the plugin
        ("groove-conformance run", ("--profile", "groove-2015")),
        ("pytest", ("--profile", "groove-2015")),
        ("groove-conformance run", ("--conformance-level", "exhaustive")),
        ("pytest", ("--conformance-level", "exhaustive")),
        # passed on by groove-conformance run, judged by the plugin
        ("groove-conformance run", ("--request-timeout", "soon")),
        ("pytest", ("--target", "ftp://127.0.0.1")),
        ("pytest", ("--catalog", "no-such-file.txt")),
    ],
)
def test_bad_option_values(entry, args, tmp_path):
    assert_usage_error(run(entry, tmp_path, *args), tmp_path, args[0], args[1])


def test_an_unknown_option_of_groove_conformance_run(tmp_path):
    proc = subprocess.run([*cli(), "run", "--catalogue", "x"], capture_output=True, text=True, cwd=tmp_path)
    line = assert_usage_error(proc, tmp_path, "unrecognized arguments: --catalogue")
    assert "--help" in line


def test_version(tmp_path):
    from conformance import __version__

    proc = subprocess.run([*cli(), "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stdout.strip() == f"groove-conformance {__version__}"
