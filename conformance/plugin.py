"""The pytest plugin: options, the embedded target, the requirement marker, ``verify``, records.

Registered through the ``pytest11`` entry point, so it is loaded by every pytest run of an
environment where groove-conformance is installed; it therefore only acts on the conformance
suite's items (those under a package named by the ``conformance_suite_packages`` ini option,
``conformance.suite`` by default, and any test carrying ``@pytest.mark.requirement``).
``pytest tests`` of this project, or of any other project, is left alone.

A suite run goes like this:

1. options come from the command line or the environment (``GROOVE_*``); tokens are kept out
   of every repr, terminal line and report;
2. after collection, when suite items are selected: without ``--target`` the reference
   emulator is started on a free loopback port (two generated users, a developer token, the
   built-in catalog); the target is probed (reachable, token accepted, browse or not). When it
   cannot be used the run stops with one line and exit status ``EXIT_TARGET_UNAVAILABLE``;
3. each test gets a record (``records.TestRecord``): its ``verify`` checks and the transcript
   of every exchange its clients made; a failed MUST check (any check under ``--strict``)
   fails the test at the end, with expected vs actual;
4. records travel to the pytest-xdist controller on the teardown report and are merged there;
5. at the end, what the run created is removed (``cleanup.Registry``), the emulator is stopped,
   and the records go to ``conformance.report``, whose verdict is the exit status: 0 when no
   requirement failed (SHOULD failures are advisory unless strict), 1 otherwise.
"""

from __future__ import annotations

import inspect
import os
import secrets
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from conformance import __version__, judging
from conformance.catalog_ids import DOCUMENT_VALID_TRACK_IDS, CatalogFileError, read_catalog_file
from conformance.catalogue import blocks
from conformance.cleanup import CleanupResult, Registry
from conformance.client import NONE, Client, ClientConfig, GuardError, TransportError
from conformance.journal import Journal, journal_path
from conformance.ownership import new_run_id
from conformance.profiles import DEFAULT_PROFILE, PROFILES, Profile, get_profile
from conformance.records import CheckResult, Exchange, RunInfo, TestRecord
from conformance.verify import Verify, VerifyUsageError

# Exit status of a usage error: an option with a value that cannot be used, or a target that is
# unreachable, refuses the token or is not a Groove API. pytest's own code, so that a mistake of
# the user is never read as a verdict (1 means only "the server does not conform"): nothing was
# tested and no report is written. ``groove-conformance`` exits with it for its own usage errors.
EXIT_USAGE_ERROR = int(pytest.ExitCode.USAGE_ERROR)
EXIT_TARGET_UNAVAILABLE = EXIT_USAGE_ERROR

MARKER = "requirement"
DEFAULT_EFFORT = "standard"
DEFAULT_SUITE_PACKAGES = ["conformance.suite"]
MESSAGE_CAP = 4000

# (option, dest, environment variable) for every option that may come from the environment.
ENV_OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("--target", "groove_target", "GROOVE_TARGET"),
    ("--profile", "groove_profile", "GROOVE_PROFILE"),
    ("--user-token", "groove_user_token", "GROOVE_USER_TOKEN"),
    ("--other-user-token", "groove_other_user_token", "GROOVE_OTHER_USER_TOKEN"),
    ("--developer-token", "groove_developer_token", "GROOVE_DEVELOPER_TOKEN"),
    ("--catalog", "groove_catalog", "GROOVE_CATALOG"),
    ("--report-dir", "groove_report_dir", "GROOVE_REPORT_DIR"),
    ("--conformance-level", "groove_level", "GROOVE_CONFORMANCE_LEVEL"),
    ("--baseline", "groove_baseline", "GROOVE_BASELINE"),
    ("--request-timeout", "groove_request_timeout", "GROOVE_REQUEST_TIMEOUT"),
    ("--max-transport-failures", "groove_max_transport_failures", "GROOVE_MAX_TRANSPORT_FAILURES"),
    ("--run-deadline", "groove_run_deadline", "GROOVE_RUN_DEADLINE"),
)
# After this many consecutive tests that got no usable answer (TransportError) the target is
# taken for gone and the run stops: every further test would only pay its request timeouts.
DEFAULT_MAX_TRANSPORT_FAILURES = 10


# --- levels ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Effort:
    """How hard generated tests try: ``--conformance-level quick|standard|thorough``."""

    name: str
    examples_per_operation: int  # generated examples per operation (schemathesis / Hypothesis)
    state_machine_steps: int  # steps per run of a state machine
    state_machine_examples: int  # runs of a state machine


EFFORTS: dict[str, Effort] = {
    "quick": Effort("quick", examples_per_operation=10, state_machine_steps=10, state_machine_examples=5),
    "standard": Effort(
        "standard", examples_per_operation=50, state_machine_steps=25, state_machine_examples=20
    ),
    "thorough": Effort(
        "thorough", examples_per_operation=250, state_machine_steps=50, state_machine_examples=100
    ),
}


# --- settings ----------------------------------------------------------------------------------
class SettingsError(ValueError):
    """An option (or its environment variable) with a value that cannot be used."""


@dataclass
class Settings:
    """The run's options, resolved from the command line and the environment."""

    target: str | None
    profile: str
    user_token: str | None = field(repr=False)
    other_user_token: str | None = field(repr=False)
    developer_token: str | None = field(repr=False)
    catalog_file: Path | None
    report_dir: Path | None
    strict: bool
    effort: str  # --conformance-level: how hard generated tests try (not a requirement level)
    baseline: Path | None
    request_timeout: float
    max_transport_failures: int = DEFAULT_MAX_TRANSPORT_FAILURES  # 0: never stop for them
    run_deadline: float | None = None  # seconds of run time after which no test is started
    catalog_ids: tuple[str, ...] = field(default=(), repr=False)  # read from catalog_file

    @classmethod
    def from_config(cls, config: pytest.Config, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(dest: str, var: str) -> str | None:
            value = config.getoption(dest, None)
            if value in (None, ""):
                value = env.get(var) or None
            return value

        values = {dest: get(dest, var) for _, dest, var in ENV_OPTIONS}
        profile = values["groove_profile"] or DEFAULT_PROFILE
        if profile not in PROFILES:
            raise SettingsError(
                f"--profile / GROOVE_PROFILE: unknown profile {profile!r}; "
                f"choose one of {', '.join(PROFILES)}"
            )
        effort = values["groove_level"] or DEFAULT_EFFORT
        if effort not in EFFORTS:
            raise SettingsError(
                f"--conformance-level / GROOVE_CONFORMANCE_LEVEL: unknown level {effort!r}; "
                f"choose one of {', '.join(EFFORTS)}"
            )
        target = _target(values["groove_target"])
        user_token, other_token = values["groove_user_token"], values["groove_other_user_token"]
        if user_token and other_token and user_token.strip() == other_token.strip():
            raise SettingsError(
                "the two users are one account: --user-token and --other-user-token "
                "(GROOVE_USER_TOKEN, GROOVE_OTHER_USER_TOKEN) are the same token; the isolation "
                "checks need a second user"
            )
        catalog = Path(values["groove_catalog"]) if values["groove_catalog"] else None
        catalog_ids: tuple[str, ...] = ()
        if catalog is not None:
            if not catalog.is_file():
                raise SettingsError(f"--catalog / GROOVE_CATALOG: no such file {catalog}")
            try:
                catalog_ids = tuple(read_catalog_file(catalog))
            except CatalogFileError as exc:
                raise SettingsError(f"--catalog / GROOVE_CATALOG: {exc}") from None
        baseline = Path(values["groove_baseline"]) if values["groove_baseline"] else None
        if baseline is not None and not baseline.is_file():
            raise SettingsError(f"--baseline / GROOVE_BASELINE: no such file {baseline}")
        try:
            timeout = float(values["groove_request_timeout"] or 10.0)
        except ValueError:
            raise SettingsError(
                "--request-timeout / GROOVE_REQUEST_TIMEOUT must be a number of seconds, "
                f"not {values['groove_request_timeout']!r}"
            ) from None
        if not 0 < timeout <= 600:
            raise SettingsError(
                "--request-timeout / GROOVE_REQUEST_TIMEOUT must be more than 0 and at most 600 "
                f"seconds, not {timeout:g}"
            )
        return cls(
            target=target,
            max_transport_failures=_max_transport_failures(values["groove_max_transport_failures"]),
            run_deadline=_run_deadline(values["groove_run_deadline"]),
            profile=profile,
            user_token=user_token,
            other_user_token=other_token,
            developer_token=values["groove_developer_token"],
            catalog_file=catalog,
            report_dir=Path(values["groove_report_dir"]) if values["groove_report_dir"] else None,
            strict=_strict(config, env),
            effort=effort,
            baseline=baseline,
            request_timeout=timeout,
            catalog_ids=catalog_ids,
        )

    def public(self) -> dict[str, Any]:
        """The options as a report may show them: which tokens were given, never their values."""
        return {
            "target": self.target,
            "profile": self.profile,
            "level": self.effort,
            "strict": self.strict,
            "catalog": str(self.catalog_file) if self.catalog_file else None,
            "report_dir": str(self.report_dir) if self.report_dir else None,
            "baseline": str(self.baseline) if self.baseline else None,
            "request_timeout_s": self.request_timeout,
            "max_transport_failures": self.max_transport_failures,
            "run_deadline_s": self.run_deadline,
            "credentials_given": [
                name
                for name, value in (
                    ("user", self.user_token),
                    ("other user", self.other_user_token),
                    ("developer", self.developer_token),
                )
                if value
            ],
        }


def _max_transport_failures(value: str | None) -> int:
    if value is None:
        return DEFAULT_MAX_TRANSPORT_FAILURES
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise SettingsError(
            "--max-transport-failures / GROOVE_MAX_TRANSPORT_FAILURES must be a whole number of "
            f"tests, 0 or more (0: never stop), not {value!r}"
        )
    return count


def _run_deadline(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < float("inf"):
        raise SettingsError(
            f"--run-deadline / GROOVE_RUN_DEADLINE must be a number of seconds more than 0, not {value!r}"
        )
    return seconds


class RunBound:
    """When to stop a run early (``session.shouldstop``), judged each time a suite test ends.

    Two user options: ``--max-transport-failures N`` (N consecutive tests that failed with a
    ``TransportError``: the target is gone; a test that got its answers resets the count, a skip
    leaves it) and ``--run-deadline S`` (no test is started once S seconds of run time have passed).
    Each pytest process judges its own tests: under pytest-xdist every worker counts apart.
    """

    def __init__(self, max_transport_failures: int, deadline_s: float | None, started: float) -> None:
        self.max_transport_failures = max_transport_failures
        self.deadline_s = deadline_s
        self.started = started
        self.consecutive = 0
        self.reason: str | None = None

    def test_ended(self, outcome: str, transport_failure: bool, now: float) -> str | None:
        """The reason to stop after a test with ``outcome``, or None; the first reason stays."""
        if transport_failure:
            self.consecutive += 1
        elif outcome != "skipped":
            self.consecutive = 0
        if self.reason is None:
            if self.max_transport_failures and self.consecutive >= self.max_transport_failures:
                self.reason = (
                    f"stopped after {self.consecutive} consecutive tests without a usable answer "
                    f"from the target (--max-transport-failures {self.max_transport_failures})"
                )
            elif self.deadline_s is not None and now - self.started >= self.deadline_s:
                self.reason = f"stopped at the run deadline ({self.deadline_s:g} s, --run-deadline)"
        return self.reason


def api_root() -> str:
    """The path every operation of the contract starts with (``/1/content/``), from openapi.yaml."""
    from conformance.contract import OPERATIONS

    prefix = os.path.commonprefix([template for _, template in OPERATIONS.values()])
    return prefix[: prefix.rfind("/") + 1]


def _target(value: str | None) -> str | None:
    """``--target``: an http(s) URL of the server's root, under which the suite adds the API paths."""
    if value is None:
        return None
    target = value.strip().rstrip("/")
    if not target.startswith(("http://", "https://")):
        raise SettingsError(f"--target / GROOVE_TARGET must be an http:// or https:// URL, not {target!r}")
    parts = urlsplit(target)
    root = api_root()
    at = (parts.path + "/").find(root)
    if at >= 0:
        server = urlunsplit((parts.scheme, parts.netloc, parts.path[:at], "", ""))
        raise SettingsError(
            f"--target / GROOVE_TARGET: give the server's root URL ({server}), not an API path "
            f"({parts.path}): the suite adds {root}... itself"
        )
    if parts.query or parts.fragment:
        raise SettingsError(
            f"--target / GROOVE_TARGET: give the server's root URL, with no query or fragment: {target!r}"
        )
    return target


def _strict(config: pytest.Config, env: Any) -> bool:
    """``--strict`` is pytest's own flag (pytest 9: the ``strict`` ini value); we honour it, and
    ``--conformance-strict`` / ``GROOVE_STRICT=1`` ask for conformance strictness alone."""
    if config.getoption("groove_strict", False):
        return True
    if str(env.get("GROOVE_STRICT", "")).lower() in ("1", "true", "yes", "on"):
        return True
    try:
        if config.getini("strict"):
            return True
    except (ValueError, KeyError):
        pass
    return bool(getattr(config.option, "strict", False))


# --- catalog, capabilities -------------------------------------------------------------------
class TrackAllocator:
    """Valid catalog track IDs of the target, handed out so tests rarely share one."""

    def __init__(self, ids: Iterable[str], source: str) -> None:
        seen: set[str] = set()
        self.ids: list[str] = []
        for i in ids:
            if i.upper() not in seen:
                seen.add(i.upper())
                self.ids.append(i)
        self.source = source
        self.retired = 0  # IDs dropped because the user already had them (``retire``)
        self._cursor = 0

    def __len__(self) -> int:
        return len(self.ids)

    def __repr__(self) -> str:
        return f"<TrackAllocator {len(self.ids)} IDs from {self.source}>"

    def retire(self, track_id: str) -> None:
        """Hand ``track_id`` out no more: the user had it in their collection before the run, so
        what an add of it answers is theirs, and a test could not delete it (see ``add_tracks``)."""
        k = track_id.upper()
        for n, i in enumerate(self.ids):
            if i.upper() == k:
                del self.ids[n]
                self.retired += 1
                if n < self._cursor:
                    self._cursor -= 1
                self._cursor = self._cursor % len(self.ids) if self.ids else 0
                return

    def take(self, n: int) -> list[str]:
        """``n`` distinct valid IDs; the test is skipped when the catalog holds fewer."""
        if n > len(self.ids) or not self.ids:
            had = f", {self.retired} more the user already has" if self.retired else ""
            pytest.skip(f"needs {n} catalog IDs (have {len(self.ids)}{had}; give more with --catalog FILE)")
        out = [self.ids[(self._cursor + k) % len(self.ids)] for k in range(n)]
        self._cursor = (self._cursor + n) % len(self.ids)
        return out

    @staticmethod
    def invalid(n: int = 1, *, lower: bool = False) -> list[str]:
        """Random GUID track IDs (``music.<guid>``) that no catalog holds, like the documents' examples."""
        out = []
        for _ in range(n):
            guid = str(uuid.uuid4())
            out.append(f"music.{guid if lower else guid.upper()}")
        return out


@dataclass
class Capabilities:
    """What the probe found out about the target."""

    reachable: bool = False
    browse: bool = False  # GET .../collection/{type}/browse answers
    playlist_tracks_browse: bool = False  # GET .../{id}/collection/playlist/tracks/browse exists
    snapshot: bool = False  # the users' existing data was read (protected from the run)
    other_user: bool = False
    notes: list[str] = field(default_factory=list)

    def require_browse(self) -> None:
        if not self.browse:
            pytest.skip("target has no browse endpoint")

    def require_tracks_browse(self) -> None:
        if not self.playlist_tracks_browse:
            pytest.skip("target has no playlist tracks browse endpoint")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class StartError(Exception):
    """The run cannot start; the message is the one line the user sees."""


def probe(client: Client, other: Client | None = None) -> Capabilities:
    """Is the target there, does it take the token, can it be browsed? Raises StartError when not.

    A target that answers but is not a Groove API at all (another web server, a wrong port) is
    stopped here too, on evidence that every Groove server gives, however wrong it is otherwise:
    an ``Error`` envelope, a JSON or XML object in a 2xx answer, or a request refused for want of
    a token. Only when no probe got any of these is the target declared foreign (``_foreign``);
    the further probes are sent only then, so a target that answers like the API on the first
    request sees no more of them than before.
    """
    caps = Capabilities()
    base = client.config.base_url
    try:
        r = client.collection_browse("playlists", max_items=1, guard=False)
    except TransportError as exc:
        raise StartError(f"target unreachable: {exc}") from None
    caps.reachable = True
    _refused(r, "user token", "--user-token / GROOVE_USER_TOKEN", client.profile)
    caps.browse = (r.status == 200 and isinstance(r.body, dict)) or judging.is_no_result(r)  # E30
    if not caps.browse:
        answers = [("GET .../collection/playlists/browse", r)]
        caps.notes.append(f"collection browse answered HTTP {r.status}")
        # The token still has to be checked, by a request that changes nothing: an add of no
        # tracks (E10: nothing changed; E19: authentication comes first).
        r = _quietly(client.collection_add, [])
        _refused(r, "user token", "--user-token / GROOVE_USER_TOKEN", client.profile)
        answers.append(("POST .../collection/add", r))
        if r.status in (404, 405) and r.error is None:
            raise StartError(
                f"{base} does not serve the collection API (POST .../collection/add answered "
                f"HTTP {r.status}); is --target the server's root URL?"
            )
        if not any(_answers_like_the_api(a) for _, a in answers):
            # The same add without the user's credential: a Groove server refuses it (401/403),
            # whatever it answered with one.
            anon = client.derive(user_token=None, default_auth=NONE, transcript=None)
            r = _quietly(anon.collection_add, [])
            answers.append(("the same without a token", r))
            if not (r.status in (401, 403) or _answers_like_the_api(r)):
                raise StartError(_foreign(base, answers))
    else:
        fake = f"music.playlist.{uuid.uuid4()}"
        t = _quietly(client.playlist_tracks_browse, fake, max_items=1)
        caps.playlist_tracks_browse = t.status == 200 or t.error is not None
    if other is not None:
        r = (
            _quietly(other.collection_browse, "playlists", max_items=1)
            if caps.browse
            else _quietly(other.collection_add, [])
        )
        _refused(r, "second user's token", "--other-user-token / GROOVE_OTHER_USER_TOKEN", client.profile)
        caps.other_user = True
    return caps


def _answers_like_the_api(r: Any) -> bool:
    """An answer only a Groove API gives: an Error envelope, or a JSON/XML object in a 2xx answer
    (XML counts only in the API's namespace: the decoder refuses any other). An answer cut at the
    size cap proves nothing either way, so it counts too: the suite runs and says what it saw."""
    return r.error is not None or (200 <= r.status < 300 and isinstance(r.body, dict)) or r.truncated


def _foreign(base: str, answers: list[tuple[str, Any]]) -> str:
    def shown(r: Any) -> str:
        kind = (r.content_type.split(";", 1)[0].strip() or "no Content-Type") if r.raw else "empty body"
        if r.redirect_refused:
            kind += ", a redirect to another origin (not followed)"
        return f"HTTP {r.status} {kind}"

    seen = "; ".join(f"{what}: {shown(r)}" for what, r in answers)
    return (
        f"{base} does not answer like a Groove API ({seen}: no Error envelope, no JSON or XML result, "
        "nothing refused for want of a token); is --target the server's root URL?"
    )


def _quietly(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, guard=False, **kwargs)
    except TransportError as exc:
        raise StartError(f"the target stopped answering during the capability probe: {exc}") from None


def _refused(r: Any, what: str, where: str, profile: Profile) -> None:
    if r.status not in (401, 403):
        return
    code = f" {r.error_code}" if r.error_code else ""
    hint = where
    if profile.needs_developer_token and r.error_code and r.error_code.startswith("ACCESS_TOKEN"):
        what, hint = "developer token", "--developer-token / GROOVE_DEVELOPER_TOKEN"
    raise StartError(f"the target refused the {what} (HTTP {r.status}{code}); check {hint}")


# --- the session ----------------------------------------------------------------------------------
HARNESS_KEY = pytest.StashKey["Harness"]()
# "thread" serves the embedded emulator from a thread of the pytest process (default: a child process)
EMBEDDED_MODE_VAR = "GROOVE_EMBEDDED"
STATE_KEY = pytest.StashKey["ItemState"]()
SUITE_KEY = pytest.StashKey[bool]()


def load_requirements() -> dict[str, Any]:
    """The requirement catalogue (ID -> Requirement); one indirection so tests can swap it."""
    from conformance.catalogue import load_catalogue

    return load_catalogue()


def _level_of(req_id: str) -> str:
    req = load_requirements().get(req_id)
    return getattr(req, "level", "MUST") if req is not None else "MUST"


class Harness:
    """Everything one pytest process knows about the run (a worker, or the whole run)."""

    def __init__(self, config: pytest.Config, settings: Settings, run_id: str) -> None:
        self.config = config
        self.settings = settings
        self.run_id = run_id
        workerinput = getattr(config, "workerinput", None)
        self.worker: str | None = workerinput.get("workerid") if workerinput else None
        self.is_worker = workerinput is not None
        self.started_at = _now()
        self.started = False
        self.start_error: str | None = None
        self.embedded = settings.target is None
        self.base_url: str | None = settings.target
        self._tokens: dict[str, str | None] = {}
        self._developer: str | None = None
        self.emulator: Any = None
        self.http: Any = None
        self.client_config: ClientConfig | None = None
        self.capabilities = Capabilities()
        self.registry: Registry | None = None
        self.tracks: TrackAllocator | None = None
        self.cleanup_result: CleanupResult | None = None
        self.cleanup_error: str | None = None
        self.records: list[TestRecord] = []
        self.non_suite_failures = 0
        self.baseline: dict[str, str] | None = None
        self.report: dict[str, Any] | None = None
        self.report_note: str | None = None
        self.worker_outputs: list[dict[str, Any]] = []
        self.bound = RunBound(settings.max_transport_failures, settings.run_deadline, time.monotonic())

    def __repr__(self) -> str:
        return f"<Harness run={self.run_id} target={self.base_url} started={self.started}>"

    @property
    def profile(self) -> Profile:
        return get_profile(self.settings.profile)

    @property
    def stopped(self) -> str | None:
        """Why the run was stopped early (this process, or the first worker that stopped)."""
        workers = (o["stopped"] for o in self.worker_outputs if o.get("stopped"))
        return self.bound.reason or next(workers, None)

    @property
    def secrets(self) -> list[str]:
        return [t for t in (*self._tokens.values(), self._developer) if t]

    # ---- start -----------------------------------------------------------------------------------
    def start(self) -> None:
        """Start (or find) the target and probe it; StartError with one line when impossible."""
        if self.started:
            return
        s = self.settings
        if s.target:
            if not s.user_token:
                raise StartError("--target needs a user token: --user-token or GROOVE_USER_TOKEN")
            if self.profile.needs_developer_token and not s.developer_token:
                raise StartError(
                    f"profile {s.profile} needs a developer token: --developer-token or "
                    "GROOVE_DEVELOPER_TOKEN"
                )
            self._tokens = {"user": s.user_token, "other": s.other_user_token}
            self._developer = s.developer_token
        else:
            self._start_emulator()
        import httpx

        self.http = httpx.Client()
        self.client_config = ClientConfig(
            base_url=self.base_url or "",
            profile=self.profile,
            developer_token=self._developer,
            secrets=tuple(self.secrets),
            timeout_s=s.request_timeout,
        )
        other = self.client("other") if self._tokens.get("other") else None
        self.capabilities = probe(self.client("user"), other)
        journal = None
        if not self.embedded:
            journal = Journal(
                journal_path(self.run_id, self.worker),
                target=self.base_url or "",
                profile=s.profile,
                run_id=self.run_id,
            )
        self.registry = Registry(self.run_id, journal=journal)
        if self.capabilities.browse:
            ok = all(
                self.registry.snapshot(user, self.client(user)) for user, tok in self._tokens.items() if tok
            )
            self.capabilities.snapshot = ok
        self.tracks = self._tracks()
        self.started = True

    def _start_emulator(self) -> None:
        """The embedded target: the reference emulator in a child process of this one.

        A process, not a thread, so that the suite and the server do not share one interpreter
        lock (``bench/suite_speed.py``). Each xdist worker starts its own. ``GROOVE_EMBEDDED=thread``
        serves it from a thread of this process instead, as before (for comparisons).
        """
        s = self.settings
        try:
            from conformance.emulator import EmulatorConfig, start_in_process, start_in_thread
        except ImportError as exc:
            raise StartError(
                f"no --target given and the reference emulator is not available ({exc})"
            ) from None
        user = s.user_token or secrets.token_urlsafe(24)
        other = s.other_user_token or secrets.token_urlsafe(24)
        developer = s.developer_token or (
            secrets.token_urlsafe(24) if self.profile.needs_developer_token else None
        )
        catalog = list(s.catalog_ids) if s.catalog_ids else None
        try:
            start = start_in_thread if os.environ.get(EMBEDDED_MODE_VAR) == "thread" else start_in_process
            self.emulator = start(
                EmulatorConfig(
                    profile=s.profile,
                    users={"user": user, "other": other},
                    developer_token=developer,
                    catalog=catalog,
                )
            )
        except Exception as exc:  # noqa: BLE001 - any failure to start is one line for the user
            raise StartError(f"the embedded emulator did not start: {type(exc).__name__}: {exc}") from None
        self.base_url = self.emulator.url.rstrip("/")
        self._tokens = {"user": user, "other": other}
        self._developer = developer

    def _tracks(self) -> TrackAllocator:
        s = self.settings
        if s.catalog_ids:
            ids, source = list(s.catalog_ids), f"--catalog {s.catalog_file}"
        elif self.embedded:
            from conformance.emulator import builtin_catalog

            ids, source = builtin_catalog(), "the emulator's built-in catalog"
        else:
            ids, source = list(DOCUMENT_VALID_TRACK_IDS), "the IDs the documents show as valid"
        if self.worker and self.worker.startswith("gw") and self.worker[2:].isdigit() and not self.embedded:
            # xdist workers share a foreign target's collection: each takes its own share of the
            # catalog, so that no worker adds, deletes or settles a track another one is using.
            # (Against the embedded target each worker has an emulator of its own.)
            count = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1), 1)
            index = int(self.worker[2:])
            ids, source = ids[index::count], f"{source}, share {index + 1} of {count} (one per worker)"
        return TrackAllocator(ids, source)

    # ---- clients -------------------------------------------------------------------------------
    def client(self, user: str = "user", transcript: list[Exchange] | None = None) -> Client:
        assert self.client_config is not None, "the harness has not started"
        token = self._tokens.get(user) if user != "anon" else None
        return Client(
            self.client_config,
            token,
            http=self.http,
            transcript=transcript,
            registry=self.registry,
            user_label=user,
            default_auth="user" if token else NONE,
        )

    def has_user(self, user: str) -> bool:
        return bool(self._tokens.get(user))

    # ---- end -----------------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Remove what the run created; idempotent, never raises."""
        if self.registry is None or self.registry.cleaned or not self.started:
            return
        try:
            clients = {u: self.client(u) for u, tok in self._tokens.items() if tok}
            self.cleanup_result = self.registry.cleanup(clients, sweep=self.capabilities.snapshot)
        except Exception as exc:  # noqa: BLE001 - cleanup must not hide the run's result
            self.registry.cleaned = True
            self.cleanup_error = f"{type(exc).__name__}: {exc}"

    def stop(self) -> None:
        self.cleanup()
        if self.http is not None:
            self.http.close()
            self.http = None
        if self.emulator is not None:
            try:
                self.emulator.stop()
            finally:
                self.emulator = None

    def worker_output(self) -> dict[str, Any]:
        """What a worker tells the controller (JSON-able, no credential)."""
        res = self.cleanup_result
        return {
            "worker": self.worker,
            "started": self.started,
            "start_error": self.start_error,
            "base_url": self.base_url,
            "embedded": self.embedded,
            "capabilities": self.capabilities.to_dict(),
            "cleanup": res.line() if res else None,
            "cleanup_left": len(res.left) if res else 0,
            "cleanup_error": self.cleanup_error,
            "stopped": self.bound.reason,
            "journal": str(self.registry.journal.path) if self.registry and self.registry.journal else None,
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _harness(config: pytest.Config) -> Harness:
    return config.stash[HARNESS_KEY]


# --- per test ---------------------------------------------------------------------------------------
@dataclass
class ItemState:
    """The record of one suite test while it runs."""

    requirements: list[str]
    checks: list[CheckResult] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    verify: Verify | None = None
    outcome: str | None = None
    message: str | None = None
    duration: float = 0.0
    transport_failure: bool = False  # the test ended on a TransportError (see RunBound)

    def absorb(self, report: pytest.TestReport, call: pytest.CallInfo) -> None:
        self.duration += report.duration
        if report.skipped:
            self.outcome = "skipped"
            self.message = _skip_reason(report)
        elif report.failed:
            text = _failure_text(call)
            if report.when == "call":
                self.outcome, self.message = "failed", text
            elif self.outcome in (None, "passed"):
                self.outcome, self.message = "error", f"{report.when}: {text}"
        elif report.when == "call":
            self.outcome = "passed"

    def record(self, nodeid: str) -> TestRecord:
        return TestRecord(
            nodeid=nodeid,
            requirements=list(self.requirements),
            outcome=self.outcome or "error",
            duration_s=round(self.duration, 4),
            message=self.message,
            checks=list(self.checks),
            exchanges=list(self.exchanges),
        )


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        reason = str(longrepr[2])
    else:
        reason = str(longrepr)
    return reason.removeprefix("Skipped: ")


def _failure_text(call: pytest.CallInfo) -> str:
    if call.excinfo is None:
        return "failed"
    exc = call.excinfo.value
    if isinstance(exc, pytest.fail.Exception):
        text = str(exc.msg)
    elif isinstance(exc, TransportError | GuardError | VerifyUsageError):
        text = f"{type(exc).__name__}: {exc}"
    else:
        text = call.excinfo.exconly()
    return text if len(text) <= MESSAGE_CAP else text[: MESSAGE_CAP - 1] + "…"


def marker_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers(MARKER):
        for arg in mark.args:
            if arg not in ids:
                ids.append(arg)
    return ids


def _in_packages(module_name: str, packages: Iterable[str]) -> bool:
    return any(module_name == p or module_name.startswith(p + ".") for p in packages)


def _applies(item: pytest.Item, profile: str) -> bool:
    """Whether at least one of the test's requirements holds in ``profile``."""
    catalogue = load_requirements()
    for req_id in marker_ids(item):
        profiles = getattr(catalogue.get(req_id), "profiles", ())
        if not profiles or profile in profiles:
            return True
    return False


def is_suite_item(item: pytest.Item) -> bool:
    return bool(item.stash.get(SUITE_KEY, False))


# --- hooks -----------------------------------------------------------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("groove-conformance", "Groove collection-edit API conformance suite")
    group.addoption(
        "--target",
        dest="groove_target",
        metavar="URL",
        help="base URL of the server to test (GROOVE_TARGET); default: the embedded reference emulator",
    )
    group.addoption(
        "--profile",
        dest="groove_profile",
        metavar="|".join(PROFILES),
        # no argparse choices: Settings says what is wrong in one line (a usage error, exit 4),
        # for the option and its environment variable alike
        help=f"dialect of the documents to test against (GROOVE_PROFILE); default {DEFAULT_PROFILE}",
    )
    group.addoption(
        "--user-token",
        dest="groove_user_token",
        metavar="TOKEN",
        help="the test user's token (GROOVE_USER_TOKEN; prefer the variable: it stays off command lines)",
    )
    group.addoption(
        "--other-user-token",
        dest="groove_other_user_token",
        metavar="TOKEN",
        help="a second user's token, for isolation checks (GROOVE_OTHER_USER_TOKEN)",
    )
    group.addoption(
        "--developer-token",
        dest="groove_developer_token",
        metavar="TOKEN",
        help="developer token, xbox-2013 accessToken (GROOVE_DEVELOPER_TOKEN)",
    )
    group.addoption(
        "--catalog",
        dest="groove_catalog",
        metavar="FILE",
        help="valid catalog track IDs of the target, one per line (GROOVE_CATALOG)",
    )
    group.addoption(
        "--report-dir",
        dest="groove_report_dir",
        metavar="DIR",
        help="write report.json, report.html, report.md and junit.xml here (GROOVE_REPORT_DIR)",
    )
    group.addoption(
        "--conformance-strict",
        dest="groove_strict",
        action="store_true",
        default=False,
        help="SHOULD failures fail the run too (same as pytest's --strict, without pytest's "
        "own strict modes; GROOVE_STRICT=1)",
    )
    group.addoption(
        "--conformance-level",
        dest="groove_level",
        metavar="|".join(EFFORTS),
        help=f"how many generated examples (GROOVE_CONFORMANCE_LEVEL); default {DEFAULT_EFFORT}",
    )
    group.addoption(
        "--baseline",
        dest="groove_baseline",
        metavar="FILE",
        help="expected failures (requirement IDs with reasons): only others fail the run (GROOVE_BASELINE)",
    )
    group.addoption(
        "--request-timeout",
        dest="groove_request_timeout",
        metavar="SECONDS",
        help="bound on each request to the target (GROOVE_REQUEST_TIMEOUT); default 10",
    )
    group.addoption(
        "--max-transport-failures",
        dest="groove_max_transport_failures",
        metavar="N",
        help="stop the run after N consecutive tests that got no usable answer from the target "
        f"(GROOVE_MAX_TRANSPORT_FAILURES); default {DEFAULT_MAX_TRANSPORT_FAILURES}, 0: never",
    )
    group.addoption(
        "--run-deadline",
        dest="groove_run_deadline",
        metavar="SECONDS",
        help="start no test after SECONDS of run time; the run is reported as stopped "
        "(GROOVE_RUN_DEADLINE); default: none",
    )
    parser.addini(
        "conformance_suite_packages",
        type="linelist",
        default=list(DEFAULT_SUITE_PACKAGES),
        help="packages whose tests form the conformance suite (each needs a requirement marker)",
    )


# --- where pytest roots the run: the values of path options are not test paths ---------------------
# pytest settles the rootdir, the ini file and so ``testpaths`` from the command line *before* it
# loads entry-point plugins (pytest issue 8846): ``--catalog FILE`` (a space, as the README writes
# it) is then an unknown option followed by a free argument, and an existing FILE outside the
# checkout is taken for a test path. The rootdir moves to FILE's directory, the checkout's
# ``testpaths`` are lost and ``pytest`` collects the whole checkout, the project's own ``tests/``
# included. Once this plugin's options are known the question can be asked again: the first hook
# pytest calls on entry-point plugins with the options parsed recomputes the setup from the real
# free arguments, and puts it in place before any conftest or test path is looked at.
INI_KEYS_APPLIED_EARLY = ("addopts", "pythonpath", "required_plugins")  # used before the hook
OPTION_NAMES = frozenset(opt for opt, _, _ in ENV_OPTIONS)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config, args: list[str]) -> None:
    _settle_rootdir(early_config, args)


def _settle_rootdir(config: pytest.Config, args: list[str]) -> None:
    """Redo pytest's rootdir/ini determination with the free arguments it should have had.

    The setup pytest computed is replaced only when it differs, and only when nothing it read
    from the wrong ini file (or missed in the right one) has already been applied; otherwise,
    and on a pytest whose internals differ, the run stops with a usage error that says how to
    write the option instead (``--opt=VALUE`` is never misread).
    """
    misread = [
        (opt, value)
        for opt, value in zip(args, args[1:], strict=False)
        if opt in OPTION_NAMES and _exists(value)
    ]
    setup = _recomputed_setup(config)
    if setup is None:
        if misread:
            raise pytest.UsageError(_misread_line(misread))
        return
    if (setup[0], setup[1]) == (config.rootpath, config.inipath):
        return  # nothing was mistaken for a test path
    ini_attr = "_inicfg" if hasattr(config, "_inicfg") else "inicfg"
    applied_early = [
        key
        for cfg in (getattr(config, ini_attr, None) or {}, setup[2] or {})
        for key in INI_KEYS_APPLIED_EARLY
        if key in cfg
    ]
    if applied_early or not all(hasattr(config, a) for a in ("_rootpath", "_inipath", "_inicache", ini_attr)):
        raise pytest.UsageError(_misread_line(misread))
    old_default_confcutdir = str(config.inipath.parent if config.inipath else config.rootpath)
    config._rootpath, config._inipath = setup[0], setup[1]
    setattr(config, ini_attr, setup[2])
    if len(setup) > 3 and hasattr(config, "_ignored_config_files"):
        config._ignored_config_files = setup[3]
    config._inicache.clear()
    config._parser.extra_info["rootdir"] = str(config.rootpath)
    config._parser.extra_info["inifile"] = str(config.inipath)
    ns = config.known_args_namespace
    if ns.confcutdir == old_default_confcutdir and not any(a.startswith("--confcutdir") for a in args):
        ns.confcutdir = str(config.inipath.parent if config.inipath else config.rootpath)


def _recomputed_setup(config: pytest.Config) -> tuple[Any, ...] | None:
    """``findpaths.determine_setup`` on the free arguments as parsed now; None when it cannot be asked."""
    ns = config.known_args_namespace
    given = {
        "inifile": getattr(ns, "inifilename", None),
        "override_ini": getattr(ns, "override_ini", None),
        "args": list(getattr(ns, "file_or_dir", None) or []),
        "rootdir_cmd_arg": getattr(ns, "rootdir", None) or None,
        "invocation_dir": config.invocation_params.dir,
    }
    try:
        from _pytest.config import findpaths

        accepted = inspect.signature(findpaths.determine_setup).parameters
        setup = findpaths.determine_setup(**{k: v for k, v in given.items() if k in accepted})
    except (ImportError, TypeError, ValueError, AttributeError):
        return None
    return tuple(setup) if isinstance(setup, tuple) and len(setup) >= 3 else None


def _exists(value: str) -> bool:
    try:
        return Path(value).exists()
    except (OSError, ValueError):
        return False


def _misread_line(misread: list[tuple[str, str]]) -> str:
    written = ", ".join(f"{opt}={value}" for opt, value in misread) or "--option=VALUE"
    return (
        "pytest took the value of an option for a test path (pytest issue 8846) and would collect "
        f"the wrong tests; write {written}"
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*ids): the requirement IDs (conformance/requirements.yaml) this test checks"
    )
    try:
        settings = Settings.from_config(config)
    except SettingsError as exc:
        raise pytest.UsageError(str(exc)) from None
    workerinput = getattr(config, "workerinput", None)
    run_id = workerinput.get("groove_run_id") if workerinput else None
    harness = Harness(config, settings, run_id or new_run_id())
    config.stash[HARNESS_KEY] = harness
    if settings.baseline and not harness.is_worker:
        harness.baseline = _load_baseline(settings.baseline)
    if not harness.is_worker:
        config.pluginmanager.register(_RecordCollector(harness), "groove-conformance-records")
    if config.pluginmanager.hasplugin("xdist") and not harness.is_worker:
        config.pluginmanager.register(_XdistController(harness), "groove-conformance-xdist")


def _load_baseline(path: Path) -> dict[str, str]:
    try:
        from conformance.report import BaselineError, load_baseline
    except ImportError as exc:
        raise pytest.UsageError(f"--baseline needs conformance.report ({exc})") from None
    try:
        return load_baseline(path, known_ids=load_requirements().keys())
    except BaselineError as exc:
        raise pytest.UsageError(str(exc)) from None


class _XdistController:
    """Controller-side hooks: hand the run ID to workers, gather what they report."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["groove_run_id"] = self.harness.run_id

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        out = getattr(node, "workeroutput", {}).get("groove")
        if out:
            self.harness.worker_outputs.append(out)


@pytest.hookimpl(wrapper=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    """Refuse, at collection, a suite test without a requirement marker or with an unknown ID."""
    result = yield
    if result is None:
        return result
    items = result if isinstance(result, list) else [result]
    functions = [i for i in items if isinstance(i, pytest.Function)]
    if not functions:
        return result
    module = getattr(collector, "module", None)
    module_name = getattr(module, "__name__", "")
    in_suite = _in_packages(module_name, collector.config.getini("conformance_suite_packages"))
    for item in functions:
        has_marker = item.get_closest_marker(MARKER) is not None
        if not (in_suite or has_marker):
            continue
        ids = marker_ids(item)
        if not ids:
            raise collector.CollectError(
                f'{item.name}: every test of the conformance suite needs @pytest.mark.{MARKER}("ID", ...) '
                "naming the requirement IDs it checks (conformance/requirements.yaml)"
            )
        bad = [i for i in ids if not isinstance(i, str)]
        try:
            known = load_requirements()
        except Exception as exc:  # noqa: BLE001 - a broken catalogue is one clear collection error
            raise collector.CollectError(f"cannot load the requirement catalogue: {exc}") from None
        unknown = bad or [i for i in ids if i not in known]
        if unknown:
            raise collector.CollectError(
                f"{item.name}: unknown requirement ID{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(map(repr, unknown))}: not in the requirement catalogue "
                "(conformance/requirements.yaml)"
            )
        item.stash[SUITE_KEY] = True
    return result


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Once the selection is final: drop the tests of another profile; start and probe the target."""
    harness = _harness(config)
    if not any(is_suite_item(i) for i in items):
        return
    # A test whose requirements all belong to the other dialect is not part of this run (its
    # requirements are reported "not applicable", not skipped).
    other_profile = [i for i in items if is_suite_item(i) and not _applies(i, harness.settings.profile)]
    if other_profile:
        config.hook.pytest_deselected(items=other_profile)
        items[:] = [i for i in items if i not in set(other_profile)]
    if not any(is_suite_item(i) for i in items) or config.option.collectonly:
        return
    try:
        harness.start()
    except (StartError, SettingsError) as exc:
        line = f"groove-conformance: cannot run the suite: {exc}"
        harness.start_error = line
        harness.stop()
        if harness.is_worker:
            # A usage error inside an xdist worker is an internal error of the controller; the
            # worker runs nothing and the controller prints the line and sets the status.
            config.hook.pytest_deselected(items=list(items))
            items[:] = []
            return
        # pytest prints a usage error as one line on stderr ("ERROR: ...") and exits 4 without
        # running anything; pytest_sessionfinish sees start_error and writes no report.
        raise pytest.UsageError(line) from None
    tr = config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None and not harness.is_worker:
        tr.write_line(_target_line(harness))


def _target_line(h: Harness) -> str:
    caps = h.capabilities
    where = "embedded reference emulator" if h.embedded else "foreign target"
    return (
        f"groove-conformance: {h.base_url} ({where}), profile {h.settings.profile}, "
        f"level {h.settings.effort}, "
        f"run {h.run_id}; browse: {'yes' if caps.browse else 'no'}; "
        f"second user: {'yes' if caps.other_user else 'no'}; catalog: {len(h.tracks or [])} IDs"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if not is_suite_item(item):
        return
    item.stash[STATE_KEY] = ItemState(requirements=marker_ids(item))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    result = yield
    state = item.stash.get(STATE_KEY, None)
    if state is not None and state.verify is not None and state.verify.blocking_failures():
        pytest.fail(state.verify.summary(), pytrace=False)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    state = item.stash.get(STATE_KEY, None)
    if state is None:
        return report
    if call.excinfo is not None and call.excinfo.errisinstance(
        (TransportError, GuardError, VerifyUsageError)
    ):
        report.longrepr = f"{type(call.excinfo.value).__name__}: {call.excinfo.value}"
        state.transport_failure |= call.excinfo.errisinstance(TransportError)
    state.absorb(report, call)
    report.groove_suite = True  # a suite test's failure is judged by the report, not counted here
    if report.when == "teardown":
        # Attached to the report so that pytest-xdist carries it to the controller.
        report.groove_record = state.record(item.nodeid).to_dict()
        reason = _harness(item.config).bound.test_ended(
            state.outcome or "error", state.transport_failure, time.monotonic()
        )
        if reason and not item.session.shouldstop:
            # pytest (and a pytest-xdist worker) ends after this test; cleanup and the report
            # still happen at session finish.
            item.session.shouldstop = reason
    return report


class _RecordCollector:
    """Gathers the records of suite tests (in the controller, from every worker's reports)."""

    def __init__(self, harness: Harness) -> None:
        self.harness = harness

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, "groove_record", None)
        if data is not None:
            self.harness.records.append(TestRecord.from_dict(data))
        elif report.failed and not getattr(report, "groove_suite", False):
            self.harness.non_suite_failures += 1


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    config = session.config
    harness = _harness(config)
    harness.stop()
    if harness.is_worker:
        config.workeroutput["groove"] = harness.worker_output()  # type: ignore[attr-defined]
        return
    errors = [o["start_error"] for o in harness.worker_outputs if o.get("start_error")]
    if errors and not harness.start_error:
        harness.start_error = errors[0]
    if harness.start_error:
        session.exitstatus = EXIT_TARGET_UNAVAILABLE
        return
    if not harness.records:
        return
    _finish_report(session, harness)


def _finish_report(session: pytest.Session, harness: Harness) -> None:
    outs = harness.worker_outputs
    base_url = harness.base_url or next((o["base_url"] for o in outs if o.get("base_url")), "")
    caps = (
        harness.capabilities.to_dict()
        if harness.started
        else next((o["capabilities"] for o in outs if o.get("capabilities")), {})
    )
    run = RunInfo(
        tool_version=__version__,
        target=base_url,
        embedded=harness.embedded,
        profile=harness.settings.profile,
        options={**harness.settings.public(), "run_id": harness.run_id},
        started_at=harness.started_at,
        finished_at=_now(),
        capabilities=caps,
    )
    try:
        from conformance import report as reports
    except ImportError as exc:
        harness.report_note = f"no report: conformance.report is not available ({exc})"
        return
    report = reports.build_report(
        run,
        harness.records,
        strict=harness.settings.strict,
        baseline=harness.baseline,
        catalogue=load_requirements(),
        secrets=harness.secrets,
        stopped=harness.stopped,
    )
    harness.report = report
    if harness.settings.report_dir:
        reports.write_reports(report, harness.settings.report_dir)
    # A run we stopped ends as pytest's "interrupted"; its verdict is the report's (1: not all ran).
    if harness.stopped or session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        verdict = reports.exit_status(report)
        session.exitstatus = max(verdict, 1 if harness.non_suite_failures else 0)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    harness = _harness(config)
    tr = terminalreporter
    if harness.start_error and harness.worker_outputs:
        # The workers' usage error, told once, where pytest tells its own: one line on stderr.
        sys.stderr.write(f"ERROR: {harness.start_error}\n")
        return
    if not harness.records:
        return
    tr.section("groove-conformance")
    advisory = _advisory(harness)
    if advisory:
        tr.write_line(
            f"advisory failures (SHOULD/MAY, not failing the run): {', '.join(advisory)}", yellow=True
        )
    cleanup_lines = (
        [harness.cleanup_result.line()]
        if harness.cleanup_result
        else [f"{o.get('worker')}: {o['cleanup']}" for o in harness.worker_outputs if o.get("cleanup")]
    )
    for line in cleanup_lines:
        tr.write_line(f"cleanup: {line}")
    left = (len(harness.cleanup_result.left) if harness.cleanup_result else 0) + sum(
        o.get("cleanup_left", 0) for o in harness.worker_outputs
    )
    if harness.cleanup_error:
        tr.write_line(f"cleanup failed: {harness.cleanup_error}", red=True)
    if left:
        journals = (
            [str(harness.registry.journal.path)]
            if harness.registry and harness.registry.journal
            else [o["journal"] for o in harness.worker_outputs if o.get("journal")]
        )
        hint = f" --journal {journals[0]}" if journals else ""
        tr.write_line(
            f"{left} item(s) created by this run are still on the target; remove them with "
            f"`groove-conformance cleanup{hint}`",
            yellow=True,
        )
    if harness.report is not None:
        tr.write_line(str(harness.report.get("overall", {}).get("line", "")))
    if harness.report_note:
        tr.write_line(harness.report_note)
    if harness.settings.report_dir and harness.report is not None:
        tr.write_line(f"report: {harness.settings.report_dir / 'report.html'}")


def _advisory(harness: Harness) -> list[str]:
    found: list[str] = []
    for rec in harness.records:
        for c in rec.checks:
            advisory = not c.passed and not blocks(_level_of(c.requirement), harness.settings.strict)
            if advisory and c.requirement not in found:
                found.append(c.requirement)
    return found


# --- fixtures ---------------------------------------------------------------------------------------------
def _started(request: pytest.FixtureRequest) -> Harness:
    harness = _harness(request.config)
    if not harness.started:
        try:
            harness.start()
        except (StartError, SettingsError) as exc:
            pytest.exit(
                f"groove-conformance: cannot run the suite: {exc}", returncode=EXIT_TARGET_UNAVAILABLE
            )
    return harness


def _state(request: pytest.FixtureRequest) -> ItemState | None:
    return request.node.stash.get(STATE_KEY, None)


@pytest.fixture(scope="session")
def profile(request: pytest.FixtureRequest) -> Profile:
    """The profile (dialect) under test."""
    return _harness(request.config).profile


@pytest.fixture(scope="session")
def effort(request: pytest.FixtureRequest) -> Effort:
    """How hard generated tests try (``--conformance-level``)."""
    return EFFORTS[_harness(request.config).settings.effort]


@pytest.fixture(scope="session")
def capabilities(request: pytest.FixtureRequest) -> Capabilities:
    """What the probe found: ``capabilities.require_browse()`` skips without browse."""
    return _started(request).capabilities


@pytest.fixture(scope="session")
def catalog(request: pytest.FixtureRequest) -> TrackAllocator:
    """The target's catalog as this run may use it: ``catalog.take(n)`` valid IDs, ``catalog.invalid(n)``."""
    allocator = _started(request).tracks
    assert allocator is not None
    return allocator


@pytest.fixture(scope="session")
def created(request: pytest.FixtureRequest) -> Registry:
    """What this run created (removed at the end); ``created.name("label")`` gives a run-prefixed name."""
    harness = _started(request)
    request.addfinalizer(harness.cleanup)
    assert harness.registry is not None
    return harness.registry


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Client:
    """The test user's client; every exchange lands in this test's transcript."""
    harness = _started(request)
    state = _state(request)
    return harness.client("user", state.exchanges if state else None)


@pytest.fixture
def other_client(request: pytest.FixtureRequest) -> Client:
    """The second user's client (skipped without ``--other-user-token``)."""
    harness = _started(request)
    if not harness.has_user("other"):
        pytest.skip("needs --other-user-token")
    state = _state(request)
    return harness.client("other", state.exchanges if state else None)


@pytest.fixture
def anon_client(request: pytest.FixtureRequest) -> Client:
    """A client that sends no user credential (the developer token still goes, in xbox-2013)."""
    harness = _started(request)
    state = _state(request)
    return harness.client("anon", state.exchanges if state else None)


@pytest.fixture
def verify(request: pytest.FixtureRequest) -> Verify:
    """Record checks per requirement; see conformance.verify."""
    state = _state(request)
    if state is None:
        pytest.fail(
            "verify is for conformance suite tests (marked with @pytest.mark.requirement)", pytrace=False
        )
    harness = _harness(request.config)
    state.verify = Verify(
        state.requirements,
        state.checks,
        level_of=_level_of,
        strict=harness.settings.strict,
        transcript=state.exchanges,
    )
    return state.verify


__all__ = [
    "EXIT_TARGET_UNAVAILABLE",
    "Capabilities",
    "TrackAllocator",
    "Harness",
    "EFFORTS",
    "Effort",
    "Settings",
    "probe",
]
