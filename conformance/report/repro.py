"""A copyable ``curl`` command that replays one recorded exchange.

Credentials never appear in it: the user token becomes ``$GROOVE_USER_TOKEN`` (and, in the
``XBL3.0`` form, the user hash ``$GROOVE_USERHASH``), the developer token in ``accessToken``
becomes ``$GROOVE_DEVELOPER_TOKEN``; the reader exports those and pastes the command.  The
authorization *scheme* is kept as sent, so that a repro of "wrong scheme" or "empty token" still
sends the wrong scheme or the empty token.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from conformance.records import Exchange
from conformance.report.redact import SECRET_QUERY_PARAMS, Scrubber

USER_TOKEN = "$GROOVE_USER_TOKEN"
USERHASH = "$GROOVE_USERHASH"
DEVELOPER_TOKEN = "$GROOVE_DEVELOPER_TOKEN"

# Headers curl sets itself or that would only make the replay lie (lengths change with edits).
_SKIP_HEADERS = frozenset({"host", "content-length", "connection", "accept-encoding", "user-agent"})
_XBL = re.compile(r"^XBL3\.0\s+x=", re.IGNORECASE)


def _single_quoted(text: str) -> str:
    """POSIX-shell single quotes: nothing inside expands."""
    return "'" + text.replace("'", "'\\''") + "'"


def _double_quoted(text: str, placeholders: tuple[str, ...]) -> str:
    """POSIX-shell double quotes in which only the given ``$PLACEHOLDER``s expand."""
    escaped = re.sub(r'(["\\`$])', r"\\\1", text)
    for ph in placeholders:
        escaped = escaped.replace("\\" + ph, ph)
    return '"' + escaped + '"'


def authorization_placeholder(value: str) -> str:
    """The Authorization value with its credential replaced by shell placeholders."""
    if not value.strip():
        return value
    if _XBL.match(value):
        return f"XBL3.0 x={USERHASH};{USER_TOKEN}"
    scheme, sep, rest = value.partition(" ")
    if sep and rest.strip():
        return f"{scheme} {USER_TOKEN}"
    if sep:
        return value  # "Bearer " with nothing after it: the empty token is what was sent
    return USER_TOKEN  # a bare value with no scheme is all credential


def _access_token_placeholder(value: str) -> str:
    """The ``accessToken`` value with the developer token replaced (the ``Bearer`` prefix kept)."""
    if not value.strip():
        return value
    scheme, sep, rest = value.partition(" ")
    if sep and rest.strip():
        return f"{scheme} {DEVELOPER_TOKEN}"
    return DEVELOPER_TOKEN


def _url_with_placeholders(url: str) -> str:
    """The URL without user-info, its credential query values replaced by placeholders."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if name.lower() in SECRET_QUERY_PARAMS:
            value = quote_plus(_access_token_placeholder(value), safe="$")
        else:
            value = quote_plus(value)
        query.append(f"{quote_plus(name)}={value}")
    return urlunsplit((parts.scheme, netloc, parts.path, "&".join(query), parts.fragment))


def curl_command(exchange: Exchange, scrubber: Scrubber | None = None) -> str:
    """``curl`` replaying ``exchange``; every credential is a ``$GROOVE_...`` placeholder."""
    scrub = scrubber or Scrubber()
    placeholders = (USER_TOKEN, USERHASH, DEVELOPER_TOKEN)
    url = scrub.literal(_url_with_placeholders(exchange.url))
    args = ["curl", "-sS", "-i", "-X", exchange.method.upper(), _double_quoted(url, placeholders)]
    for name, value in exchange.request_headers.items():
        if name.lower() in _SKIP_HEADERS:
            continue
        if name.lower() in ("authorization", "proxy-authorization"):
            args += ["-H", _double_quoted(f"{name}: {authorization_placeholder(value)}", placeholders)]
        elif name.lower() in ("cookie",):
            continue
        else:
            args += ["-H", _single_quoted(scrub.text(f"{name}: {value}"))]
    if exchange.request_body is not None:
        args += ["--data-binary", _single_quoted(scrub.text(exchange.request_body))]
    return " \\\n  ".join(_join_pairs(args))


def _join_pairs(args: list[str]) -> list[str]:
    """Group ``-H value`` style pairs on one line each, for a readable multi-line command."""
    lines: list[str] = [" ".join(args[:6])]
    i = 6
    while i < len(args):
        lines.append(f"{args[i]} {args[i + 1]}")
        i += 2
    return lines
