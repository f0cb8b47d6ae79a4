"""A schemathesis case sent through the project's client, and its answer as schemathesis reads it.

Generated requests go through ``conformance.client.Client`` like every other request of the suite:
it authenticates them the profile's way, records them (credentials redacted) in the test's
transcript, refuses to change data that existed before the run, and tells the run's registry what
was created so that it is removed at the end. Schemathesis' built-in checks then read the answer
as a ``schemathesis.Response``, built here from what the client received; its request is the
redacted one, so that no credential reaches a failure message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import requests
import schemathesis
from schemathesis.core import NOT_SET

from conformance.client import NONE, AuthSpec, Client, Response

if TYPE_CHECKING:
    from schemathesis import Case


@dataclass
class Sent:
    """One request as the replay script needs it: no credential, the auth form named instead."""

    operation: str
    method: str
    path: str  # with the path parameters filled in
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    has_body: bool = True
    raw: bytes | None = None  # a body that is not JSON (negative data), sent as is
    auth: str = "user"  # "user" | "none" | "token:<literal>" | "basic-user" | "no-developer-token"
    user: str = "user"  # whose credential ("user" or "other")
    status: int | None = None
    answer: Any = None


def case_body(case: Case) -> tuple[Any, bool, bytes | None]:
    """(JSON body, whether there is a body, raw bytes for a body that is not JSON)."""
    body = case.body
    if body is NOT_SET:
        return None, False, None
    if isinstance(body, bytes | bytearray):
        return None, True, bytes(body)
    return body, True, None


def send_case(
    client: Client, case: Case, operation: str, *, auth: AuthSpec | None = None
) -> tuple[Response, Sent]:
    """Send ``case`` (already rewritten) as ``operation``; the client's answer and what was sent."""
    body, has_body, raw = case_body(case)
    query = {k: _query_value(v) for k, v in (case.query or {}).items()}
    opts: dict[str, Any] = {"query": query}
    if auth is not None:
        opts["auth"] = auth
    # Schemathesis hands path parameters over percent-encoded; the client encodes them itself.
    path_params = {k: unquote(str(v)) for k, v in (case.path_parameters or {}).items()}
    if raw is not None:
        response = client.operation(
            operation, path_params=path_params, content=raw, content_type="application/json", **opts
        )
    elif has_body:
        response = client.operation(operation, path_params=path_params, body=body, **opts)
    else:
        response = client.operation(operation, path_params=path_params, **opts)
    sent = Sent(
        operation=operation,
        method=case.method.upper(),
        path=_path_of(response.exchange.url),
        query=query,
        body=body,
        has_body=has_body,
        raw=raw,
        auth="user" if auth is None else ("none" if auth == NONE else str(auth)),
        status=response.status,
        answer=response.body,
    )
    return response, sent


def _query_value(value: Any) -> str:
    """Query values the way a generated case means them (negative data may hold lists or objects)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _path_of(url: str) -> str:
    rest = url.split("://", 1)[-1]
    path = "/" + rest.split("/", 1)[1] if "/" in rest else "/"
    return path.split("?", 1)[0]


def to_schemathesis(response: Response) -> schemathesis.Response:
    """The client's answer as a ``schemathesis.Response``; its request is the redacted exchange."""
    ex = response.exchange
    headers: dict[str, list[str]] = {}
    for name, value in response.headers.multi_items():
        headers.setdefault(name.lower(), []).append(value)
    request = requests.Request(
        method=ex.method,
        url=ex.url,
        headers=dict(ex.request_headers),
        data=(ex.request_body or "").encode("utf-8") if ex.request_body else None,
    ).prepare()
    return schemathesis.Response(
        status_code=response.status,
        headers=headers,
        content=response.raw,
        request=request,
        elapsed=response.elapsed_ms / 1000,
        verify=True,
    )
