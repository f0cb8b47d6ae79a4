"""Defensive redaction of everything that goes into a report.

The client already redacts its transcripts, but a report is published and a leaked token is
not recoverable, so this layer redacts again, without trusting anything upstream:

* headers whose name is known to carry a credential (``Authorization``, cookies, ...);
* query parameters that carry one (``accessToken`` and friends) and URL user-info;
* option keys that look like a credential (``*token*``, ``*secret*``, ...), dropped outright;
* any literal secret value the caller passes in (the ``--user-token`` and ``--developer-token``
  values), in every string of the report, raw and URL-encoded.

``continuationToken`` is *not* a credential: it is the paging cursor and the repro commands
need it, so query parameters are matched by exact name, not by substring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

REDACTED = "[REDACTED]"

# Header names (lower case) whose whole value is a credential.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-auth-token",
        "x-access-token",
        "x-xbl-contract-token",
    }
)
# Query parameter names (lower case) that carry a credential.
SECRET_QUERY_PARAMS = frozenset(
    {
        "accesstoken",
        "access_token",
        "apikey",
        "api_key",
        "client_secret",
        "password",
        "secret",
        "token",
        "id_token",
        "refresh_token",
        "authorization",
        "auth",
    }
)
# Substrings of option keys (lower case) that mark an option as secret.
SECRET_KEY_PARTS = (
    "token",
    "secret",
    "password",
    "authorization",
    "credential",
    "apikey",
    "api_key",
    "cookie",
)

# "Authorization: <scheme> <credential>" inside free text (error messages, bodies, reprs).
_AUTH_IN_TEXT = re.compile(
    r"(?i)(\b(?:proxy-)?authorization\b['\"]?\s*[:=]\s*['\"]?)"
    r"((?:bearer|basic|xbl3\.0|digest|token)\s+)?([^\s'\",}]+(?:;[^\s'\",}]+)?)"
)
_LOOKS_LIKE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# "accessToken=..." inside free text (URLs quoted in messages).
_QUERY_IN_TEXT = re.compile(
    r"(?i)([?&;\s]|^)(access_?token|api_?key|client_secret|id_token|refresh_token)=([^&#\s'\"]*)"
)


def is_secret_key(key: str) -> bool:
    """True for an option name that looks like it holds a credential."""
    k = key.lower()
    return any(part in k for part in SECRET_KEY_PARTS)


def redact_url(url: str) -> str:
    """``url`` without user-info and with credential query parameters replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return redact_text(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(name.lower() in SECRET_QUERY_PARAMS for name, _ in pairs):
            query = urlencode(
                [(n, REDACTED if n.lower() in SECRET_QUERY_PARAMS else v) for n, v in pairs],
                safe="[]",
            )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_header_value(name: str, value: str) -> str:
    """A header value with its credential replaced; the auth scheme is kept (it is not secret)."""
    if name.lower() not in SECRET_HEADERS and not is_secret_key(name):
        return value
    if name.lower() in ("authorization", "proxy-authorization"):
        scheme, sep, rest = value.partition(" ")
        if sep and rest.strip() and " " not in scheme and len(scheme) <= 16:
            return f"{scheme} {REDACTED}"
        if not value.strip():
            return value  # an empty header is part of what a test sends, and carries nothing
    return REDACTED


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: redact_header_value(name, str(value)) for name, value in headers.items()}


def redact_text(text: str) -> str:
    """Credential-shaped fragments of free text (messages, bodies) replaced."""
    text = _AUTH_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}{REDACTED}", text)
    return _QUERY_IN_TEXT.sub(lambda m: f"{m.group(1)}{m.group(2)}={REDACTED}", text)


def secret_variants(secrets: Iterable[str]) -> list[str]:
    """Every form in which a secret value might appear, longest first.

    An xbox-2013 user token is given as ``USERHASH;TOKEN`` and travels in two parts, and a
    developer token travels URL-encoded as ``Bearer+TOKEN``: each part and encoding is covered.
    """
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        parts = {secret, *[p for p in secret.split(";") if p]}
        for p in parts:
            forms.update({p, quote(p, safe=""), quote_plus(p), quote_plus(f"Bearer {p}")})
    return sorted((f for f in forms if f), key=len, reverse=True)


class Scrubber:
    """Applies every redaction rule to any JSON-like value."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = secret_variants(secrets)

    def literal(self, value: str) -> str:
        """``value`` with every known secret value replaced (and nothing else changed)."""
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def text(self, value: str) -> str:
        return redact_text(self.literal(value))

    def url(self, value: str) -> str:
        return self.text(redact_url(value))

    def headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {self.text(k): self.text(v) for k, v in redact_headers(headers).items()}

    def deep(self, value: Any, *, drop_secret_keys: bool = False) -> Any:
        """Every string inside ``value`` scrubbed; with ``drop_secret_keys``, credential-like keys
        (for options and capabilities, whose keys come from outside) are dropped outright."""
        if isinstance(value, str):
            return self.url(value) if _LOOKS_LIKE_URL.match(value) else self.text(value)
        if isinstance(value, dict):
            return {
                (self.text(k) if isinstance(k, str) else k): self.deep(v, drop_secret_keys=drop_secret_keys)
                for k, v in value.items()
                if not (drop_secret_keys and isinstance(k, str) and is_secret_key(k))
            }
        if isinstance(value, list | tuple):
            return [self.deep(v, drop_secret_keys=drop_secret_keys) for v in value]
        return value
