"""A Hypothesis ``RuleBasedStateMachine`` that checks the server against a model of one user's data.

Each run starts from what the user has (read back when the target can be browsed) and takes
random steps: add and delete collection tracks (valid, minted and over-limit batches), create,
rename, fill, empty, reorder and delete playlists (valid moves, moves naming tracks not in the
playlist, moves mixed with adds, over-limit updates), use a deleted playlist, send requests
without valid credentials, and try to change the second user's playlist. After every step the
answer is judged by the same rules as the schemathesis tests (:mod:`.oracle`, the custom checks of
:mod:`.checks`) and, where the target can be browsed, the state it reads back must be the model's:
the collection as a whole, the playlist's entries in order, its name, the second user's playlist.

The collection is compared as a whole (every track Id), so the account must not change under the
run by other means: against a shared account, do not run other clients (or pytest-xdist workers
on the same account) at the same time.

A failing run is shrunk by Hypothesis to a minimal sequence of steps; the requests of that
sequence (read-backs included) are rendered as a Python script that replays them, and both reach
the test's record. A run cleans up after itself, so that every run starts from the same state.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, precondition, rule, run_state_machine_as_test

from conformance import judging, readback
from conformance.client import DEVELOPER, NONE, AuthSpec, Client, Response, raw_auth, with_token
from conformance.contract import LIMITS
from conformance.fuzz.checks import CUSTOM, Call, judge_answer, results_of
from conformance.fuzz.findings import Finding, Tally, Violation
from conformance.fuzz.hypothesis_settings import REPRODUCIBLE, machine_settings
from conformance.fuzz.oracle import CLIENT_ERRORS, Expectation, expect
from conformance.fuzz.oracle import REQUIREMENTS as ORACLE_REQUIREMENTS
from conformance.fuzz.replay import render
from conformance.fuzz.stateful.model import (
    REORDER_REQUIREMENTS,
    ForeignPlaylist,
    Model,
    PlaylistModel,
    key,
    move,
    reorder_requirement,
)
from conformance.fuzz.transport import Sent
from conformance.ids import guid_playlist_id, guid_track_id
from conformance.judging import AUTH_MISSING

if TYPE_CHECKING:
    from hypothesis.strategies import DataObject

    from conformance.cleanup import Registry
    from conformance.plugin import Capabilities, Effort
    from conformance.profiles import Profile
    from conformance.verify import Verify

MACHINE_TRACKS = 6  # catalog IDs the machine adds and deletes
NAME_CHARS = ("a", "Z", "7", " ", "é", "ß", "ü", "Ω", "日", "本", "🎵", "-")
OVER = LIMITS.batch_max + 1
# The operations a request with rejected credentials is sent to, in the order rejected_auth draws
# from (the updates and deletes only when there is something to update or delete).
REFUSED_OPERATIONS = (
    "collection_add",
    "playlist_create",
    "playlist_update",
    "playlist_delete",
    "collection_delete",
)

_JUDGES = "_judges"  # the attribute :func:`judges` sets
_F = TypeVar("_F", bound=Callable[..., Any])
_T = TypeVar("_T")


def judges(*requirements: str) -> Callable[[_F], _F]:
    """Declare the requirements a rule or check of the machine records itself (besides those it is
    handed by its caller): the machine's requirement list is the union (:data:`RULE_REQUIREMENTS`).

    Put it above ``@precondition`` / ``@rule``: it marks the function Hypothesis collects.
    """

    def mark(fn: _F) -> _F:
        setattr(fn, _JUDGES, requirements)
        return fn

    return mark


_INDEX = st.integers(0, 2**16)


def pick(data: DataObject, items: Sequence[_T]) -> _T:
    """One of ``items``; the draw has the same shape whatever ``items`` holds (see pool.py)."""
    return items[data.draw(_INDEX) % len(items)]


def pick_some(data: DataObject, items: Sequence[_T], low: int, high: int) -> list[_T]:
    """``low``..``high`` distinct items (as many as there are), in a drawn order."""
    n = data.draw(st.integers(low, high))
    pool = list(items)
    out = []
    for _ in range(min(n, len(pool))):
        out.append(pool.pop(data.draw(_INDEX) % len(pool)))
    return out


@dataclass
class MachineEnv:
    """What the machine works with (from the plugin's fixtures), shared by all its runs."""

    client: Client
    other: Client | None
    verify: Verify
    registry: Registry
    capabilities: Capabilities
    profile: Profile
    effort: Effort
    tracks: list[str]  # the machine's catalog IDs
    foreign_tracks: list[str]
    tally: Tally = field(init=False)
    absent: set[str] = field(default_factory=set)
    foreign: ForeignPlaylist | None = None
    foreign_origin: list[Sent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tally = Tally(self.verify, "state-machine steps", shrink_budget_s=self.effort.shrink_budget_s)

    @property
    def can_delete_tracks(self) -> bool:
        """Without a snapshot of the user's collection an added track may be one the user had (E17)."""
        return bool(getattr(self.capabilities, "snapshot", False))

    @property
    def quiet(self) -> Client:
        return self.client.derive(transcript=None)


# ---- requests ------------------------------------------------------------------------------------
def send(
    client: Client,
    log: list[Sent],
    operation: str,
    *,
    body: Any = None,
    path: dict[str, str] | None = None,
    auth: AuthSpec | None = None,
    auth_label: str = "user",
    access_token: str | None = DEVELOPER,
    user: str = "user",
) -> tuple[Response, Sent]:
    """One request of a step, logged for the replay script."""
    opts: dict[str, Any] = {}
    if auth is not None:
        opts["auth"] = auth
    if access_token != DEVELOPER:
        opts["access_token"] = access_token
    kwargs: dict[str, Any] = {"path_params": path or {}}
    if body is not None:
        kwargs["body"] = body
    r = client.operation(operation, **kwargs, **opts)
    sent = Sent(
        operation=operation,
        method=r.exchange.method,
        path=_path(r.exchange.url),
        body=body,
        has_body=body is not None,
        auth=auth_label,
        user=user,
        status=r.status,
        answer=r.body,
    )
    log.append(sent)
    return r, sent


def _path(url: str) -> str:
    rest = url.split("://", 1)[-1]
    return ("/" + rest.split("/", 1)[1]).split("?", 1)[0] if "/" in rest else "/"


def results(r: Response, operation: str) -> list[dict[str, Any]] | None:
    items, _ = results_of(operation, r.body)
    return items if isinstance(items, list) and all(isinstance(i, dict) for i in items) else None


def matched(r: Response, operation: str, entries: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    """(entry, its result) in entry order, results matched by InputId (E27), unmatched entries left out."""
    return [(e, res) for _, e, res in judging.match_results(entries, results(r, operation)).pairs()]


def succeeded(item: dict[str, Any]) -> bool:
    return item.get("Error") is None


def settle(env: MachineEnv) -> None:
    """Make the machine's catalog IDs absent from the collection, as far as the run may (see pool.settle)."""
    if not env.can_delete_tracks:
        return
    quiet = env.quiet
    r = quiet.collection_add(env.tracks)
    created = set(env.registry.tracks("user"))
    mine: list[str] = []
    for cat, item in matched(r, "collection_add", env.tracks):
        cid = item.get("Id")
        if succeeded(item) and isinstance(cid, str) and cid in created:
            mine.append(cid)
            env.absent.add(key(cat))
    if mine:
        d = quiet.collection_delete(mine)
        gone = {i.get("InputId") for i in results(d, "collection_delete") or [] if succeeded(i)}
        if d.status != 200 or len(gone) != len(mine):
            env.absent.clear()


def make_foreign(env: MachineEnv) -> None:
    """The second user's playlist, with two tracks, that the machine's user must not change."""
    if env.other is None:
        return
    body = {
        "Name": env.registry.name("foreign"),
        "TrackActions": [{"Id": t, "Action": "Add"} for t in env.foreign_tracks],
    }
    r, sent = send(env.other, env.foreign_origin, "playlist_create", body=body, user="other")
    result = r.body.get("PlaylistActionResult") if isinstance(r.body, dict) else None
    if r.status != 200 or not isinstance(result, dict) or not isinstance(result.get("Id"), str):
        raise AssertionError(f"precondition: the second user could not create a playlist: {r!r}")
    entries = [i["Id"] for i in results(r, "playlist_create") or [] if isinstance(i.get("Id"), str)]
    env.foreign = ForeignPlaylist(result["Id"], body["Name"], entries)


def live(
    method: Callable[[CollectionMachine, DataObject], None],
) -> Callable[[CollectionMachine, DataObject], None]:
    """A step that does nothing once the shrinking budget is spent (see findings.Tally)."""

    @functools.wraps(method)
    def step(self: CollectionMachine, data: DataObject) -> None:
        if not self.env.tally.exhausted():
            method(self, data)

    return step


# ---- the machine ---------------------------------------------------------------------------------
class CollectionMachine(RuleBasedStateMachine):
    """The machine's rules, preconditions and checks, the same for every run.

    What a run works with (``env``: the clients, ``verify``, the capabilities, the catalog IDs) is
    bound by :func:`bind`, which makes a subclass per run: Hypothesis builds a fresh instance of
    that class for every example it runs, without arguments.
    """

    env: ClassVar[MachineEnv]

    def __init__(self) -> None:
        super().__init__()
        self.log: list[Sent] = []
        self.step = 0
        self.findings: list[Finding] = []
        # E20: whether a playlist add may have added tracks to the collection too (unknown Ids)
        self.collection_unsure = False
        quiet = self.env.tally.exhausted()
        collection = set(self._collection()) if self.caps.browse and not quiet else None
        self.model = Model(
            catalog=list(self.env.tracks),
            collection=collection,
            absent=set(self.env.absent),
            can_delete_tracks=self.env.can_delete_tracks,
        )
        if self.env.foreign is not None and not quiet:
            self.model.foreign = self._foreign_state()

    @property
    def caps(self) -> Capabilities:
        return self.env.capabilities

    @property
    def xbox(self) -> bool:
        """The profile sends a developer token (xbox-2013): its absence and a bad one are steps too."""
        return self.env.profile.needs_developer_token

    # ---- plumbing ----------------------------------------------------------------------------
    def _collection(self) -> list[str]:
        self.log.append(Sent("collection_browse", "GET", "/1/content/music/collection/tracks/browse"))
        return readback.collection_track_ids(self.env.client)

    def _playlists(self) -> dict[str, dict[str, Any]]:
        self.log.append(Sent("collection_browse", "GET", "/1/content/music/collection/playlists/browse"))
        return readback.playlists(self.env.client)

    def _entries(self, pid: str) -> list[str]:
        self.log.append(
            Sent("playlist_tracks_browse", "GET", f"/1/content/{pid}/collection/playlist/tracks/browse")
        )
        return readback.playlist_track_ids(self.env.client, pid)

    def _foreign_state(self) -> ForeignPlaylist:
        assert self.env.foreign is not None and self.env.other is not None
        f = self.env.foreign
        if not self.caps.browse:
            return ForeignPlaylist(f.id, f.name, list(f.entries))
        for kind in ("playlists/browse", "tracks/browse"):
            path = (
                f"/1/content/music/collection/{kind}"
                if kind.startswith("playlists")
                else f"/1/content/{f.id}/collection/playlist/{kind}"
            )
            self.log.append(Sent("collection_browse", "GET", path, user="other"))
        listed = readback.playlists(self.env.other).get(key(f.id))
        name = listed.get("Name") if listed else None
        entries = (
            readback.playlist_track_ids(self.env.other, f.id)
            if self.caps.playlist_tracks_browse
            else f.entries
        )
        return ForeignPlaylist(f.id, name, entries)

    def note(self, req: str, ok: Any, message: str, expected: Any = None, actual: Any = None) -> bool:
        self.findings.append(Finding(req, bool(ok), message, expected, actual, "state machine"))
        return bool(ok)

    def record(self, findings: list[Finding]) -> None:
        """Keep judgements of :mod:`conformance.judging` made on this step's answer."""
        self.findings += [dataclasses.replace(f, check="state machine") for f in findings]

    def readback(self, req: str, what: str, fn: Callable[[], _T]) -> _T | None:
        """Read state back; a read-back that fails is a finding about ``req``."""
        try:
            return fn()
        except readback.ReadbackError as exc:
            self.note(
                req,
                False,
                f"read back {what}",
                expected="HTTP 200 with a ContentResponse",
                actual=str(exc)[:300],
            )
            return None

    def judge(self, label: str, r: Response, sent: Sent, exp: Expectation) -> None:
        """Judge the step: the answer's own checks plus the model's findings; raise if blocking."""
        self.step += 1
        call = Call(sent.operation, None, sent, r, exp, True, self.env.client, [0])
        findings = judge_answer(call) + self.findings
        self.findings = []
        where = f"step {self.step} ({label}): {sent.method} {sent.path} -> {r.status}"
        calls = self._replay_calls()

        def script() -> str:
            return render(
                calls,
                profile=self.env.profile.name,
                base_url=self.env.client.config.base_url,
                title="minimal failing sequence of the collection state machine",
            )

        blocking = self.env.tally.add(findings, where, script)
        self.env.tally.examples += 1
        if blocking:
            self.env.tally.raise_blocking(blocking, where, script(), len(calls))

    def _replay_calls(self) -> list[Sent]:
        calls = list(self.log)
        if self.env.foreign is not None and any(
            self.env.foreign.id in str(c.body) or self.env.foreign.id in c.path for c in calls
        ):
            calls = [*self.env.foreign_origin, *calls]
        return calls

    def expectation(self, operation: str, body: Any, path: dict[str, str] | None = None) -> Expectation:
        return expect(operation, body, {}, {"namespace": "music", **(path or {})}, self.model)

    def post(
        self, operation: str, body: Any, path: dict[str, str] | None = None
    ) -> tuple[Response, Sent, Expectation]:
        """Send one step's request as the run's user, with what the documents say its answer must be
        (taken before sending: the model is the state the request meets)."""
        exp = self.expectation(operation, body, path)
        r, sent = send(self.env.client, self.log, operation, body=body, path=path)
        return r, sent, exp

    def over_limit(
        self, data: DataObject, operation: str, candidates: Callable[[], list[str]]
    ) -> tuple[Response, Sent, Expectation]:
        """An add or delete of ``OVER`` entries: a few of ``candidates`` repeated past the limit."""
        self.settle_collection()
        chosen = pick_some(data, candidates(), 1, 3)
        body = {"TrackIds": [chosen[i % len(chosen)] for i in range(OVER)]}
        return self.post(operation, body)

    def minted(self, data: DataObject, playlist: bool = False) -> str:
        guid = str(data.draw(st.uuids(version=4)))
        upper = data.draw(st.booleans())
        value = guid_playlist_id(guid) if playlist else guid_track_id(guid, upper=upper)
        self.model.minted.add(key(value))
        return value

    def name(self, data: DataObject) -> str:
        suffix = "".join(data.draw(st.lists(st.sampled_from(NAME_CHARS), max_size=8)))
        return self.env.registry.name("sm") + suffix

    def playlist_touched(self) -> None:
        """A playlist add was sent: under one reading of E20 it also adds to the collection."""
        self.collection_unsure = True

    @judges("ADD-READBACK")
    def settle_collection(self) -> None:
        """Before a step that judges the collection: adopt what it holds after playlist adds (E20)."""
        if self.collection_unsure and self.model.collection is not None:
            got = self.readback("ADD-READBACK", "the collection", self._collection)
            if got is not None:
                self.model.collection = set(got)
        self.collection_unsure = False

    def check_collection(self, req: str, why: str) -> None:
        if self.model.collection is None:
            return
        actual = self.readback(req, "the collection", self._collection)
        if actual is None:
            return
        got = set(actual)
        missing = sorted(self.model.collection - got)
        extra = sorted(got - self.model.collection)
        self.note(
            req,
            not missing and not extra,
            f"the collection read back ({why})",
            expected=f"{len(self.model.collection)} tracks as the model holds",
            actual=f"missing {missing[:5]}, unexpected {extra[:5]}" if missing or extra else "the same",
        )
        self.model.collection = got if not missing and not extra else self.model.collection

    def check_entries(
        self, playlist: PlaylistModel, req: str, why: str, order_req: str | None = None
    ) -> None:
        """The playlist's entries read back equal the model's (as a set under ``req``, in order
        under ``order_req``, default the same requirement)."""
        if not self.caps.playlist_tracks_browse:
            return
        got = self.readback(req, f"the tracks of {playlist.id}", lambda: self._entries(playlist.id))
        if got is None:
            return
        same_set = sorted(got) == sorted(playlist.entries)
        self.note(
            req,
            same_set,
            f"the playlist's tracks read back ({why})",
            expected=playlist.entries,
            actual=got,
        )
        if same_set:
            self.note(
                order_req or req,
                got == playlist.entries,
                f"the playlist's order read back ({why})",
                expected=playlist.entries,
                actual=got,
            )
            playlist.entries = list(got)

    @judges("REORDER-MIXED", "REORDER-MIXED-ATOMIC")
    def check_mixed(self, playlist: PlaylistModel) -> None:
        """E07(a): after a Move mixed with one Add, no Move took effect and no track was lost (MUST);
        nothing changed at all (REORDER-MIXED-ATOMIC, SHOULD: the per-item reading applies the Add)."""
        if not self.caps.playlist_tracks_browse:
            return
        what = f"the tracks of {playlist.id}"
        got = self.readback("REORDER-MIXED", what, lambda: self._entries(playlist.id))
        if got is None:
            return
        before = list(playlist.entries)
        kept = [e for e in got if e in before]
        self.note(
            "REORDER-MIXED",
            kept == before and len(got) - len(kept) <= 1,
            "after a Move mixed with an Add: every track still there, in its order (no Move applied)",
            expected=before,
            actual=got,
        )
        self.note(
            "REORDER-MIXED-ATOMIC",
            got == before,
            "a mixed reorder changed nothing",
            expected=before,
            actual=got,
        )
        playlist.entries = list(got)

    @judges("ID-PLAYLIST-BROWSE", "BROWSE-TRACKCOUNT", "ISO-BROWSE")
    def check_listing(self, req: str, why: str) -> dict[str, dict[str, Any]] | None:
        """The playlists browse lists every playlist of the model, with its name, and no foreign one."""
        if not self.caps.browse:
            return None
        listed = self.readback(req, "the playlists", self._playlists)
        if listed is None:
            return None
        by_name = {item.get("Name"): item for item in listed.values()}
        for p in self.model.own_playlists():
            item = listed.get(key(p.id))
            if item is None and p.name in by_name:
                self.note(
                    "ID-PLAYLIST-BROWSE",
                    False,
                    f"playlist {p.id} is listed under its Id",
                    expected=p.id,
                    actual=by_name[p.name].get("Id"),
                )
                item = by_name[p.name]
            if not self.note(
                req,
                item is not None,
                f"playlist {p.id} is listed ({why})",
                expected=p.id,
                actual=sorted(listed)[:5],
            ):
                continue
            self.note(
                req,
                item.get("Name") == p.name,
                f"playlist {p.id} has its name ({why})",
                expected=p.name,
                actual=item.get("Name"),
            )
            if isinstance(item.get("TrackCount"), int) and self.caps.playlist_tracks_browse:
                self.note(
                    "BROWSE-TRACKCOUNT",
                    item["TrackCount"] == len(p.entries),
                    f"TrackCount of {p.id}",
                    expected=len(p.entries),
                    actual=item["TrackCount"],
                )
        if self.env.foreign is not None:
            self.note(
                "ISO-BROWSE",
                key(self.env.foreign.id) not in listed,
                "the second user's playlist is not listed",
                expected="not listed",
                actual=self.env.foreign.id if key(self.env.foreign.id) in listed else "not listed",
            )
        return listed

    def teardown(self) -> None:
        quiet = self.env.quiet
        for p in self.model.own_playlists():
            quiet.playlist_delete(p.id)
        owned = self.model.owned_tracks()
        for i in range(0, len(owned), LIMITS.batch_max):
            batch = owned[i : i + LIMITS.batch_max]
            r = quiet.collection_delete(batch)
            for item in results(r, "collection_delete") or []:
                if succeeded(item):
                    self.model.deleted(item.get("InputId", ""))

    # ---- the collection ------------------------------------------------------------------------
    @judges("ADD-READBACK", "ADD-PARTIAL-APPLIED")
    @precondition(lambda self: self.model.absent_tracks())
    @rule(data=st.data())
    @live
    def add_tracks(self, data: DataObject) -> None:
        self.settle_collection()
        chosen = pick_some(data, self.model.absent_tracks(), 1, 4)
        invalid = [self.minted(data) for _ in range(data.draw(st.integers(0, 2)))]
        body = {"TrackIds": chosen + invalid}
        r, sent, exp = self.post("collection_add", body)
        if r.status == 200:
            for tid, item in matched(r, "collection_add", body["TrackIds"]):
                if succeeded(item) and isinstance(item.get("Id"), str) and self.model.is_catalog(tid):
                    self.model.added(tid, item["Id"])
            self.check_collection("ADD-PARTIAL-APPLIED" if invalid else "ADD-READBACK", "after an add")
        self.judge("add tracks", r, sent, exp)

    @judges("ADD-LIMIT-ATOMIC")
    @precondition(lambda self: self.model.absent_tracks())
    @rule(data=st.data())
    @live
    def add_over_limit(self, data: DataObject) -> None:
        r, sent, exp = self.over_limit(data, "collection_add", self.model.absent_tracks)
        self.check_collection("ADD-LIMIT-ATOMIC", f"after an add of {OVER} entries")
        self.judge("add over the limit", r, sent, exp)

    @judges("CDEL-READBACK", "CDEL-RANDOM", "CDEL-PARTIAL-APPLIED")
    @precondition(lambda self: self.model.owned_tracks())
    @rule(data=st.data())
    @live
    def delete_tracks(self, data: DataObject) -> None:
        self.settle_collection()
        chosen = pick_some(data, self.model.owned_tracks(), 0, 3)
        invalid = [self.minted(data) for _ in range(data.draw(st.integers(0 if chosen else 1, 1)))]
        body = {"TrackIds": chosen + invalid}
        r, sent, exp = self.post("collection_delete", body)
        if r.status == 200:
            for tid, item in matched(r, "collection_delete", body["TrackIds"]):
                if succeeded(item) and tid in chosen:
                    self.model.deleted(tid)
            req = "CDEL-RANDOM" if not chosen else "CDEL-PARTIAL-APPLIED" if invalid else "CDEL-READBACK"
            self.check_collection(req, "after a delete")
        self.judge("delete tracks", r, sent, exp)

    @judges("CDEL-LIMIT-101")
    @precondition(lambda self: self.model.owned_tracks())
    @rule(data=st.data())
    @live
    def delete_over_limit(self, data: DataObject) -> None:
        r, sent, exp = self.over_limit(data, "collection_delete", self.model.owned_tracks)
        if r.status == 200:
            for tid, item in matched(r, "collection_delete", sent.body["TrackIds"]):
                if succeeded(item) and self.model.owns_collection_id(tid):
                    self.model.deleted(tid)
        self.check_collection("CDEL-LIMIT-101", f"after a delete of {OVER} entries (HTTP {r.status})")
        self.judge("delete over the limit", r, sent, exp)

    # ---- playlists -----------------------------------------------------------------------------
    @judges("PCRE-READBACK", "PCRE-TRACKS-READBACK", "PCRE-TRACKS-ORDER", "NAME-STORED")
    @rule(data=st.data())
    @live
    def create_playlist(self, data: DataObject) -> None:
        self.playlist_touched()
        adds = [pick(data, self.env.tracks) for _ in range(data.draw(st.integers(0, 4)))]
        adds += [self.minted(data) for _ in range(data.draw(st.integers(0, 1)))]
        body: dict[str, Any] = {"Name": self.name(data)}
        if data.draw(st.booleans()):
            body["IsPublished"] = data.draw(st.booleans())
        if adds:
            body["TrackActions"] = [{"Id": t, "Action": "Add"} for t in adds]
        r, sent, exp = self.post("playlist_create", body)
        result = r.body.get("PlaylistActionResult") if isinstance(r.body, dict) else None
        if r.status == 200 and isinstance(result, dict) and isinstance(result.get("Id"), str):
            entries = [
                i["Id"]
                for _, i in matched(r, "playlist_create", [a["Id"] for a in body.get("TrackActions", [])])
                if succeeded(i) and isinstance(i.get("Id"), str)
            ]
            playlist = PlaylistModel(result["Id"], body["Name"], bool(body.get("IsPublished")), entries)
            self.model.playlists[key(playlist.id)] = playlist
            self.check_entries(playlist, "PCRE-TRACKS-READBACK", "after a create", "PCRE-TRACKS-ORDER")
            listed = self.check_listing("PCRE-READBACK", "after a create")
            item = (listed or {}).get(key(playlist.id))
            if item is not None:
                self.note(
                    "NAME-STORED",
                    item.get("Name") == body["Name"],
                    "the name is stored as sent",
                    expected=body["Name"],
                    actual=item.get("Name"),
                )
        self.judge("create a playlist", r, sent, exp)

    @judges("PUPD-METADATA", "PUPD-UNCHANGED")
    @precondition(lambda self: self.model.playlists)
    @rule(data=st.data())
    @live
    def rename_playlist(self, data: DataObject) -> None:
        playlist = pick(data, self.model.own_playlists())
        body: dict[str, Any] = {"Id": playlist.id, "Name": self.name(data)}
        if data.draw(st.booleans()):
            body["IsPublished"] = data.draw(st.booleans())
        r, sent, exp = self.post("playlist_update", body)
        if r.status == 200:
            playlist.name = body["Name"]
            playlist.published = body.get("IsPublished", playlist.published)
            self.check_listing("PUPD-METADATA", "after a rename")
            self.check_entries(playlist, "PUPD-UNCHANGED", "after a rename")
        self.judge("rename a playlist", r, sent, exp)

    @judges("PUPD-ADD", "PUPD-ADD-END")
    @precondition(lambda self: self.model.playlists)
    @rule(data=st.data())
    @live
    def add_to_playlist(self, data: DataObject) -> None:
        self.playlist_touched()
        playlist = pick(data, self.model.own_playlists())
        adds = [pick(data, self.env.tracks) for _ in range(data.draw(st.integers(1, 3)))]
        adds += [self.minted(data) for _ in range(data.draw(st.integers(0, 1)))]
        body = {"Id": playlist.id, "TrackActions": [{"Id": t, "Action": "Add"} for t in adds]}
        r, sent, exp = self.post("playlist_update", body)
        if r.status == 200:
            new = [
                i["Id"]
                for _, i in matched(r, "playlist_update", adds)
                if succeeded(i) and isinstance(i.get("Id"), str)
            ]
            before = list(playlist.entries)
            if self.caps.playlist_tracks_browse:
                got = self.readback(
                    "PUPD-ADD", f"the tracks of {playlist.id}", lambda: self._entries(playlist.id)
                )
                if got is not None:
                    kept = [e for e in got if e in before]
                    self.note(
                        "PUPD-ADD",
                        len(got) == len(before) + len(new) and kept == before,
                        f"{len(new)} added entries read back, the others kept in order",
                        expected=f"{before} and {len(new)} more",
                        actual=got,
                    )
                    self.note(
                        "PUPD-ADD-END",
                        got[: len(before)] == before,
                        "added tracks go to the end",
                        expected=f"{before} first",
                        actual=got,
                    )
                    playlist.entries = list(got)
            else:
                playlist.entries = before + new
        self.judge("add tracks to a playlist", r, sent, exp)

    @judges("PUPD-DELETE", "BROWSE-PL-ORDER")
    @precondition(lambda self: any(p.entries for p in self.model.own_playlists()))
    @rule(data=st.data())
    @live
    def delete_from_playlist(self, data: DataObject) -> None:
        playlist = pick(data, [p for p in self.model.own_playlists() if p.entries])
        chosen = pick_some(data, playlist.entries, 1, 2)
        invalid = [self.minted(data) for _ in range(data.draw(st.integers(0, 1)))]
        body = {
            "Id": playlist.id,
            "TrackActions": [{"Id": t, "Action": "Delete"} for t in chosen + invalid],
        }
        r, sent, exp = self.post("playlist_update", body)
        if r.status == 200:
            gone = {t for t, i in matched(r, "playlist_update", chosen + invalid) if succeeded(i)}
            playlist.entries = [e for e in playlist.entries if e not in gone]
            self.check_entries(playlist, "PUPD-DELETE", "after deleting entries", "BROWSE-PL-ORDER")
        self.judge("delete tracks from a playlist", r, sent, exp)

    @judges(*REORDER_REQUIREMENTS)
    @precondition(lambda self: any(len(p.entries) >= 2 for p in self.model.own_playlists()))
    @rule(data=st.data())
    @live
    def move_tracks(self, data: DataObject) -> None:
        playlist = pick(data, [p for p in self.model.own_playlists() if len(p.entries) >= 2])
        moved = pick_some(data, playlist.entries, 1, min(3, len(playlist.entries) - 1))
        others = [e for e in playlist.entries if e not in moved]
        before = None if data.draw(st.booleans()) else pick(data, others)
        body: dict[str, Any] = {
            "Id": playlist.id,
            "TrackActions": [{"Id": m, "Action": "Move"} for m in moved],
        }
        if before is not None:
            body["InsertBeforeTrackId"] = before
        r, sent, exp = self.post("playlist_update", body)
        if r.status == 200:
            req = reorder_requirement(playlist.entries, moved, before)
            candidates = move(playlist.entries, moved, before)
            if self.caps.playlist_tracks_browse:
                got = self.readback(req, f"the tracks of {playlist.id}", lambda: self._entries(playlist.id))
                if got is not None:
                    self.note(
                        req,
                        got in candidates,
                        "the order after the move",
                        expected=" or ".join(map(str, candidates)),
                        actual=got,
                    )
                    playlist.entries = list(got)
            else:
                playlist.entries = candidates[0]
        self.judge("move tracks", r, sent, exp)

    @judges("REORDER-BAD-MOVED", "REORDER-BAD-TARGET")
    @precondition(lambda self: any(p.entries for p in self.model.own_playlists()))
    @rule(data=st.data())
    @live
    def bad_move(self, data: DataObject) -> None:
        playlist = pick(data, [p for p in self.model.own_playlists() if p.entries])
        if data.draw(st.booleans()):
            moved, before, req = [self.minted(data)], None, "REORDER-BAD-MOVED"
        else:
            moved, before, req = [pick(data, playlist.entries)], self.minted(data), "REORDER-BAD-TARGET"
        body: dict[str, Any] = {
            "Id": playlist.id,
            "TrackActions": [{"Id": m, "Action": "Move"} for m in moved],
        }
        if before is not None:
            body["InsertBeforeTrackId"] = before
        r, sent, exp = self.post("playlist_update", body)
        self.check_entries(playlist, req, "a move that must change nothing")
        self.judge("move naming a track not in the playlist", r, sent, exp)

    @precondition(lambda self: any(p.entries for p in self.model.own_playlists()))
    @rule(data=st.data())
    @live
    def mixed_move(self, data: DataObject) -> None:
        self.playlist_touched()
        playlist = pick(data, [p for p in self.model.own_playlists() if p.entries])
        actions = [
            {"Id": pick(data, playlist.entries), "Action": "Move"},
            {"Id": pick(data, self.env.tracks), "Action": "Add"},
        ]
        if data.draw(st.booleans()):
            actions.reverse()
        body = {"Id": playlist.id, "TrackActions": actions}
        r, sent, exp = self.post("playlist_update", body)
        self.check_mixed(playlist)
        self.judge("move mixed with add", r, sent, exp)

    @judges("PUPD-LIMIT-101", "PUPD-ADD-END")
    @precondition(lambda self: self.model.playlists)
    @rule(data=st.data())
    @live
    def update_over_limit(self, data: DataObject) -> None:
        self.playlist_touched()
        playlist = pick(data, self.model.own_playlists())
        body = {
            "Id": playlist.id,
            "TrackActions": [
                {"Id": self.env.tracks[i % len(self.env.tracks)], "Action": "Add"} for i in range(OVER)
            ],
        }
        r, sent, exp = self.post("playlist_update", body)
        if r.status == 200:
            playlist.entries += [
                i["Id"]
                for _, i in matched(r, "playlist_update", [a["Id"] for a in body["TrackActions"]])
                if succeeded(i) and isinstance(i.get("Id"), str)
            ]
        # Applied (E08's other reading): where the added tracks stand is E24's question, judged
        # under the SHOULD PUPD-ADD-END; refused, nothing may have moved (PUPD-LIMIT-101).
        self.check_entries(
            playlist,
            "PUPD-LIMIT-101",
            f"after an update of {OVER} actions (HTTP {r.status})",
            order_req="PUPD-ADD-END" if r.status == 200 else None,
        )
        self.judge("update over the limit", r, sent, exp)

    @judges("PDEL-READBACK", "PDEL-TRACKS-GONE")
    @precondition(lambda self: self.model.playlists)
    @rule(data=st.data())
    @live
    def delete_playlist(self, data: DataObject) -> None:
        playlist = pick(data, self.model.own_playlists())
        body = {"Id": playlist.id}
        r, sent, exp = self.post("playlist_delete", body)
        if r.status == 200:
            self.model.playlist_deleted(playlist.id)
            if self.caps.playlist_tracks_browse:
                gone, _ = send(self.env.client, self.log, "playlist_tracks_browse", path={"id": playlist.id})
                self.note(
                    "PDEL-TRACKS-GONE",
                    gone.status in CLIENT_ERRORS and gone.error is not None,
                    "tracks browse of the deleted playlist",
                    expected="4xx with an Error",
                    actual=gone.status,
                )
            listed = self.check_listing("PDEL-READBACK", "after a delete")
            if listed is not None:
                self.note(
                    "PDEL-READBACK",
                    key(playlist.id) not in listed,
                    "the deleted playlist is gone",
                    expected="not listed",
                    actual="still listed" if key(playlist.id) in listed else "gone",
                )
        self.judge("delete a playlist", r, sent, exp)

    @precondition(lambda self: self.model.deleted_playlists)
    @rule(data=st.data())
    @live
    def use_deleted_playlist(self, data: DataObject) -> None:
        pid = pick(data, self.model.deleted_playlists)
        choice = data.draw(st.integers(0, 2))
        if choice == 0:
            body: Any = {"Id": pid, "Name": self.name(data)}
            op, path = "playlist_update", None
        elif choice == 1:
            body, op, path = {"Id": pid}, "playlist_delete", None
        else:
            body, op, path = None, "playlist_tracks_browse", {"id": pid}
        r, sent, exp = self.post(op, body, path)
        self.judge("use a deleted playlist", r, sent, exp)

    # ---- authentication ----------------------------------------------------------------------
    @judges(
        "AUTH-UNKNOWN-TOKEN",
        "AUTH-MALFORMED",
        "AUTH-ATOKEN-MISSING",
        "AUTH-ATOKEN-INVALID",
        "AUTH-ATOKEN-CODE",
        *(AUTH_MISSING[op] for op in REFUSED_OPERATIONS),
    )
    @rule(data=st.data())
    @live
    def rejected_auth(self, data: DataObject) -> None:
        self.settle_collection()
        variants = ["none", "unknown", "malformed"] + (["no-developer", "bad-developer"] if self.xbox else [])
        variant = pick(data, variants)
        available = {
            "playlist_update": bool(self.model.playlists),
            "playlist_delete": bool(self.model.playlists),
            "collection_delete": bool(self.model.owned_tracks()),
        }
        ops = [op for op in REFUSED_OPERATIONS if available.get(op, True)]
        op = pick(data, ops)
        playlist = pick(data, self.model.own_playlists()) if self.model.playlists else None
        body: dict[str, Any] = {
            "collection_add": lambda: {"TrackIds": [pick(data, self.env.tracks)]},
            "collection_delete": lambda: {"TrackIds": [pick(data, self.model.owned_tracks() or ["x"])]},
            "playlist_create": lambda: {"Name": self.name(data)},
            "playlist_update": lambda: {"Id": playlist.id, "Name": self.name(data)},
            "playlist_delete": lambda: {"Id": playlist.id},
        }[op]()
        token = f"groove-conformance-unknown-{secrets.token_hex(8)}"
        spec: dict[str, tuple[AuthSpec | None, str, str | None, str]] = {
            "none": (NONE, "none", "developer", AUTH_MISSING[op]),
            "unknown": (with_token(token), f"token:{token}", "developer", "AUTH-UNKNOWN-TOKEN"),
            "malformed": (
                raw_auth(("Authorization", "Bearer")),
                "malformed",
                "developer",
                "AUTH-MALFORMED",
            ),
            "no-developer": (None, "no-developer-token", None, "AUTH-ATOKEN-MISSING"),
            "bad-developer": (
                None,
                "developer:not-a-developer-token",
                "Bearer not-a-developer-token",
                "AUTH-ATOKEN-INVALID",
            ),
        }
        auth, label, access, req = spec[variant]
        exp = Expectation(op, None, None, f"{variant} credentials", kind="reject")
        r, sent = send(
            self.env.client, self.log, op, body=body, auth=auth, auth_label=label, access_token=access
        )
        if variant in ("none", "unknown", "malformed"):
            self.record(judging.auth_refused(req, r, f"with {variant} credentials"))
        else:
            self.record([judging.status(req, r, 401, f"{variant} credentials")])
            if r.status == 401:
                wanted = "ACCESS_TOKEN_MISSING" if variant == "no-developer" else "ACCESS_TOKEN_INVALID"
                self.record([judging.error_code("AUTH-ATOKEN-CODE", r, wanted)])
        self.check_collection(req, "a request refused for its credentials changes nothing")
        if playlist is not None and op.startswith("playlist"):
            self.check_entries(playlist, req, "a request refused for its credentials changes nothing")
            listed = self.check_listing(req, "a request refused for its credentials changes nothing")
            if listed is not None and op == "playlist_delete":
                self.note(
                    req,
                    key(playlist.id) in listed,
                    "the playlist still exists",
                    expected="listed",
                    actual="listed" if key(playlist.id) in listed else "gone",
                )
        if op == "playlist_create" and r.status == 200:
            # A server that created it anyway: keep the model true for the rest of the run.
            result = r.body.get("PlaylistActionResult") if isinstance(r.body, dict) else None
            if isinstance(result, dict) and isinstance(result.get("Id"), str):
                self.model.playlists[key(result["Id"])] = PlaylistModel(result["Id"], body["Name"], False)
        self.judge(f"request with {variant} credentials", r, sent, exp)

    # ---- the second user ---------------------------------------------------------------------
    @judges("ISO-UPDATE", "ISO-PDEL")
    @precondition(lambda self: self.model.foreign is not None)
    @rule(data=st.data())
    @live
    def change_foreign_playlist(self, data: DataObject) -> None:
        foreign = self.model.foreign
        assert foreign is not None
        choice = data.draw(st.integers(0, 3))
        if choice == 3:
            op, body, req = "playlist_delete", {"Id": foreign.id}, "ISO-PDEL"
        else:
            op, req = "playlist_update", "ISO-UPDATE"
            body = [
                {"Id": foreign.id, "Name": self.name(data)},
                {"Id": foreign.id, "TrackActions": [{"Id": pick(data, self.env.tracks), "Action": "Add"}]},
                {
                    "Id": foreign.id,
                    "TrackActions": [{"Id": pick(data, foreign.entries or ["x"]), "Action": "Delete"}],
                },
            ][choice]
        exp = Expectation(op, None, None, "another user's playlist", kind="reject")
        r, sent = send(self.env.client, self.log, op, body=body)
        self.note(
            req,
            r.status in CLIENT_ERRORS and r.error is not None,
            "4xx with an Error",
            expected="4xx with an Error",
            actual=f"{r.status} {r.body}"[:300],
        )
        after = self.readback(req, "the second user's playlist", self._foreign_state)
        if after is not None:
            self.note(
                req,
                after.name == foreign.name and after.entries == foreign.entries,
                "the second user's playlist is unchanged",
                expected=(foreign.name, foreign.entries),
                actual=(after.name, after.entries),
            )
            self.model.foreign = after
        self.judge("change the second user's playlist", r, sent, exp)


def declared_requirements(machine: type[RuleBasedStateMachine]) -> tuple[str, ...]:
    """The union of what the rules and checks of ``machine`` declare with :func:`judges`, sorted."""
    found: set[str] = set()
    for member in vars(machine).values():
        found.update(getattr(member, _JUDGES, ()))
    return tuple(sorted(found))


# What the machine records itself, derived from its rules and checks.
RULE_REQUIREMENTS = declared_requirements(CollectionMachine)
# Every requirement the machine may record (its test's marker): its own, and those of the checks
# every answer goes through (:mod:`conformance.fuzz.oracle`, :mod:`conformance.fuzz.checks`).
REQUIREMENTS = tuple(
    sorted(set(RULE_REQUIREMENTS) | set(ORACLE_REQUIREMENTS) | {r for reqs in CUSTOM.values() for r in reqs})
)


def bind(env: MachineEnv) -> type[CollectionMachine]:
    """The machine class of one run: :class:`CollectionMachine` with ``env`` bound."""
    return type(CollectionMachine.__name__, (CollectionMachine,), {"env": env})


def run_machine(env: MachineEnv) -> None:
    """Run the machine at the level's runs and steps; record what it found through ``verify``."""
    settle(env)
    make_foreign(env)
    machine = bind(env)
    final: Violation | None = None
    try:
        run_state_machine_as_test(machine, settings=machine_settings(env.effort))
    except Exception as exc:  # noqa: BLE001 - a Violation (maybe inside Hypothesis' group) is a finding
        final = env.tally.outcome(exc)
    finally:
        if env.foreign is not None and env.other is not None:
            env.other.derive(transcript=None).playlist_delete(env.foreign.id)
    env.tally.record(final, note=f"{env.tally.examples} steps, {REPRODUCIBLE}")
