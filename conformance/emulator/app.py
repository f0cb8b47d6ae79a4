"""The Starlette application: routes, authentication, the request pipeline and error answers.

Every request goes through the same steps, in this order (erratum E19: authentication comes
before any look at the body):

1. choose the answer's format (``wire.negotiate``);
2. authenticate: exactly one ``Authorization`` header in the profile's form naming a known user
   token, then (xbox-2013) the developer token in ``accessToken``;
3. check the path (namespace ``music``) and the query parameters;
4. read and decode the body (size limit, JSON or XML), check it into typed values (``payloads``);
5. run the operation as one SQLite transaction (``Store.run``), on the event loop: the store runs
   one transaction at a time anyway, and one is at most 100 rows or a few moved ones, so a thread
   pool would only add a thread switch per request (replayed, it made no measurable difference);
6. encode the answer (or the Error) in the chosen format; in XML the root is the operation's
   response type even for an error.

These steps are written once (``Emulator.serve``); what differs per operation is a ``Handler``:
its checks of steps 3-4 (``check``) and its step 5 (``run``). The routes, their methods and paths
and each operation's response type are read from the contract (``conformance.contract``); the
emulator's part is the handler per operationId (``Emulator.handlers``).

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
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from conformance import contract
from conformance.emulator import wire
from conformance.emulator.browse import Browser, Tokens
from conformance.emulator.catalog import Catalog, builtin_catalog
from conformance.emulator.config import EmulatorConfig
from conformance.emulator.errors import MSG_NO_USER_AUTH, ApiError, ErrorWriter
from conformance.emulator.faults import FaultSwitch
from conformance.emulator.operations import Operations, Result
from conformance.emulator.payloads import parse_playlist_action, parse_track_action_request
from conformance.emulator.store import Store, remove_database_files
from conformance.emulator.variants import VariantSet
from conformance.profiles import ACCESS_TOKEN_INVALID, PROFILES, XBOX_2013, Profile, get_profile

log = logging.getLogger("conformance.emulator")
T = TypeVar("T")
Checked = TypeVar("Checked")  # what an operation's checks hand on to its run

Endpoint = Callable[[Request], Awaitable[Response]]
# The one namespace that holds collections and playlists (openapi.yaml: the namespace enum).
(NAMESPACE,) = (contract.path_parameter_schema("collection_add", "namespace") or {})["enum"]


@dataclass(frozen=True)
class Handler(Generic[Checked]):
    """What one operation adds to the pipeline: the rest (format, authentication, namespace,
    transaction, answer) is the same for every operation and written once (``Emulator.serve``)."""

    # Steps 3-4 after the namespace: read and check what needs no user (query, body, path).
    check: Callable[[Request], Awaitable[Checked]]
    # Step 5, in one transaction: (connection, user, what check gave) -> (status, body).
    run: Callable[[sqlite3.Connection, str, Checked], Result]


@dataclass(frozen=True)
class Served(Generic[Checked]):
    """One operation of the contract as the emulator serves it."""

    operation_id: str
    method: str  # from the contract, as the path
    path: str
    handler: Handler[Checked]
    response_type: str  # the XML root of every answer, an Error included (the 200 schema's name)
    in_namespace: bool  # the path has a {namespace} segment to check


def _other_profiles(profile: Profile) -> tuple[Profile, ...]:
    return tuple(p for p in PROFILES.values() if p.name != profile.name)


class CaseInsensitiveRoute(Route):
    """A route whose literal segments match in any letter case (``collection/Add``), unless
    ``strict()`` says letter for letter (the fault ``path-case-strict``). Path parameters keep
    the letters they were sent with."""

    def __init__(
        self, path: str, endpoint: Endpoint, *, methods: list[str], name: str, strict: Callable[[], bool]
    ) -> None:
        super().__init__(path, endpoint, methods=methods, name=name)
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
        self.tokens: dict[str, str] = {self._header_token(t): name for name, t in config.users.items()}
        self.first_user = next(iter(config.users))
        self.store: Store | None = None
        self.browser: Browser | None = None
        self._temp_dir: str | None = None

    def _header_token(self, user_token: str) -> str:
        """The part of a user token (as ``--user-token`` gives it) that the profile's Authorization
        header carries: read back from the header the profile writes for it (in xbox-2013 the
        token after the userhash), so that the dialect's form is stated in profiles.py only."""
        header = self.profile.auth_headers(user_token)["Authorization"]
        credential = self.profile.parse_authorization(header)
        return credential.token if credential else user_token

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
        return _other_profiles(self.xml_profile)

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
            profile = _other_profiles(profile)[0]
        data, media = wire.encode(fmt, type_name, body, profile)
        return Response(data, status_code=status, media_type=media)

    # ------------------------------------------------------------------ the pipeline
    async def serve(self, request: Request, op: Served[Any]) -> Response:
        """Every request, whatever its operation: the steps of the module docstring, in order."""
        fmt, fmt_error = self.negotiate(request)

        async def validate() -> Any:
            if fmt_error:
                raise fmt_error
            if op.in_namespace:
                self.check_namespace(request.path_params["namespace"])
            return await op.handler.check(request)

        try:
            user, checked = await self.admit(request, validate)
            assert self.store is not None
            status, body = self.store.run(op.handler.run, user, checked)
        except ApiError as err:
            status, body = err.status, self.error_body(err)
        return self.respond(status, body, op.response_type, fmt)

    def endpoint(self, op: Served[Any]) -> Endpoint:
        """The endpoint of ``op``: the pipeline, guarded so that a bug answers a clean 500 and
        keeps the connection usable.

        (Starlette's own last-resort handler answers too, but re-raises, and uvicorn then drops
        the connection; catching here keeps keep-alive clients working after a bug.)
        """

        async def endpoint(request: Request) -> Response:
            try:
                return await self.serve(request, op)
            except Exception as exc:  # noqa: BLE001 - the last resort, logged and counted
                return await self.internal_error(request, exc)

        return endpoint

    # ------------------------------------------------------------------ the operations
    def handlers(self) -> dict[str, Handler[Any]]:
        """The emulator's part of each operation of the contract, by operationId."""
        ops = self.operations
        return {
            "collection_add": self._edit("collection_add", parse_track_action_request, ops.collection_add),
            "collection_delete": self._edit(
                "collection_delete", parse_track_action_request, ops.collection_delete
            ),
            "playlist_create": self._edit("playlist_create", parse_playlist_action, ops.playlist_create),
            "playlist_update": self._edit("playlist_update", parse_playlist_action, ops.playlist_update),
            "playlist_delete": self._edit("playlist_delete", parse_playlist_action, ops.playlist_delete),
            "collection_browse": Handler(self._check_collection_browse, self._collection_browse),
            "playlist_tracks_browse": Handler(self._check_tracks_browse, self._tracks_browse),
        }

    def _edit(
        self,
        operation_id: str,
        parse: Callable[[object, VariantSet], T],
        run: Callable[[sqlite3.Connection, str, T], Result],
    ) -> Handler[T]:
        """An edit: its body, of the type the contract names, decoded and ``parse``d; then ``run``."""
        type_name = contract.request_schema(operation_id)
        if type_name is None:
            raise contract.ContractError(f"{operation_id} takes no body: it is no edit")

        async def check(request: Request) -> T:
            body = await wire.read_body(request)
            obj = wire.decode_body(
                request,
                body,
                type_name,
                self.xml_profile,
                other_namespaces=self.other_xml_dialects(),
                exact_media=self.faults.on("media-type-params-refused"),
            )
            return parse(obj, self.variants)

        return Handler(check, run)

    def _paging(self, request: Request, operation_id: str) -> dict[str, str]:
        """Single-valued paging parameters (the operation's query parameters but the format) under
        the contract's names, whatever letter case they were sent in; a repeated one (in any mix
        of spellings) is a 400."""
        params: dict[str, str] = {}
        for key in contract.query_parameters(operation_id):
            if key == wire.FORMAT_PARAMETER:
                continue
            values = self.query_values(request, key)
            if len(values) > 1:
                raise ApiError("INVALID_INPUT_PARAMETER", f"Parameter {key} is given more than once")
            if values:
                params[key] = values[0]
        return params

    async def _check_collection_browse(self, request: Request) -> tuple[str, dict[str, str]]:
        params = self._paging(request, "collection_browse")
        assert self.browser is not None
        self.browser.check_query(params, self.browse_type(request))
        return self.browse_type(request), params

    def _collection_browse(
        self, conn: sqlite3.Connection, user: str, checked: tuple[str, dict[str, str]]
    ) -> Result:
        assert self.browser is not None
        kind, params = checked
        return self.browser.collection(conn, user, kind, params)

    async def _check_tracks_browse(self, request: Request) -> tuple[str, dict[str, str]]:
        params = self._paging(request, "playlist_tracks_browse")
        assert self.browser is not None
        self.browser.check_query(params, None)
        return request.path_params["id"], params

    def _tracks_browse(
        self, conn: sqlite3.Connection, user: str, checked: tuple[str, dict[str, str]]
    ) -> Result:
        playlist_id, params = checked
        playlist = self.operations._find_playlist(conn, user, playlist_id)
        assert self.browser is not None
        return self.browser.playlist_tracks(conn, user, playlist, params)

    def served(self) -> list[Served[Any]]:
        """Every operation of the contract, in its order, with this emulator's handler."""
        handlers = self.handlers()
        if set(handlers) != set(contract.OPERATIONS):
            raise contract.ContractError(
                f"the emulator serves {sorted(handlers)}, the contract defines {sorted(contract.OPERATIONS)}"
            )
        out: list[Served[Any]] = []
        for op_id, (method, path) in contract.OPERATIONS.items():
            response_type = contract.response_schema(op_id, 200)
            if response_type is None:
                raise contract.ContractError(f"{op_id} documents no 200 answer")
            out.append(Served(op_id, method, path, handlers[op_id], response_type, "{namespace}" in path))
        return out

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

    routes = [
        CaseInsensitiveRoute(
            op.path,
            emulator.endpoint(op),
            methods=[op.method],
            name=op.operation_id,
            strict=emulator.path_strict,
        )
        for op in emulator.served()
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: emulator.http_error, Exception: emulator.internal_error},
    )
    app.state.emulator = emulator
    app.state.internal_errors = 0
    return app
