"""Driving schemathesis: generated requests per operation, and the OpenAPI links as a state machine.

Both go the same way for every request: draw a case (schemathesis), make it safe and name the run's
own data (:mod:`.rewrite`), say what the answer must be (:mod:`.oracle`), send it through the
project's client (:mod:`.transport`), judge it with the built-in and custom checks (:mod:`.checks`), and
count the findings (:mod:`.findings`). A blocking finding is raised inside the Hypothesis example so
that it is shrunk to a minimal request (or sequence of requests), replayable with the script that
is attached to the test's record.

What a test created is removed when it ends (the run's registry removes anything left at the end of
the session as well), so the user's collection stays small for the tests that follow.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.control import current_build_context
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from conformance import contract
from conformance.fuzz.checks import Call, judge_call
from conformance.fuzz.findings import Tally, Violation
from conformance.fuzz.hypothesis_settings import REPRODUCIBLE, contract_settings, links_settings
from conformance.fuzz.oracle import expect
from conformance.fuzz.pool import IdPool
from conformance.fuzz.replay import render
from conformance.fuzz.rewrite import rewrite_case
from conformance.fuzz.transport import Sent, case_body, send_case, to_schemathesis

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject
    from schemathesis import Case

    from conformance.cleanup import Registry
    from conformance.client import Client, Response
    from conformance.plugin import Capabilities, Effort, TrackAllocator
    from conformance.verify import Verify

SEED_PLAYLISTS = 2  # playlists (with tracks) a test of update/delete/browse starts with
SEED_TRACKS = 3
CATALOG_SHARE = 24  # catalog IDs one test draws from: enough variety, a small collection
AUTH_PROBES = 3  # generated requests per test re-sent without credentials


@functools.cache
def load_schema() -> Any:
    """``openapi.yaml`` loaded by schemathesis, with a default configuration (no project file)."""
    return schemathesis.openapi.from_path(contract.OPENAPI_PATH, config=SchemathesisConfig())


@dataclass
class Env:
    """What a generated test works with (from the plugin's fixtures)."""

    client: Client
    verify: Verify
    registry: Registry
    catalog: TrackAllocator
    effort: Effort
    profile: str
    name_prefix: str
    capabilities: Capabilities | None = None
    probes: list[int] = field(default_factory=lambda: [AUTH_PROBES])

    @property
    def base_url(self) -> str:
        return self.client.config.base_url

    def new_pool(self) -> IdPool:
        share = self.catalog.take(min(len(self.catalog), CATALOG_SHARE))
        snapshot = bool(getattr(self.capabilities, "snapshot", False))
        return IdPool(share, self.registry, can_delete_tracks=snapshot)


def execute(env: Env, operation: str, case: Case, pool: IdPool) -> Call:
    """Send one (rewritten) case and wrap what came back for the checks."""
    body, has_body, raw = case_body(case)
    expectation = expect(
        operation,
        body,
        dict(case.query or {}),
        dict(case.path_parameters or {}),
        pool,
        has_body=has_body and raw is None,
    )
    response, sent = send_case(env.client, case, operation)
    pool.observe(operation, body, response.status, response.body)
    pool.note_origin(sent, response.body)
    meta = case.meta
    positive = meta is None or meta.generation.mode.is_positive
    return Call(operation, case, sent, response, expectation, positive, env.client, env.probes, log=[sent])


def replay_script(env: Env, pool: IdPool, calls: list[Sent], title: str) -> str:
    return render([*pool.origins(calls), *calls], profile=env.profile, base_url=env.base_url, title=title)


def judge(
    env: Env,
    tally: Tally,
    pool: IdPool,
    call: Call,
    where: str,
    title: str,
    history: list[Sent] | None = None,
) -> None:
    """Judge one call; raise Violation (with its replay script) on a blocking finding."""
    findings = judge_call(call)
    calls = [*(history or []), *call.log]

    def script() -> str:
        return replay_script(env, pool, calls, title)

    blocking = tally.add(findings, where, script)
    if blocking:
        tally.raise_blocking(blocking, where, script(), len(calls))


# ---- one operation -------------------------------------------------------------------------------
def seed(env: Env, pool: IdPool, operation: str) -> None:
    """Give the operations that name existing data something of the test's own to name."""
    if operation in ("playlist_update", "playlist_delete", "playlist_tracks_browse"):
        # Bounded: a target that answers 200 without a usable Id must fail, not loop.
        for _ in range(SEED_PLAYLISTS - len(pool.playlists())):
            _create_seed_playlist(env, pool)
    if (
        operation == "collection_delete"
        and pool.can_delete_tracks
        and len(pool.collection_ids()) < SEED_TRACKS
    ):
        tracks = pool.catalog_ids[:SEED_TRACKS]
        r = env.client.collection_add(tracks)
        pool.note_origin(
            _seed_sent("collection_add", "POST", "/1/content/music/collection/add", {"TrackIds": tracks}, r),
            r.body,
        )


def _create_seed_playlist(env: Env, pool: IdPool) -> None:
    body = {
        "Name": f"{env.name_prefix}generated",
        "TrackActions": [{"Id": t, "Action": "Add"} for t in pool.catalog_ids[:SEED_TRACKS]],
    }
    before = len(pool.playlists())
    r = env.client.playlist_create(body)
    if r.status != 200:
        raise AssertionError(f"precondition: creating a playlist to generate requests against failed: {r!r}")
    pool.observe("playlist_create", body, r.status, r.body)
    if len(pool.playlists()) <= before:
        raise AssertionError(
            f"precondition: the playlist created to generate requests against has no usable Id: {r!r}"
        )
    pool.note_origin(
        _seed_sent("playlist_create", "POST", "/1/content/music/collection/playlists/create", body, r), r.body
    )


def _seed_sent(operation: str, method: str, path: str, body: Any, r: Response) -> Sent:
    return Sent(operation=operation, method=method, path=path, body=body, status=r.status, answer=r.body)


def run_operation(env: Env, operation: str, mode: str) -> None:
    """Generated requests for one operation (positive or negative data), recorded through ``verify``."""
    api_operation = load_schema().find_operation_by_id(operation)
    kwargs: dict[str, Any] = {"generation_mode": GenerationMode(mode), **_credentials_given()}
    if contract.request_schema(operation) is not None:
        kwargs["media_type"] = "application/json"
    strategy = api_operation.as_strategy(**kwargs)
    pool = env.new_pool()
    tally = Tally(env.verify, f"{mode} generated requests", shrink_budget_s=env.effort.shrink_budget_s)
    title = f"generated {mode} request of {operation}"

    @contract_settings(env.effort)
    @given(case=strategy, data=st.data())
    def example(case: Case, data: DataObject) -> None:
        if tally.exhausted():
            return
        tally.examples += 1
        seed(env, pool, operation)
        rewrite_case(case, operation, pool, data.draw, env.name_prefix)
        call = execute(env, operation, case, pool)
        where = f"{call.sent.method} {call.sent.path} -> {call.status} ({call.expectation.why})"
        judge(env, tally, pool, call, where, title)

    final: Violation | None = None
    try:
        if operation == "collection_add":
            pool.settle(env.client.derive(transcript=None))
        seed(env, pool, operation)
        example()
    except Exception as exc:  # noqa: BLE001 - a Violation (maybe inside Hypothesis' group) is a finding
        final = tally.outcome(exc)
    finally:
        tidy(env, pool)
    tally.record(final, note=f"{tally.examples} examples, {REPRODUCIBLE}")


UNSENT = "(not sent: the client adds the profile's credentials)"


def _credentials_given() -> dict[str, dict[str, str]]:
    """The credential parameters of the security schemes, given to schemathesis as fixed values.

    :func:`rewrite_case` drops every generated credential (the client adds the profile's), so
    generating them is work thrown away; a fixed value is never drawn. It also keeps negative data
    where it is sent: schemathesis does not negate a location that fixed values fully cover
    (the headers), so a negative case never breaks only a credential that is then dropped.
    """
    return {
        ("headers" if where == "header" else where): dict.fromkeys(names, UNSENT)
        for where, names in contract.credential_parameters().items()
        if where in ("header", "query")
    }


def tidy(env: Env, pool: IdPool) -> None:
    """Remove what this test created (quietly: not part of any test's transcript)."""
    quiet = env.client.derive(transcript=None)
    for pid in pool.playlists():
        quiet.playlist_delete(pid)
    owned = pool.collection_ids()
    for i in range(0, len(owned), contract.LIMITS.batch_max):
        quiet.collection_delete(owned[i : i + contract.LIMITS.batch_max])


# ---- the OpenAPI links ---------------------------------------------------------------------------
def run_links(env: Env) -> None:
    """Schemathesis' state machine over the links of openapi.yaml (create -> update -> delete, add -> ...)."""
    pool = env.new_pool()
    tally = Tally(
        env.verify, "steps of the OpenAPI links state machine", shrink_budget_s=env.effort.shrink_budget_s
    )
    base = load_schema().as_state_machine()
    title = "minimal failing sequence of the OpenAPI links state machine"
    followed: dict[str, int] = {}  # link name -> steps that followed it

    class Links(base):  # type: ignore[misc, valid-type]
        def setup(self) -> None:
            self.history: list[Sent] = []

        def teardown(self) -> None:
            # Every run starts from the same state, so that Hypothesis can replay and shrink it.
            tidy(env, pool)

        def step(self, input: Any) -> Any:  # noqa: A002 - schemathesis' name
            case = input.case
            if tally.exhausted():
                return _step_output(_empty_response(), case)
            operation = case.operation.definition.raw.get("operationId")
            draw = current_build_context().data.draw
            rewrite_case(case, operation, pool, draw, env.name_prefix)
            call = execute(env, operation, case, pool)
            tally.examples += 1
            link = f" via link {input.transition.id}" if input.transition is not None else ""
            if link:
                name = _link_name(input.transition.id)
                followed[name] = followed.get(name, 0) + 1
            where = (
                f"step {len(self.history) + 1}{link}: {call.sent.method} {call.sent.path} -> {call.status}"
            )
            history = list(self.history)
            self.history += call.log
            judge(env, tally, pool, call, where, title, history=history)
            return _step_output(to_schemathesis(call.response), case)

    final: Violation | None = None
    try:
        Links.run(settings=links_settings(env.effort))
    except Exception as exc:  # noqa: BLE001 - see run_operation
        final = tally.outcome(exc)
    finally:
        tidy(env, pool)
    links = ", ".join(f"{name} x{n}" for name, n in sorted(followed.items())) or "none"
    tally.record(final, note=f"{tally.examples} steps, links followed: {links}; {REPRODUCIBLE}")


def _link_name(transition_id: str) -> str:
    """``POST /x -> [200] UpdateCreatedPlaylist -> POST /y`` -> ``UpdateCreatedPlaylist``."""
    match = re.search(r"\] (\S+) ->", transition_id)
    return match.group(1) if match else transition_id


def _empty_response() -> Any:
    import requests

    request = requests.Request("GET", "http://shrinking.invalid/").prepare()
    return schemathesis.Response(
        status_code=599, headers={}, content=b"", request=request, elapsed=0.0, verify=True
    )


def _step_output(response: Any, case: Any) -> Any:
    from schemathesis.generation.stateful.state_machine import StepOutput

    return StepOutput(response, case)
