"""HTTP/1.1 framing the emulator's parser (httptools, ``server.LenientLineEnds``) takes and refuses.

Sent as raw bytes over a socket, since no HTTP client library would send most of them. What a
client may send and the RFCs let a server take is served (a bare LF as line end, RFC 9112 section
2.2, as h11 did before); what the RFCs let a server refuse with a 400 is refused with a 400.
"""

from __future__ import annotations

import re
import selectors
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from conformance.emulator.server import RunningEmulator

from .conftest import make_users, start

PATH = b"/1/content/music/collection/tracks/browse"


@pytest.fixture(scope="module")
def emulator() -> Iterator[tuple[RunningEmulator, str]]:
    users = make_users(1)
    emu = start("groove-2016", users=users)
    try:
        yield emu, next(iter(users.values()))
    finally:
        emu.stop()


def status_of(emu: RunningEmulator | str, raw: bytes) -> int:
    """The status of the answer to ``raw``, sent to an emulator (or a base URL)."""
    url = emu if isinstance(emu, str) else emu.url
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        head = b""
        while b"\r\n" not in head:
            chunk = sock.recv(4096)
            assert chunk, f"the connection closed without an answer to {raw!r}"
            head += chunk
    version, status, _ = head.split(b"\r\n", 1)[0].split(b" ", 2)
    assert version == b"HTTP/1.1"
    return int(status)


def request(token: str, *, end: bytes = b"\r\n", method: bytes = b"GET", extra: bytes = b"") -> bytes:
    lines = [
        method + b" " + PATH + b" HTTP/1.1",
        b"Host: emulator",
        b"Authorization: Bearer " + token.encode(),
    ]
    return end.join(lines) + end + extra + end


def test_crlf_lines_are_served(emulator: tuple[RunningEmulator, str]) -> None:
    emu, token = emulator
    assert status_of(emu, request(token)) == 200


def test_a_bare_lf_ends_a_line_too(emulator: tuple[RunningEmulator, str]) -> None:
    """RFC 9112 section 2.2: a recipient MAY take a single LF as a line terminator."""
    emu, token = emulator
    assert status_of(emu, request(token, end=b"\n")) == 200


def test_the_token_still_decides_with_bare_lf(emulator: tuple[RunningEmulator, str]) -> None:
    emu, _ = emulator
    assert status_of(emu, request("not-a-token", end=b"\n")) == 401


@pytest.mark.parametrize(
    ("raw_extra", "rfc"),
    [
        (b"X-Folded: a\r\n b\r\n", "RFC 9112 5.2: obs-fold may be refused with 400"),
        (b"X-Control: a\x01b\r\n", "RFC 9110 5.5: a control character makes the field value invalid"),
    ],
    ids=["obs-fold", "control-character"],
)
def test_what_the_rfcs_let_a_server_refuse_gets_a_400(
    emulator: tuple[RunningEmulator, str], raw_extra: bytes, rfc: str
) -> None:
    emu, token = emulator
    assert status_of(emu, request(token, extra=raw_extra)) == 400, rfc


def test_a_bare_cr_ends_no_line(emulator: tuple[RunningEmulator, str]) -> None:
    """RFC 9112 section 2.2: a bare CR is invalid (or a space), never a line end."""
    emu, token = emulator
    assert status_of(emu, request(token, end=b"\r")) == 400


def test_a_lower_case_method_is_not_get(emulator: tuple[RunningEmulator, str]) -> None:
    """Methods are case-sensitive (RFC 9110 9.1): ``get`` is no GET, and is not served as one."""
    emu, token = emulator
    assert status_of(emu, request(token, method=b"get")) in (400, 405, 501)


def test_groove_conformance_serve_takes_a_bare_lf_too(tmp_path) -> None:
    """The sandbox real clients use starts its server its own way (``cli.py``): same parser, same
    leniency (``server.uvicorn_config``)."""
    token = "framing-test-token"
    proc = subprocess.Popen(
        [sys.executable, "-m", "conformance.cli", "serve", "--port", "0", "--token", f"u={token}"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as sel:
            sel.register(proc.stdout, selectors.EVENT_READ)
            assert sel.select(timeout=30), "serve printed nothing"
        first = proc.stdout.readline()
        found = re.search(r"listening on (http://\S+)", first)
        assert found, first
        assert status_of(found.group(1), request(token, end=b"\n")) == 200
        assert status_of(found.group(1), request(token)) == 200
    finally:
        proc.terminate()
        proc.wait(30)
