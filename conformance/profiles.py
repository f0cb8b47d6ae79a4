"""The two dialects of the Groove collection-edit API, in one place.

The documents describe the same operations in two editions (spec notes §4):

* ``groove-2016`` — the newer pages (seed 002 and the reference pages): the user token
  travels as ``Authorization: Bearer {token}``; there is no developer token.
* ``xbox-2013`` — the older pages (seeds 000, 001, 003, 004): a developer token in the
  ``accessToken`` query parameter (``Bearer+…``, URL-encoded) and the user token as
  ``Authorization: XBL3.0 x={userhash};{token}``.

They also differ in the XML they speak: the DataContract namespace of the API types and how
the items of ``TrackIds`` are written.  Everything else (paths, JSON shapes, rules) is shared.

The emulator, the client and the XML codec read these objects; nothing else may restate a
namespace, a header form or an error code for authentication.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from urllib.parse import quote_plus

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ARRAYS_NS = "http://schemas.microsoft.com/2003/10/Serialization/Arrays"

# Error codes of user and developer authentication (reference json-error.md).
INVALID_AUTHORIZATION_HEADER = "INVALID_AUTHORIZATION_HEADER"
ACCESS_TOKEN_MISSING = "ACCESS_TOKEN_MISSING"
ACCESS_TOKEN_INVALID = "ACCESS_TOKEN_INVALID"

# The scheme is matched ignoring case (RFC 9110 section 11.1: `bearer` = `Bearer`; spec notes
# section 7), the rest of the credential exactly; ``scheme`` is the scheme as the documents write it.
_XBL_HEADER = re.compile(r"^(?P<scheme>(?i:XBL3\.0)) x=(?P<userhash>[^;\s]+);(?P<token>\S+)$")
_BEARER_HEADER = re.compile(r"^(?P<scheme>(?i:Bearer)) (?P<token>\S+)$")
BEARER_SCHEME = "Bearer"
XBL_SCHEME = "XBL3.0"


@dataclass(frozen=True)
class UserCredential:
    """What a request's Authorization header claims: a user token (and, in xbox-2013, a userhash)."""

    token: str
    userhash: str | None = None


@dataclass(frozen=True)
class Profile:
    """One dialect: how requests authenticate and how XML is written."""

    name: str
    title: str
    sources: tuple[str, ...]
    xml_namespace: str
    # (namespace, local name) of one item of TrackIds in XML.
    trackid_item: tuple[str, str]
    # Prefix under which the TrackIds item namespace is declared when it is not the API one.
    trackid_prefix: str | None
    needs_developer_token: bool

    # --- client side -------------------------------------------------------------------
    def auth_headers(self, user_token: str) -> dict[str, str]:
        """Headers that carry ``user_token`` (as given by ``--user-token``)."""
        if self.name == "groove-2016":
            return {"Authorization": f"Bearer {user_token}"}
        userhash, token = split_xbox_user_token(user_token)
        return {"Authorization": f"XBL3.0 x={userhash};{token}"}

    def auth_query(self, developer_token: str | None) -> dict[str, str]:
        """Query parameters that carry the developer token (xbox-2013 only)."""
        if not self.needs_developer_token or developer_token is None:
            return {}
        return {"accessToken": f"Bearer {developer_token}"}

    def encoded_access_token(self, developer_token: str) -> str:
        """The ``accessToken`` value as the older pages print it: ``Bearer+…`` URL-encoded."""
        return quote_plus(f"Bearer {developer_token}")

    # --- server side -------------------------------------------------------------------
    def parse_authorization(self, header: str | None, *, exact_scheme: bool = False) -> UserCredential | None:
        """The credential in one Authorization header value, or None when it is malformed.

        The scheme is read in any letter case (``bearer``, ``xbl3.0``: RFC 9110 makes it
        case-insensitive, and real clients differ); ``exact_scheme`` insists on the documents'
        spelling (the emulator's fault ``auth-scheme-case-strict``)."""
        if header is None:
            return None
        if self.name == "groove-2016":
            m = _BEARER_HEADER.match(header)
            if not m or (exact_scheme and m.group("scheme") != BEARER_SCHEME):
                return None
            return UserCredential(m.group("token"))
        m = _XBL_HEADER.match(header)
        if not m or (exact_scheme and m.group("scheme") != XBL_SCHEME):
            return None
        return UserCredential(m.group("token"), m.group("userhash"))

    def parse_access_token(self, value: str | None, *, exact_scheme: bool = False) -> str | None:
        """The developer token inside an ``accessToken`` query value (already URL-decoded):
        ``Bearer {token}``, the ``Bearer`` in any letter case unless ``exact_scheme``."""
        if value is None:
            return None
        scheme, space, rest = value.partition(" ")
        if not space or scheme.lower() != BEARER_SCHEME.lower():
            return None
        if exact_scheme and scheme != BEARER_SCHEME:
            return None
        return rest.strip() or None


def split_xbox_user_token(user_token: str) -> tuple[str, str]:
    """``USERHASH;TOKEN`` → (userhash, token).

    A user token given without a userhash gets a stable one derived from the token, so that a
    user need only supply one secret; the emulator accepts any userhash of digits.
    """
    if ";" in user_token:
        userhash, token = user_token.split(";", 1)
        return userhash, token
    return str(zlib.crc32(user_token.encode("utf-8"))), user_token


GROOVE_2016 = Profile(
    name="groove-2016",
    title="Groove API (2016 pages: Authorization: Bearer)",
    sources=("002_f1dd3b9eb27b6cd7.txt", "reference/groove-docs"),
    xml_namespace="http://schemas.microsoft.com/groovemusic/2016/09/api",
    trackid_item=("http://schemas.microsoft.com/groovemusic/2016/09/api", "TrackId"),
    trackid_prefix=None,
    needs_developer_token=False,
)

XBOX_2013 = Profile(
    name="xbox-2013",
    title="Xbox Music API (2013 pages: accessToken + XBL3.0)",
    sources=("000_49ef52240da7cdbc.txt", "001_fabf306c29505681.txt", "003_006793c08362df22.txt",
             "004_c13d0720ee69790f.txt"),
    xml_namespace="http://schemas.microsoft.com/xboxmusic/2013/10/platform",
    trackid_item=(ARRAYS_NS, "string"),
    trackid_prefix="d2p1",
    needs_developer_token=True,
)

PROFILES: dict[str, Profile] = {p.name: p for p in (GROOVE_2016, XBOX_2013)}
DEFAULT_PROFILE = GROOVE_2016.name


def get_profile(name: str) -> Profile:
    """The profile called ``name``; a clear error for anything else."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of {', '.join(PROFILES)}") from None
