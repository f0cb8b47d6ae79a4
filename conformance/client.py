"""The one HTTP client through which every check talks to a target.

Only this module knows how a request is authenticated in each profile (it asks
``conformance.profiles``), how bodies are written and read in JSON and XML (``xml_codec``) and
where the operations live (``contract.OPERATIONS``).  Tests say *what* to send; the client says
*how*, and records every exchange, credentials redacted, into the running test's transcript.

Why it is careful:

* a target under test is by definition not yet right, so every answer is read with a deadline
  and a size cap, and a transport failure becomes one clear line (``TransportError``) instead of
  a traceback;
* it may be a real account, so credentials never follow a redirect to another origin and
  never reach a transcript, and the client refuses to modify data the run did not create (it
  asks its :class:`Ledger`, which ``conformance.ownership`` implements, before every request);
* ``429`` is honoured with ``Retry-After`` only within a small bound, so a throttling target
  slows the run down a little rather than stalling it.
"""

from __future__ import annotations

import email.utils
import functools
import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urljoin

import httpx

from conformance import __version__, xml_codec
from conformance.contract import OPERATIONS, request_schema
from conformance.profiles import Profile
from conformance.records import MAX_EXCHANGES_PER_TEST, Exchange, wall_clock
from conformance.report.redact import REDACTED as REDACTED  # re-exported: tests and callers read it here
from conformance.report.redact import Scrubber

# --- bounds ------------------------------------------------------------------------------
DEFAULT_TIMEOUT_S = 10.0  # per request: connect, each read, and the whole answer
TRANSCRIPT_BODY_CAP = 64 * 1024  # bytes of a body kept in a transcript
# An answer is not read beyond this. The largest documented answer (100 results of an add, in
# XML) is about 15 kB; 2 MiB leaves ample room and keeps a server that streams junk cheap.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
RETRY_MAX = 2  # retries of one request after a 429 with Retry-After
RETRY_BUDGET_S = 5.0  # total sleep allowed for those retries
MAX_REDIRECTS = 5  # same-origin redirects followed per request


class TransportError(Exception):
    """The target gave no usable answer (refused, reset, timed out); the message is one line."""


class GuardError(Exception):
    """A test tried to modify data that existed before the run; the suite never does that."""


# --- auth overrides ----------------------------------------------------------------------
USER = "user"  # this client's user token, in the profile's form (the default)
NONE = "none"  # no user credential at all
DEVELOPER = "developer"  # the developer token in the profile's form (xbox-2013), the default
DEFAULT: Any = object()  # "whatever is usual" for accept / content_type


@dataclass(frozen=True)
class AuthToken:
    """A user credential built the profile's way from an arbitrary token (unknown, empty, ...)."""

    token: str


@dataclass(frozen=True)
class AuthHeaders:
    """Exactly these headers instead of the profile's (wrong scheme, malformed, duplicated)."""

    headers: tuple[tuple[str, str], ...]


def with_token(token: str) -> AuthToken:
    return AuthToken(token)


def raw_auth(*pairs: tuple[str, str]) -> AuthHeaders:
    """``raw_auth(("Authorization", "Basic x"), ("Authorization", "Bearer y"))``: sent as given."""
    return AuthHeaders(tuple(pairs))


AuthSpec = str | AuthToken | AuthHeaders


# --- responses ---------------------------------------------------------------------------
@dataclass
class Response:
    """An answer of the target, read and decoded once."""

    status: int
    headers: httpx.Headers
    raw: bytes
    format: str | None  # "json", "xml", or None (empty or unrecognised body)
    body: dict[str, Any] | None  # the decoded body (XML decoded to the JSON shape)
    parse_error: str | None
    root: str | None  # XML root element (type name), when the body was XML
    url: str  # redacted
    elapsed_ms: float
    exchange: Exchange
    xml_order_error: str | None = None  # XML members out of DataContract order (body read anyway)
    redirect_refused: str | None = None  # a Location on another origin that was not followed
    truncated: bool = False  # the body exceeded MAX_RESPONSE_BYTES and was not read further

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def error(self) -> dict[str, Any] | None:
        """The top-level ``Error`` object, when the body has one."""
        if isinstance(self.body, dict) and isinstance(self.body.get("Error"), dict):
            return self.body["Error"]
        return None

    @property
    def error_code(self) -> str | None:
        err = self.error
        code = err.get("ErrorCode") if err else None
        return code if isinstance(code, str) else None

    def __repr__(self) -> str:
        # From the transcript, which is already redacted, never from the raw answer.
        detail = self.parse_error or (self.exchange.response_body or "")[:200]
        return f"<Response {self.status} {self.format or '-'} {detail}>"


# --- redaction ---------------------------------------------------------------------------
# One implementation for transcripts and reports (conformance.report.redact): the credentials
# this client was given are blanked wherever they appear, credential headers and query
# parameters by name; nothing else.
Redactor = Scrubber


def _body_text(data: bytes | None, redactor: Redactor) -> tuple[str | None, bool]:
    if not data:
        return (None if data is None else ""), False
    cut = len(data) > TRANSCRIPT_BODY_CAP
    return redactor.text(data[:TRANSCRIPT_BODY_CAP].decode("utf-8", errors="replace")), cut


# --- operations ------------------------------------------------------------------------------
@functools.cache
def _path_patterns() -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    out = []
    for op, (method, template) in OPERATIONS.items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        out.append((op, method.upper(), re.compile(pattern)))
    return tuple(out)


def operation_for(method: str, path: str) -> str | None:
    """The operationId whose method and path template match a request, if any."""
    path = path.split("?", 1)[0]
    for op, op_method, pattern in _path_patterns():
        if op_method == method.upper() and pattern.match(path):
            return op
    return None


@functools.lru_cache(maxsize=64)  # the target's base URL, asked on every request: parsed once
def _origin(url: str) -> tuple[str, str, int | None]:
    u = httpx.URL(url)
    port = u.port or {"http": 80, "https": 443}.get(u.scheme)
    return (u.scheme, u.host, port)


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


@dataclass
class Decoded:
    """What an answer's body turned out to be."""

    format: str | None = None  # "json", "xml", or None (empty or unrecognised body)
    body: Any = None
    parse_error: str | None = None
    root: str | None = None
    xml_order_error: str | None = None  # XML members out of DataContract order (read anyway)


def decode_body(raw: bytes, content_type: str, profile: Profile) -> Decoded:
    """Decode an answer.

    The format is the one the Content-Type names; when it names neither JSON nor XML the body
    is sniffed, so that a wrong Content-Type is still reported as what the body really is.
    XML members out of order are an error of their own (``xml_order_error``): the content is
    still read, so that the other checks can look at it.
    """
    media = content_type.split(";", 1)[0].strip().lower()
    stripped = raw.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped:
        return Decoded()
    if media.endswith("/json") or media.endswith("+json"):
        fmt = "json"
    elif media.endswith("/xml") or media.endswith("+xml"):
        fmt = "xml"
    elif stripped[:1] in (b"{", b"["):
        fmt = "json"
    elif stripped[:1] == b"<":
        fmt = "xml"
    else:
        return Decoded(parse_error=f"body is neither JSON nor XML (Content-Type {content_type or 'absent'})")
    if fmt == "json":
        try:
            value = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            return Decoded(fmt, parse_error=f"invalid JSON: {exc}")
        if not isinstance(value, dict):
            return Decoded(fmt, parse_error=f"JSON body is a {type(value).__name__}, not an object")
        return Decoded(fmt, value)
    order_error = None
    try:
        try:
            root, value = xml_codec.decode(raw, profile)
        except xml_codec.XmlCodecError as exc:
            if exc.kind != "order":
                raise
            order_error = str(exc)
            root, value = xml_codec.decode(raw, profile, strict_order=False)
    except Exception as exc:  # noqa: BLE001 - any decoder failure is a finding about the target
        return Decoded(fmt, parse_error=f"invalid XML: {exc}")
    return Decoded(fmt, value, None, root, order_error)


# --- what the client asks and tells about the run's own data ------------------------------
class Ledger(Protocol):
    """The keeper of what the run owns on the target (``conformance.ownership.Ownership``).

    Defined here, so that the client depends on what it needs and not on the module that keeps
    the books: the ledger imports the client (its errors, ``Response``), never the reverse.
    """

    def preexisting(self, item_id: str) -> bool:
        """Whether some user had ``item_id`` before the run (so it is not the run's to change)."""

    def guard(self, user: str, operation: str, body: Any) -> None:
        """Raise :class:`GuardError` when ``body`` would change data ``user`` had before the run."""

    def sending(self, user: str, operation: str, body: Any) -> None:
        """Before the request goes out (an add that never gets its answer may still add tracks)."""

    def observe(self, user: str, operation: str, body: Any, response: Response) -> None:
        """What the answer says was created or removed."""


class ChangeGate(Protocol):
    """What keeps the xdist workers of one run on one foreign target out of each other's paged
    reads (``conformance.worker_lock.WorkerLock``): a change waits while another worker pages."""

    def changing(self) -> AbstractContextManager[None]:
        """Around one request that may change data."""

    def steady(self) -> AbstractContextManager[None]:
        """Around a read of several pages: no other worker changes anything meanwhile."""


# Requests that change nothing, so never wait on the gate.
_READS = frozenset({"GET", "HEAD", "OPTIONS"})


# --- the client --------------------------------------------------------------------------
@dataclass
class ClientConfig:
    """What every client of one run shares: where the target is and how to reach it."""

    base_url: str
    profile: Profile
    developer_token: str | None = field(default=None, repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # every credential of the run
    timeout_s: float = DEFAULT_TIMEOUT_S
    namespace: str = "music"
    gate: ChangeGate | None = field(default=None, repr=False, compare=False)  # workers sharing a target


class Client:
    """Talks to the target as one user. Cheap to create: the connection pool is shared."""

    def __init__(
        self,
        config: ClientConfig,
        user_token: str | None,
        *,
        http: httpx.Client | None = None,
        transcript: list[Exchange] | None = None,
        registry: Ledger | None = None,
        user_label: str = "user",
        default_auth: AuthSpec = USER,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = config
        self.profile = config.profile
        self._user_token = user_token
        self._http = http or httpx.Client()
        self._owns_http = http is None
        self.transcript = transcript
        self.registry = registry
        self.user_label = user_label
        self.default_auth = default_auth
        self._sleep = sleep
        self._redactor = Redactor((*config.secrets, user_token, config.developer_token))

    def __repr__(self) -> str:
        return f"<Client {self.user_label} {self.config.base_url} {self.profile.name}>"

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def derive(self, **changes: Any) -> Client:
        """A client like this one with some settings changed (transcript, auth, user)."""
        kwargs: dict[str, Any] = {
            "http": self._http,
            "transcript": self.transcript,
            "registry": self.registry,
            "user_label": self.user_label,
            "default_auth": self.default_auth,
            "sleep": self._sleep,
        }
        user_token = changes.pop("user_token", self._user_token)
        kwargs.update(changes)
        return Client(self.config, user_token, **kwargs)

    @property
    def has_user(self) -> bool:
        return bool(self._user_token)

    def steady(self) -> AbstractContextManager[None]:
        """Around a read of several pages of the collection: on a target other xdist workers of
        the run share, none of them changes anything until it ends (:class:`ChangeGate`)."""
        gate = self.config.gate
        return gate.steady() if gate is not None else nullcontext()

    # ---- operations ----------------------------------------------------------------
    def collection_add(self, track_ids: Sequence[str], **opts: Any) -> Response:
        return self.operation("collection_add", body={"TrackIds": list(track_ids)}, **opts)

    def collection_delete(self, track_ids: Sequence[str], **opts: Any) -> Response:
        return self.operation("collection_delete", body={"TrackIds": list(track_ids)}, **opts)

    def playlist_create(self, action: Mapping[str, Any], **opts: Any) -> Response:
        return self.operation("playlist_create", body=dict(action), **opts)

    def playlist_update(self, action: Mapping[str, Any], **opts: Any) -> Response:
        return self.operation("playlist_update", body=dict(action), **opts)

    def playlist_delete(self, action: Mapping[str, Any] | str, **opts: Any) -> Response:
        body = {"Id": action} if isinstance(action, str) else dict(action)
        return self.operation("playlist_delete", body=body, **opts)

    def collection_browse(
        self,
        type: str,
        max_items: int | None = None,
        page: int | None = None,
        continuation_token: str | None = None,
        **opts: Any,
    ) -> Response:
        return self.operation(
            "collection_browse",
            path_params={"type": type},
            query=_paging(max_items, page, continuation_token),
            **opts,
        )

    def playlist_tracks_browse(
        self,
        playlist_id: str,
        max_items: int | None = None,
        page: int | None = None,
        continuation_token: str | None = None,
        **opts: Any,
    ) -> Response:
        return self.operation(
            "playlist_tracks_browse",
            path_params={"id": playlist_id},
            query=_paging(max_items, page, continuation_token),
            **opts,
        )

    def operation(
        self,
        operation_id: str,
        *,
        path_params: Mapping[str, str] | None = None,
        body: Any = None,
        **opts: Any,
    ) -> Response:
        """One call of ``operation_id`` (an operationId of openapi.yaml)."""
        method, template = OPERATIONS[operation_id]
        values = {"namespace": opts.pop("namespace", self.config.namespace), **(path_params or {})}
        path = re.sub(r"\{([^}]+)\}", lambda m: quote(str(values[m.group(1)]), safe=""), template)
        if body is not None and "type_name" not in opts:
            opts["type_name"] = request_schema(operation_id)
        return self.request(method, path, body=body, operation=operation_id, **opts)

    # ---- the one place requests are made ---------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        type_name: str | None = None,
        fmt: str = "json",
        content: bytes | None = None,
        content_type: Any = DEFAULT,
        accept: Any = DEFAULT,
        content_type_param: str | None = None,
        query: Mapping[str, Any] | Sequence[tuple[str, Any]] | None = None,
        auth: AuthSpec | None = None,
        access_token: str | None = DEVELOPER,
        headers: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        timeout: float | None = None,
        operation: str | None = None,
        guard: bool = True,
    ) -> Response:
        """Send one request and return the decoded answer.

        ``body`` is encoded as ``fmt`` ("json" or "xml", the XML root being ``type_name``);
        ``content`` sends raw bytes instead (with ``content_type`` as given). ``accept``: the
        default asks for ``fmt``; None sends no Accept header; a string is sent as is.
        ``content_type_param`` adds ``contentType=`` to the query. ``auth``: USER (default),
        NONE, ``with_token(t)`` or ``raw_auth(...)``. ``access_token``: DEVELOPER (the
        profile's developer credential, xbox-2013), None (omit) or a raw query value.
        """
        if fmt not in ("json", "xml"):
            raise ValueError(f"fmt must be 'json' or 'xml', not {fmt!r}")
        operation = operation or operation_for(method, path)
        if guard and self.registry is not None and operation:
            self.registry.guard(self.user_label, operation, body)

        pairs: list[tuple[str, str]] = [("User-Agent", f"groove-conformance/{__version__}")]
        data: bytes | None = None
        if content is not None:
            data = content
            if content_type is not DEFAULT and content_type is not None:
                pairs.append(("Content-Type", content_type))
        elif body is not None:
            if fmt == "json":
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                ctype = "application/json"
            else:
                if not type_name:
                    raise ValueError("an XML body needs type_name (the root element)")
                data = xml_codec.encode(type_name, body, self.profile)
                ctype = "application/xml"
            pairs.append(("Content-Type", ctype if content_type is DEFAULT else content_type))
        if accept is DEFAULT:
            pairs.append(("Accept", "application/xml" if fmt == "xml" else "application/json"))
        elif accept is not None:
            pairs.append(("Accept", accept))
        pairs.extend(self._auth_headers(self.default_auth if auth is None else auth))
        if headers:
            pairs.extend(headers.items() if isinstance(headers, Mapping) else headers)

        params: list[tuple[str, str]] = []
        if query:
            items = query.items() if isinstance(query, Mapping) else query
            params.extend((k, str(v)) for k, v in items if v is not None)
        if content_type_param is not None:
            params.append(("contentType", content_type_param))
        if access_token == DEVELOPER:
            params.extend(self.profile.auth_query(self.config.developer_token).items())
        elif access_token is not None:
            params.append(("accessToken", access_token))

        url = self.config.base_url.rstrip("/") + path
        if params:
            url += "?" + urlencode(params, quote_via=quote)
        if self.registry is not None and operation:
            # Before sending: an add that never gets its answer may still have added tracks.
            self.registry.sending(self.user_label, operation, body)
        response = self._send_with_retries(method, url, pairs, data, timeout or self.config.timeout_s)
        if self.registry is not None and operation:
            self.registry.observe(self.user_label, operation, body, response)
        return response

    def _auth_headers(self, auth: AuthSpec) -> list[tuple[str, str]]:
        if auth == USER:
            return list(self.profile.auth_headers(self._user_token).items()) if self._user_token else []
        if auth == NONE:
            return []
        if isinstance(auth, AuthToken):
            return list(self.profile.auth_headers(auth.token).items())
        if isinstance(auth, AuthHeaders):
            return list(auth.headers)
        raise ValueError(f"unknown auth override {auth!r}")

    def _send_with_retries(
        self, method: str, url: str, pairs: list[tuple[str, str]], data: bytes | None, timeout: float
    ) -> Response:
        slept = 0.0
        for attempt in range(RETRY_MAX + 1):
            response = self._send_following(method, url, pairs, data, timeout)
            if response.status != 429 or attempt == RETRY_MAX:
                return response
            delay = _retry_after(response.headers.get("retry-after"))
            if delay is None or slept + delay > RETRY_BUDGET_S:
                return response
            self._sleep(delay)
            slept += delay
        return response  # pragma: no cover - the loop always returns

    def _send_following(
        self, method: str, url: str, pairs: list[tuple[str, str]], data: bytes | None, timeout: float
    ) -> Response:
        """Send, following redirects only within the target's origin (credentials stay home)."""
        home = _origin(self.config.base_url)
        for _hop in range(MAX_REDIRECTS + 1):
            response = self._send_once(method, url, pairs, data, timeout)
            location = response.headers.get("location")
            if response.status not in (301, 302, 303, 307, 308) or not location:
                return response
            next_url = urljoin(url, location)
            if _origin(next_url) != home:
                response.redirect_refused = self._redactor.url(next_url)
                return response
            if response.status == 303 or (response.status in (301, 302) and method.upper() == "POST"):
                method, data = "GET", None
                pairs = [(k, v) for k, v in pairs if k.lower() != "content-type"]
            url = next_url
        return response

    def _send_once(
        self, method: str, url: str, pairs: list[tuple[str, str]], data: bytes | None, timeout: float
    ) -> Response:
        red = self._redactor
        req_body, req_cut = _body_text(data, red)
        request = httpx.Request(
            method, url, headers=pairs, content=data, extensions={"timeout": httpx.Timeout(timeout).as_dict()}
        )
        red_url = red.url(url)
        red_req_headers = red.headers(request.headers.multi_items())
        started_at = wall_clock()
        started = time.monotonic()
        deadline = started + timeout
        try:
            gate = self.config.gate
            with nullcontext() if gate is None or method.upper() in _READS else gate.changing():
                answer = self._http.send(request, stream=True, follow_redirects=False)
            try:
                chunks: list[bytes] = []
                size = 0
                # An announced length over the cap is not worth reading at all.
                truncated = _announced_length(answer.headers) > MAX_RESPONSE_BYTES
                for chunk in () if truncated else answer.iter_bytes():
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > MAX_RESPONSE_BYTES:
                        truncated = True
                        break
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout(
                            f"the answer did not complete within {timeout:g} s", request=request
                        )
            finally:
                answer.close()
        except httpx.HTTPError as exc:
            elapsed = (time.monotonic() - started) * 1000
            message = _transport_message(exc, red_url, timeout)
            self._record(
                Exchange(
                    method,
                    red_url,
                    red_req_headers,
                    req_body,
                    None,
                    {},
                    None,
                    round(elapsed, 1),
                    error=message,
                    truncated=req_cut,
                    started_at=started_at,
                )
            )
            raise TransportError(message) from None
        elapsed = (time.monotonic() - started) * 1000
        raw = b"".join(chunks)[:MAX_RESPONSE_BYTES]
        headers = answer.headers
        if truncated:
            decoded = Decoded(parse_error=f"answer exceeds {MAX_RESPONSE_BYTES} bytes; not read")
        else:
            decoded = decode_body(raw, headers.get("content-type", ""), self.profile)
        resp_body, resp_cut = _body_text(raw, red)
        exchange = Exchange(
            method=method,
            url=red_url,
            request_headers=red_req_headers,
            request_body=req_body,
            status=answer.status_code,
            response_headers=red.headers(headers.multi_items()),
            response_body=resp_body,
            elapsed_ms=round(elapsed, 1),
            truncated=req_cut or resp_cut or truncated,
            started_at=started_at,
        )
        self._record(exchange)
        return Response(
            status=answer.status_code,
            headers=headers,
            raw=raw,
            format=decoded.format,
            body=decoded.body,
            parse_error=decoded.parse_error,
            root=decoded.root,
            xml_order_error=decoded.xml_order_error,
            url=red_url,
            elapsed_ms=round(elapsed, 1),
            exchange=exchange,
            truncated=truncated,
        )

    def _record(self, exchange: Exchange) -> None:
        if self.transcript is None:
            return
        self.transcript.append(exchange)
        if len(self.transcript) > MAX_EXCHANGES_PER_TEST:
            del self.transcript[0]


def _announced_length(headers: httpx.Headers) -> int:
    try:
        return int(headers.get("content-length", "0"))
    except ValueError:
        return 0


def _paging(max_items: int | None, page: int | None, continuation_token: str | None) -> list[tuple[str, Any]]:
    return [("maxItems", max_items), ("page", page), ("continuationToken", continuation_token)]


def _protocol_message(text: str, target: str) -> str:
    """What a broken HTTP/1.1 answer was, in the server author's terms.

    httpx passes on its parser's words, which can mislead: bytes that are no HTTP at all come out
    as "illegal request line" although it is the *answer* that is broken.
    """
    if "disconnected" in text or "without sending a response" in text:
        return f"{target} closed the connection without answering"
    if "closed" in text:
        return f"{target} closed the connection before its answer was complete: {text}"
    detail = "" if "request" in text or not text else f" (parser: {text})"
    return (
        f"{target} answered with bytes that are not an HTTP/1.1 response: "
        f"no valid status line and headers{detail}"
    )


def _transport_message(exc: httpx.HTTPError, url: str, timeout: float) -> str:
    """One line a server author can act on."""
    target = url.split("?", 1)[0]
    if isinstance(exc, httpx.ConnectTimeout):
        return f"no connection to {target} within {timeout:g} s"
    if isinstance(exc, httpx.TimeoutException):
        return f"no complete answer from {target} within {timeout:g} s ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc) or "connection failed"
        return f"cannot connect to {target}: {reason}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return _protocol_message(str(exc), target)
    if isinstance(exc, httpx.DecodingError):
        return f"{target} sent a body that cannot be decoded: {exc}"
    return f"{target}: {type(exc).__name__}: {exc}"
