"""A failing sequence of requests as a Python script that replays it against any target.

What a generated test found is only useful if its author can see it happen again. The script runs
the same requests in the same order, with the IDs that earlier answers returned read from those
answers (a fresh server mints fresh IDs), and prints every status and body. It never holds a
credential: tokens come from the environment (``GROOVE_USER_TOKEN``, ``GROOVE_OTHER_USER_TOKEN``,
``GROOVE_DEVELOPER_TOKEN``), the target from ``GROOVE_TARGET``, and the way each profile puts them
on a request from ``conformance.profiles`` — the one place that knows it — so the script needs
groove-conformance installed, as the run did.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from conformance.fuzz.transport import Sent

MAX_LIST = 12  # items of a list written out before runs of the same item are folded


def _ids(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(ID, Python subscript path) for every string under a key ``Id`` in an answer."""
    if isinstance(value, dict):
        for k, v in value.items():
            sub = f"{path}[{k!r}]"
            if k == "Id" and isinstance(v, str):
                yield v, sub
            else:
                yield from _ids(v, sub)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _ids(v, f"{path}[{i}]")


class _Refs:
    """IDs that earlier answers returned, each with the expression that reads it from its answer."""

    def __init__(self) -> None:
        self.source: dict[str, tuple[int, str]] = {}  # ID -> (call number, subscript path)
        self.used: dict[str, str] = {}  # ID -> variable name, for those a later request names

    def learn(self, number: int, answer: Any) -> None:
        for value, path in _ids(answer, ""):
            self.source.setdefault(value, (number, path))

    def name(self, value: str) -> str | None:
        if value not in self.source:
            return None
        if value not in self.used:
            self.used[value] = f"id{len(self.used) + 1}"
        return self.used[value]


def _expr(value: Any, refs: _Refs) -> str:
    if isinstance(value, str):
        return refs.name(value) or repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_expr(v, refs)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return _list_expr(value, refs)
    return repr(value)


def _list_expr(items: list[Any], refs: _Refs) -> str:
    if len(items) <= MAX_LIST:
        return "[" + ", ".join(_expr(v, refs) for v in items) + "]"
    parts: list[str] = []
    i = 0
    while i < len(items):
        j = i
        while j + 1 < len(items) and items[j + 1] == items[i]:
            j += 1
        run = j - i + 1
        parts.append(f"*[{_expr(items[i], refs)}] * {run}" if run > 1 else _expr(items[i], refs))
        i = j + 1
    return "[" + ", ".join(parts) + "]"


def _path_expr(path: str, refs: _Refs) -> str:
    for value in refs.source:
        if value and value in path:
            name = refs.name(value)
            return "f" + repr(
                path.replace("{", "{{").replace("}", "}}").replace(value, "{" + str(name) + "}")
            )
    return repr(path)


def _auth_args(sent: Sent) -> list[str]:
    args: list[str] = []
    if sent.user == "other":
        args.append("token=OTHER")
    if sent.auth == "none":
        args.append("token=None")
    elif sent.auth.startswith("token:"):
        args.append(f"token={sent.auth[len('token:') :]!r}")
    elif sent.auth == "malformed":
        args += ["token=None", 'headers={"Authorization": "Bearer"}']
    elif sent.auth == "basic-user":
        args += ["token=None", 'headers={"Authorization": "Basic " + USER}']
    elif sent.auth == "no-developer-token":
        args.append("developer=None")
    elif sent.auth.startswith("developer:"):
        args.append(f"developer={sent.auth[len('developer:') :]!r}")
    return args


HEADER = '''"""{title}

Replays, in order, the requests of the minimal failing example ({count} request{s}) and prints each
answer. Set GROOVE_USER_TOKEN (and GROOVE_OTHER_USER_TOKEN, GROOVE_DEVELOPER_TOKEN when the profile
or the sequence needs them); GROOVE_TARGET defaults to the target of the run.
"""
import os

import httpx

from conformance.profiles import get_profile

PROFILE = get_profile({profile!r})
BASE = os.environ.get("GROOVE_TARGET", {base!r}).rstrip("/")
USER = os.environ["GROOVE_USER_TOKEN"]
OTHER = os.environ.get("GROOVE_OTHER_USER_TOKEN")
DEVELOPER = os.environ.get("GROOVE_DEVELOPER_TOKEN")


def call(method, path, body=None, *, token=USER, developer=DEVELOPER, headers=None, params=None, raw=None):
    auth = PROFILE.auth_headers(token) if token is not None else {{}}
    h = {{"Accept": "application/json", **auth, **(headers or {{}})}}
    q = {{**(params or {{}}), **PROFILE.auth_query(developer)}}
    if raw is not None:
        h["Content-Type"] = "application/json"
        r = httpx.request(method, BASE + path, params=q, headers=h, content=raw, timeout=30)
    else:
        r = httpx.request(method, BASE + path, params=q, headers=h, json=body, timeout=30)
    print(method, path, "->", r.status_code, r.text[:500])
    return r

'''


def render(calls: Sequence[Sent], *, profile: str, base_url: str, title: str) -> str:
    """The replay script of ``calls`` (see the module docstring)."""
    refs = _Refs()
    lines: list[str] = []
    for number, sent in enumerate(calls, 1):
        args = [repr(sent.method), _path_expr(sent.path, refs)]
        if sent.raw is not None:
            args.append(f"raw={sent.raw!r}")
        elif sent.has_body and sent.method != "GET":
            args.append(_expr(sent.body, refs))
        if sent.query:
            args.append(f"params={_expr(sent.query, refs)}")
        args += _auth_args(sent)
        lines.append(f"r{number} = call({', '.join(args)})")
        refs.learn(number, sent.answer)
    # Assign each ID a later request names right after the answer that returned it.
    out: list[str] = []
    by_call: dict[int, list[str]] = {}
    for value, name in refs.used.items():
        number, path = refs.source[value]
        by_call.setdefault(number, []).append(f"{name} = r{number}.json(){path}")
    for number, line in enumerate(lines, 1):
        out.append(line)
        out.extend(by_call.get(number, []))
    header = HEADER.format(
        title=title.replace('"""', "'''"),
        count=len(calls),
        s="" if len(calls) == 1 else "s",
        profile=profile,
        base=base_url,
    )
    return header + "\n".join(out) + "\n"
