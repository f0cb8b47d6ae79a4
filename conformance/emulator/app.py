"""The Starlette application: routes, authentication, the request pipeline and error answers.

Every request goes through the same steps, in this order (erratum E19: authentication comes
before any look at the body):

1. choose the answer's format (``wire.negotiate``);
2. authenticate: exactly one ``Authorization`` header in the profile's form naming a known user
   token, then (xbox-2013) the developer token in ``accessToken``;
3. check the path (namespace ``music``) and the query parameters;
4. read and decode the body (size limit, JSON or XML), check it into typed values (``payloads``);
5. run the operation as one SQLite transaction in the thread pool (``Store.run``);
6. encode the answer (or the Error) in the chosen format; in XML the root is the operation's
   response type even for an error.

The variant ``body-before-auth`` swaps steps 2 and 3-4 (``Emulator.admit``); the other variants
(``variants.py``) each change one step where that step is written.

What real clients send is served (spec notes section 7): the literal path segments, the namespace
and the browse type in any letter case (the official client builds ``collection/Add`` and
``Collection/Tracks/browse`` from enum names), query parameter names in any letter case
(``maxitems``, ``orderby``), the authentication scheme in any letter case, and in groove-2016 an
``accessToken`` beside the Bearer header (it has no developer token: the value is not looked at).
Each interop fault of ``faults.py`` turns one of these back to the letter of the documents.

Any ``ApiError`` on the way becomes the table's status with an Error body and changes nothing. A
last-resort handler turns anything else into a clean 500 INTERNAL_SERVER_ERROR body and counts it
in ``app.state.internal_errors`` (the tests assert that bad input never gets there).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from conformance.emulator import wire
from conformance.emulator.browse import Browser, Tokens
from conformance.emulator.catalog import Catalog, builtin_catalog
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.errors import MSG_NO_USER_AUTH, ApiError, ErrorWriter
from conformance.emulator.faults import FaultSwitch
from conformance.emulator.operations import Operations
from conformance.emulator.payloads import parse_playlist_action, parse_track_action_request
from conformance.emulator.store import Store, remove_database_files
from conformance.emulator.variants import VariantSet
from conformance.profiles import (
    ACCESS_TOKEN_INVALID,
    GROOVE_2016,
    PROFILES,
    XBOX_2013,
    Profile,
    get_profile,
    split_xbox_user_token,
)

NAMESPACE = "music"
log = logging.getLogger("conformance.emulator")
T = TypeVar("T")


@dataclass(frozen=True)
class PostOperation:
    request_type: str
    response_type: str
    parse: Any
    method: str  # name of the Operations method


POST_OPERATIONS: dict[str, PostOperation] = {
    "collection_add": PostOperation(
        "TrackActionRequest", "TrackActionResponse", parse_track_action_request, "collection_add"
    ),
    "collection_delete": PostOperation(
        "TrackActionRequest", "TrackActionResponse", parse_track_action_request, "collection_delete"
    ),
    "playlist_create": PostOperation(
        "PlaylistAction", "PlaylistActionResponse", parse_playlist_action, "playlist_create"
    ),
    "playlist_update": PostOperation(
        "PlaylistAction", "PlaylistActionResponse", parse_playlist_action, "playlist_update"
    ),
    "playlist_delete": PostOperation(
        "PlaylistAction", "PlaylistActionResponse", parse_playlist_action, "playlist_delete"
    ),
}
BROWSE_RESPONSE = "ContentResponse"
# The query parameters paging reads (browse.py), by the name the pages give them.
PAGING_PARAMETERS = ("maxItems", "page", "continuationToken", "orderBy")


class CaseInsensitiveRoute(Route):
    """A route whose literal segments match in any letter case (``collection/Add``), unless
    ``strict()`` says letter for letter (the fault ``path-case-strict``). Path parameters keep
    the letters they were sent with."""

    def __init__(self, path: str, endpoint: Any, *, strict: Callable[[], bool], **kw: Any) -> None:
        super().__init__(path, endpoint, **kw)
        self._exact = self.path_regex
        self.path_regex = re.compile(self._exact.pattern, re.IGNORECASE)
        self._strict = strict

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and self._strict() and not self._exact.match(scope["path"]):
            return Match.NONE, {}
        return match, child


class Emulator:
    """One emulator instance: configuration, database and the request pipeline."""

    def __init__(self, config: EmulatorConfig):
        self.config = config
        self.profile = get_profile(config.profile)
        self.faults = FaultSwitch(config.fault)
        self.variants = VariantSet(config.variants, self.profile.name)
        self.errors = ErrorWriter(self.variants)
        # The dialect of XML answers and requests: the profile's own (E22), or under the variant
        # xml-2013-namespace (groove-2016 only) the 2013 namespace with d2p1:string TrackIds items.
        self.xml_profile = XBOX_2013 if self.variants.on("xml-2013-namespace") else self.profile
        self.catalog = Catalog(config.catalog if config.catalog is not None else builtin_catalog())
        self.operations = Operations(self.catalog, self.faults, self.variants, self.errors)
        # user token as it travels in the header -> user name
        self.tokens: dict[str, str] = {}
        for name, token in config.users.items():
            if self.profile.name == XBOX_2013.name:
                token = split_xbox_user_token(token)[1]
            self.tokens[token] = name
        self.first_user = next(iter(config.users))
        self.store: Store | None = None
        self.browser: Browser | None = None
        self._temp_dir: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def open(self) -> None:
        path = self.config.db_path
        if path is None:
            self._temp_dir = tempfile.mkdtemp(prefix="groove-emulator-")
            path = os.path.join(self._temp_dir, "emulator.sqlite3")
        self.store = Store(path)
        self.browser = Browser(self.catalog, self.faults, self.variants, Tokens(self.store.secret))

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        if self._temp_dir is not None:
            remove_database_files(os.path.join(self._temp_dir, "emulator.sqlite3"))
            with contextlib.suppress(OSError):
                os.rmdir(self._temp_dir)
            self._temp_dir = None

    # ------------------------------------------------------------------ interop leniency
    def path_strict(self) -> bool:
        return self.faults.on("path-case-strict")

    def query_values(self, request: Request, name: str) -> list[str]:
        return wire.query_values(request, name, exact=self.faults.on("query-names-case-strict"))

    def other_xml_dialects(self) -> tuple[Profile, ...]:
        """The dialects an XML request is read in besides the answers' own: the other documented
        namespace (E22: the groove-2016 add page's example is in the 2013 one), except under the
        variant xml-2013-namespace, a reading that knows the 2013 namespace only."""
        if self.faults.on("xml-other-namespace-refused") or self.variants.on("xml-2013-namespace"):
            return ()
        return tuple(p for p in PROFILES.values() if p.name != self.xml_profile.name)

    def browse_type(self, request: Request) -> str:
        kind = request.path_params["type"]
        return kind if self.path_strict() else kind.lower()

    # ------------------------------------------------------------------ steps
    def authenticate(self, request: Request) -> str:
        """The user name the request authenticates as, or a 401 ApiError."""
        headers = request.headers.getlist("authorization")
        if not headers and self.faults.on("auth-missing-accepted"):
            return self.first_user
        if len(headers) != 1:
            message = MSG_NO_USER_AUTH if not headers else "Exactly one Authorization header is allowed"
            code = "INVALID_AUTHORIZATION_HEADER"
            if headers and self.variants.on("two-auth-headers-400"):
                code = "INVALID_INPUT_PARAMETER"
            raise ApiError(code, message)
        exact_scheme = self.faults.on("auth-scheme-case-strict")
        credential = self.profile.parse_authorization(headers[0], exact_scheme=exact_scheme)
        user = self.tokens.get(credential.token) if credential else None
        if credential and credential.userhash is not None and not credential.userhash.isdigit():
            user = None
        if user is None:
            raise ApiError("INVALID_AUTHORIZATION_HEADER", MSG_NO_USER_AUTH)
        values = self.query_values(request, "accessToken")
        if self.profile.needs_developer_token and not self.faults.on("developer-token-ignored"):
            if not values:
                raise ApiError("ACCESS_TOKEN_MISSING", "The accessToken query parameter is required")
            token = None
            if len(values) == 1:
                token = self.profile.parse_access_token(values[0], exact_scheme=exact_scheme)
            if token is None or token != self.config.developer_token:
                raise ApiError(ACCESS_TOKEN_INVALID, "The accessToken is not valid")
        elif values and self.faults.on("access-token-beside-bearer-refused"):
            raise ApiError(ACCESS_TOKEN_INVALID, "No accessToken is expected beside the Bearer header")
        return user

    def check_namespace(self, namespace: str) -> None:
        if (namespace if self.path_strict() else namespace.lower()) != NAMESPACE:
            raise ApiError("INVALID_INPUT_PARAMETER", f"Unsupported namespace; use {NAMESPACE!r}")

    async def admit(self, request: Request, validate: Callable[[], Awaitable[T]]) -> tuple[str, T]:
        """Authenticate the request and ``validate`` it (path, query, body): authentication first
        (E19), or under the variant body-before-auth validation first. (user, what validate gave)."""
        if self.variants.on("body-before-auth"):
            checked = await validate()
            return self.authenticate(request), checked
        user = self.authenticate(request)
        return user, await validate()

    def negotiate(self, request: Request) -> tuple[str, ApiError | None]:
        return wire.negotiate(
            request,
            xml_ignored=self.faults.on("xml-accept-ignored"),
            follow_request=not self.variants.on("xml-request-answers-json"),
            exact_names=self.faults.on("query-names-case-strict"),
            exact_media=self.faults.on("media-type-params-refused"),
        )

    def error_body(self, err: ApiError) -> dict[str, Any]:
        if self.faults.on("error-envelope-bare"):
            return self.errors.error(err.code, err.message)
        return self.errors.body(err)

    def respond(self, status: int, body: dict[str, Any], type_name: str, fmt: str) -> Response:
        if self.faults.on("error-envelope-bare") and "ErrorCode" in body:
            type_name = "Error"  # the bare Error object is the root, in XML too
        if status >= 400 and self.variants.on("errors-in-json"):
            fmt = "json"
        profile = self.xml_profile
        if fmt == "xml" and self.faults.on("xml-wrong-namespace"):
            profile = XBOX_2013 if profile.name == GROOVE_2016.name else GROOVE_2016
        data, media = wire.encode(fmt, type_name, body, profile)
        return Response(data, status_code=status, media_type=media)

    # ------------------------------------------------------------------ endpoints
    def post_endpoint(self, operation_id: str) -> Any:
        async def endpoint(request: Request) -> Response:
            return await self.post(request, POST_OPERATIONS[operation_id])

        return self.guarded(endpoint)

    def guarded(self, endpoint: Any) -> Any:
        """Wrap an endpoint so that a bug answers a clean 500 and keeps the connection usable.

        (Starlette's own last-resort handler answers too, but re-raises, and uvicorn then drops
        the connection; catching here keeps keep-alive clients working after a bug.)
        """

        async def wrapper(request: Request) -> Response:
            try:
                return await endpoint(request)
            except Exception as exc:  # noqa: BLE001 - the last resort, logged and counted
                return await self.internal_error(request, exc)

        return wrapper

    async def post(self, request: Request, op: PostOperation) -> Response:
        fmt, fmt_error = self.negotiate(request)

        async def validate() -> Any:
            if fmt_error:
                raise fmt_error
            self.check_namespace(request.path_params["namespace"])
            return await self._payload(request, op)

        try:
            user, payload = await self.admit(request, validate)
            assert self.store is not None
            handler = getattr(self.operations, op.method)
            status, body = await run_in_threadpool(self.store.run, handler, user, payload)
        except ApiError as err:
            status, body = err.status, self.error_body(err)
        return self.respond(status, body, op.response_type, fmt)

    async def _payload(self, request: Request, op: PostOperation) -> Any:
        body = await wire.read_body(request)
        obj = wire.decode_body(
            request,
            body,
            op.request_type,
            self.xml_profile,
            other_namespaces=self.other_xml_dialects(),
            exact_media=self.faults.on("media-type-params-refused"),
        )
        return op.parse(obj, self.variants)

    def _query(self, request: Request) -> dict[str, str]:
        """Single-valued paging parameters under the pages' names, whatever letter case they were
        sent in; a repeated one (in any mix of spellings) is a 400."""
        params: dict[str, str] = {}
        for key in PAGING_PARAMETERS:
            values = self.query_values(request, key)
            if len(values) > 1:
                raise ApiError("INVALID_INPUT_PARAMETER", f"Parameter {key} is given more than once")
            if values:
                params[key] = values[0]
        return params

    async def browse(self, request: Request) -> Response:
        fmt, fmt_error = self.negotiate(request)

        async def validate() -> dict[str, str]:
            if fmt_error:
                raise fmt_error
            self.check_namespace(request.path_params["namespace"])
            params = self._query(request)
            assert self.browser is not None
            self.browser.check_query(params, self.browse_type(request))
            return params

        try:
            user, params = await self.admit(request, validate)
            assert self.store is not None and self.browser is not None
            status, body = await run_in_threadpool(
                self.store.run, self.browser.collection, user, self.browse_type(request), params
            )
        except ApiError as err:
            status, body = err.status, self.error_body(err)
        return self.respond(status, body, BROWSE_RESPONSE, fmt)

    async def playlist_tracks(self, request: Request) -> Response:
        fmt, fmt_error = self.negotiate(request)

        async def validate() -> dict[str, str]:
            if fmt_error:
                raise fmt_error
            params = self._query(request)
            assert self.browser is not None
            self.browser.check_query(params, None)
            return params

        try:
            user, params = await self.admit(request, validate)
            assert self.store is not None

            def run(conn: Any) -> tuple[int, dict[str, Any]]:
                playlist = self.operations._find_playlist(conn, user, request.path_params["id"])
                assert self.browser is not None
                return self.browser.playlist_tracks(conn, user, playlist, params)

            status, body = await run_in_threadpool(self.store.run, run)
        except ApiError as err:
            status, body = err.status, self.error_body(err)
        return self.respond(status, body, BROWSE_RESPONSE, fmt)

    # ------------------------------------------------------------------ fallbacks
    async def http_error(self, request: Request, exc: Exception) -> Response:
        """Unknown path (404) or wrong method (405): still a documented Error body."""
        status = getattr(exc, "status_code", 404)
        message = "Unknown resource" if status == 404 else "Method not allowed for this resource"
        err = ApiError("INVALID_INPUT_PARAMETER", message, status=status)
        fmt, _ = wire.negotiate(request)
        return self.respond(status, self.error_body(err), "ErrorResponse", fmt)

    async def internal_error(self, request: Request, exc: Exception) -> Response:
        log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
        request.app.state.internal_errors += 1
        body = {"Error": self.errors.error("INTERNAL_SERVER_ERROR")}
        return Response(
            wire.encode("json", "ErrorResponse", body, self.profile)[0],
            status_code=500,
            media_type=wire.JSON_MEDIA,
        )


def build_app(config: EmulatorConfig) -> Starlette:
    emulator = Emulator(config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        emulator.open()
        try:
            yield
        finally:
            emulator.close()

    base = "/1/content/{namespace}/collection"
    strict = emulator.path_strict
    routes = [
        CaseInsensitiveRoute(
            f"{base}/{path}", emulator.post_endpoint(name), methods=["POST"], name=name, strict=strict
        )
        for name, path in (
            ("collection_add", "add"),
            ("collection_delete", "delete"),
            ("playlist_create", "playlists/create"),
            ("playlist_update", "playlists/update"),
            ("playlist_delete", "playlists/delete"),
        )
    ] + [
        CaseInsensitiveRoute(
            f"{base}/{{type}}/browse",
            emulator.guarded(emulator.browse),
            methods=["GET"],
            name="collection_browse",
            strict=strict,
        ),
        CaseInsensitiveRoute(
            "/1/content/{id}/collection/playlist/tracks/browse",
            emulator.guarded(emulator.playlist_tracks),
            methods=["GET"],
            name="playlist_tracks_browse",
            strict=strict,
        ),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: emulator.http_error, Exception: emulator.internal_error},
    )
    app.state.emulator = emulator
    app.state.internal_errors = 0
    return app
