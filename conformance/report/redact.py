"""The one place credentials are scrubbed: the client's transcripts and every report use it.

What is a credential, and nothing else:

* the values the run was given (``--user-token``, ``--other-user-token``, ``--developer-token``),
  wherever they appear, raw, in their parts (an xbox-2013 ``USERHASH;TOKEN``) and URL-encoded;
* the values of credential-carrying headers (``Authorization``, cookies, ...) and query parameters
  (``accessToken`` and friends) of recorded exchanges, and a URL's user-info: replaced where they
  stand, and (``Scrubber.learn``) wherever else the same value turns up, such as a message that
  quotes the header it sent;
* option keys that look like a credential (``*token*``, ``*secret*``, ...), dropped outright.

Text is never rewritten for its shape: the catalogue says ``Authorization: Bearer {token}`` and
quotes the documents, and that is not a secret. ``continuationToken`` is not a credential either:
it is the paging cursor and the repro commands need it, so query parameters are matched by exact
name, not by substring.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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

_LOOKS_LIKE_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# A given secret part shorter than this is not looked for in text (it would blank ordinary words).
MIN_SECRET = 4
# A value learnt from a transcript must be longer: tests send short made-up credentials
# ("Bearer x", "invalid") that are no one's, and blanking those everywhere would garble the text.
MIN_LEARNT = 8
_VALUE_PARTS = re.compile(r"[;,=\s]+")


def is_secret_key(key: str) -> bool:
    """True for an option name that looks like it holds a credential."""
    k = key.lower()
    return any(part in k for part in SECRET_KEY_PARTS)


def redact_url(url: str) -> str:
    """``url`` without user-info and with credential query parameters replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # not a URL: Scrubber.url still replaces the known secrets in it
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


def _is_secret_header(name: str) -> bool:
    return name.lower() in SECRET_HEADERS or is_secret_key(name)


def _split_scheme(value: str) -> tuple[str, str] | None:
    """``(scheme, credential)`` of an Authorization value shaped like one (``Bearer x``)."""
    scheme, sep, rest = value.partition(" ")
    if sep and rest.strip() and len(scheme) <= 16:
        return scheme, rest
    return None


def redact_header_value(name: str, value: str) -> str:
    """A header value with its credential replaced; the auth scheme is kept (it is not secret)."""
    if not _is_secret_header(name):
        return value
    if not value.strip():
        return value  # an empty header is part of what a test sends, and carries nothing
    if name.lower() in ("authorization", "proxy-authorization") and (split := _split_scheme(value)):
        return f"{split[0]} {REDACTED}"
    return REDACTED


def credentials_in_header(name: str, value: str) -> list[str]:
    """The credentials a header carries: an Authorization value without its scheme, a cookie's
    values without their names and attributes, the whole value of any other credential header."""
    if not _is_secret_header(name) or not value.strip():
        return []
    lname = name.lower()
    if lname in ("authorization", "proxy-authorization") and (split := _split_scheme(value)):
        return [split[1]]
    if lname == "set-cookie":  # name=value; Path=/; HttpOnly: only the value is the credential
        return [value.split(";", 1)[0].partition("=")[2]]
    if lname == "cookie":
        return [pair.partition("=")[2] for pair in value.split(";")]
    return [value]


def credentials_in_url(url: str) -> list[str]:
    """The user-info and the credential query parameter values of ``url``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = [v for v in (parts.username, parts.password) if v]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    found += [v for n, v in pairs if n.lower() in SECRET_QUERY_PARAMS]
    return found


def secret_variants(secrets: Iterable[str | None], minimum: int = MIN_SECRET) -> list[str]:
    """Every form in which a secret value might appear, longest first.

    An xbox-2013 user token is given as ``USERHASH;TOKEN`` and travels in two parts (``x=USERHASH;
    TOKEN`` in the header), and a developer token travels URL-encoded as ``Bearer+TOKEN``: each
    part of at least ``minimum`` characters, and each encoding, is covered.
    """
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        for p in {secret, *_VALUE_PARTS.split(secret)}:
            if len(p) >= minimum and REDACTED not in p:
                forms.update({p, quote(p, safe=""), quote_plus(p), quote_plus(f"Bearer {p}")})
    return sorted(forms, key=len, reverse=True)


class Scrubber:
    """Replaces credentials in any string, URL, header set or JSON-like value.

    It knows the secrets it was given, and those it ``learn``s from recorded exchanges and the
    run's options; nothing else in a text is touched.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._forms: set[str] = set()
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str | None], minimum: int = MIN_SECRET) -> None:
        """Look for these values (and their parts and encodings) too."""
        self._forms.update(secret_variants(secrets, minimum))
        self.secrets = sorted(self._forms, key=len, reverse=True)

    def learn(self, exchanges: Iterable[Any]) -> None:
        """The credentials recorded exchanges carried (header values, query values, user-info),
        so that a message quoting the header it sent is scrubbed as well as the header."""
        found: list[str] = []
        for x in exchanges:
            for headers in (x.request_headers, x.response_headers):
                for name, value in (headers or {}).items():
                    found += credentials_in_header(str(name), str(value))
            found += credentials_in_url(x.url)
        self.add(found, MIN_LEARNT)

    def learn_options(self, value: Any, *, secret: bool = False) -> None:
        """The values of the run's options under credential-like keys, and URL user-info."""
        if isinstance(value, str):
            if secret:
                self.add([value], MIN_LEARNT)
            elif _LOOKS_LIKE_URL.match(value):
                self.add(credentials_in_url(value), MIN_LEARNT)
        elif isinstance(value, Mapping):
            for k, v in value.items():
                self.learn_options(v, secret=secret or (isinstance(k, str) and is_secret_key(k)))
        elif isinstance(value, list | tuple):
            for v in value:
                self.learn_options(v, secret=secret)

    def literal(self, value: str) -> str:
        """``value`` with every known secret value replaced (and nothing else changed)."""
        for secret in self.secrets:
            if secret in value:
                value = value.replace(secret, REDACTED)
        return value

    def text(self, value: str) -> str:
        """Free text (messages, bodies, the catalogue's own words are never passed here)."""
        return self.literal(value)

    def url(self, value: str) -> str:
        return self.literal(redact_url(value))

    def header(self, name: str, value: str) -> str:
        return self.literal(redact_header_value(name, value))

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        """Every header scrubbed; a header sent twice is kept once, its values joined."""
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        out: dict[str, str] = {}
        for name, value in pairs:
            key, red = self.literal(str(name)), self.header(str(name), str(value))
            out[key] = f"{out[key]}, {red}" if key in out else red
        return out

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
