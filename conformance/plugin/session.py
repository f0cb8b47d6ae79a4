"""``Harness``: everything one pytest process knows about the run, from start to cleanup.

It starts (or finds) the target: without ``--target`` the reference emulator in a child process
(or a thread, ``GROOVE_EMBEDDED=thread``), with two generated users; it probes the target, opens
the journal of what the run creates on a foreign target, snapshots the users' existing data so
the run never touches it, hands out the catalog, builds the clients, and at the end removes what
the run created and stops the emulator. Under pytest-xdist each worker has its own harness;
``worker_output`` is what a worker tells the controller. Workers against one foreign target share
its user's data: each takes a share of the catalog and a tag in its playlist names (:class:`Share`),
its read-backs keep only what it can tell is not the others' (``conformance.readback.share``), and
no change of one lands inside another's paged read (``conformance.worker_lock``).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from conformance import readback
from conformance.catalog_ids import DOCUMENT_VALID_TRACK_IDS
from conformance.cleanup import CleanupResult, Registry
from conformance.client import NONE, Client, ClientConfig
from conformance.ids import key
from conformance.journal import Journal, journal_path
from conformance.plugin.bound import RunBound
from conformance.plugin.probe import Capabilities, StartError, probe
from conformance.plugin.tracks import TrackAllocator
from conformance.profiles import Profile, get_profile
from conformance.worker_lock import WorkerLock, open_lock

if TYPE_CHECKING:
    import httpx
    import pytest

    from conformance.emulator import EmulatorConfig, PendingEmulator
    from conformance.plugin.options import Settings
    from conformance.records import Exchange, TestRecord

# "thread" serves the embedded emulator from a thread of the pytest process (default: a child process)
EMBEDDED_MODE_VAR = "GROOVE_EMBEDDED"


class EmbeddedTarget(Protocol):
    """What the harness needs of a started emulator (in a child process or in a thread)."""

    url: str

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Share:
    """This xdist worker's part of a foreign target that all the run's workers share.

    Each worker takes every ``count``-th catalog ID from ``index`` on, so that no worker adds,
    deletes or settles a track another one is using, and names its playlists with ``tag``, so that
    each tells its own from the others'. (Against the embedded target each worker has an emulator
    of its own, and no share.)
    """

    index: int
    count: int

    @property
    def tag(self) -> str:
        return f"gw{self.index}"

    def mine(self, ids: list[str]) -> list[str]:
        return ids[self.index :: self.count]

    def view(self, ids: list[str], registry: Registry) -> readback.Shared:
        """What this worker's read-backs keep (``readback.Shared``): its share, names, ledger."""
        return readback.Shared(frozenset(key(i) for i in self.mine(ids)), registry.prefix, registry)


def now() -> str:
    """The time as reports show it (UTC, seconds)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


class Harness:
    """Everything one pytest process knows about the run (a worker, or the whole run)."""

    def __init__(self, config: pytest.Config, settings: Settings, run_id: str) -> None:
        self.config = config
        self.settings = settings
        self.run_id = run_id
        workerinput = getattr(config, "workerinput", None)
        self.worker: str | None = workerinput.get("workerid") if workerinput else None
        self.is_worker = workerinput is not None
        self.started_at = now()
        self.started = False
        self.start_error: str | None = None
        self.embedded = settings.target is None
        self.base_url: str | None = settings.target
        self._tokens: dict[str, str | None] = {}
        self._developer: str | None = None
        self.emulator: EmbeddedTarget | None = None
        self.http: httpx.Client | None = None
        self.client_config: ClientConfig | None = None
        self.capabilities = Capabilities()
        self.registry: Registry | None = None
        self._config: EmulatorConfig | None = None  # the embedded emulator's
        self._pending: PendingEmulator | None = None  # its process, started early (``prepare``)
        self.worker_lock: WorkerLock | None = None  # workers sharing a foreign target
        self._removal_clients: dict[str, Client] | None = None
        self.tracks: TrackAllocator | None = None
        self.cleanup_result: CleanupResult | None = None
        self.cleanup_error: str | None = None
        self.records: list[TestRecord] = []
        self.non_suite_failures = 0
        self.baseline: dict[str, str] | None = None
        self.report: dict[str, Any] | None = None
        self.report_note: str | None = None
        self.har_line: str | None = None  # where --har wrote the run's exchanges, for the summary
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

        share = self._share()
        self.worker_lock = open_lock(self.run_id) if share is not None else None
        self.http = httpx.Client()
        self.client_config = ClientConfig(
            base_url=self.base_url or "",
            profile=self.profile,
            developer_token=self._developer,
            secrets=tuple(self.secrets),
            timeout_s=s.request_timeout,
            gate=self.worker_lock,
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
        self.registry = Registry(self.run_id, journal=journal, tag=share.tag if share else None)
        if self.capabilities.browse:
            self.capabilities.snapshot = self._snapshot(self.registry)
        ids, source = self._catalog()
        if share is not None:
            readback.share(share.view(ids, self.registry))
            ids = share.mine(ids)
            source = f"{source}, share {share.index + 1} of {share.count} (one per worker)"
        self.tracks = TrackAllocator(ids, source)
        self.started = True

    def _snapshot(self, registry: Registry) -> bool:
        """Read what the users had before the run; False when it cannot be read. Workers sharing a
        target take the first one's (``worker_lock``): a later worker's own read could already
        hold an earlier one's data and take it for the user's."""
        users = [user for user, token in self._tokens.items() if token]

        def take() -> dict[str, tuple[set[str], set[str]]] | None:
            if not all(registry.snapshot(user, self.client(user)) for user in users):
                return None
            return {user: before for user in users if (before := registry.before(user)) is not None}

        if self.worker_lock is None:
            return take() is not None
        snap = self.worker_lock.first_snapshot(take)
        if snap is None:
            return False
        for user, (playlists, tracks) in snap.items():
            if registry.before(user) is None:
                registry.adopt_snapshot(user, playlists, tracks)
        return True

    def _start_emulator(self) -> None:
        """The embedded target: the reference emulator in a child process of this one.

        A process, not a thread, so that the suite and the server do not share one interpreter
        lock (``bench/suite_speed.py``). Each xdist worker starts its own. ``GROOVE_EMBEDDED=thread``
        serves it from a thread of this process instead, as before (for comparisons).
        """
        try:
            from conformance.emulator import start_in_thread
        except ImportError as exc:
            raise StartError(
                f"no --target given and the reference emulator is not available ({exc})"
            ) from None
        config = self._embedded_config()
        pending, self._pending = self._pending, None
        try:
            if self._in_thread:
                emulator: EmbeddedTarget = start_in_thread(config)
            else:
                emulator = (pending or self._spawn(config)).ready()
        except Exception as exc:  # noqa: BLE001 - any failure to start is one line for the user
            raise StartError(f"the embedded emulator did not start: {type(exc).__name__}: {exc}") from None
        self.emulator = emulator
        self.base_url = emulator.url.rstrip("/")
        self._tokens = dict(config.users)
        self._developer = config.developer_token

    def _embedded_config(self) -> EmulatorConfig:
        """The embedded emulator's config: the given tokens, or fresh ones (made once)."""
        if self._config is None:
            from conformance.emulator import EmulatorConfig

            s = self.settings
            developer = s.developer_token or (
                secrets.token_urlsafe(24) if self.profile.needs_developer_token else None
            )
            self._config = EmulatorConfig(
                profile=s.profile,
                users={
                    "user": s.user_token or secrets.token_urlsafe(24),
                    "other": s.other_user_token or secrets.token_urlsafe(24),
                },
                developer_token=developer,
                catalog=list(s.catalog_ids) if s.catalog_ids else None,
            )
        return self._config

    @property
    def _in_thread(self) -> bool:
        """``GROOVE_EMBEDDED=thread``: the embedded emulator serves from a thread of this process."""
        return os.environ.get(EMBEDDED_MODE_VAR) == "thread"

    @staticmethod
    def _spawn(config: EmulatorConfig) -> PendingEmulator:
        from conformance.emulator import spawn_in_process

        return spawn_in_process(config)

    def prepare(self) -> None:
        """Start the embedded emulator's process early (when the suite's first file is collected),
        so that its start-up runs on the other core while this process collects; ``start`` then
        only waits for it. Nothing for a foreign target, a thread-served emulator, or a second call.
        """
        if self.settings.target or self.started or self._pending is not None or self._in_thread:
            return
        try:
            self._pending = self._spawn(self._embedded_config())
        except Exception:  # noqa: BLE001 - start() tries again and reports the failure in one line
            self._pending = None

    def _catalog(self) -> tuple[list[str], str]:
        """The run's valid catalog IDs (every worker's), and where they come from."""
        s = self.settings
        if s.catalog_ids:
            return list(s.catalog_ids), f"--catalog {s.catalog_file}"
        if self.embedded:
            from conformance.emulator import builtin_catalog

            return builtin_catalog(), "the emulator's built-in catalog"
        return list(DOCUMENT_VALID_TRACK_IDS), "the IDs the documents show as valid"

    def _share(self) -> Share | None:
        """This worker's share of a foreign target shared with the run's other xdist workers."""
        if self.embedded or not (self.worker and self.worker.startswith("gw") and self.worker[2:].isdigit()):
            return None
        count = max(int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1), 1)
        return Share(int(self.worker[2:]), count) if count > 1 else None

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

    def _user_clients(self) -> dict[str, Client]:
        """A client per user with a token (no transcript): what removal and cleanup send as."""
        if self._removal_clients is None:
            self._removal_clients = {u: self.client(u) for u, tok in self._tokens.items() if tok}
        return self._removal_clients

    # ---- after each test --------------------------------------------------------------------
    def mark(self) -> int | None:
        """Where a test begins in the run's ledger (None before the target started)."""
        return self.registry.mark() if self.registry is not None else None

    def remove_test_data(self, mark: int | None) -> None:
        """Remove what the test that began at ``mark`` created (``Registry.remove_since``)."""
        if mark is None or self.registry is None or self.registry.cleaned or not self.started:
            return
        try:
            self.registry.remove_since(mark, self._user_clients())
        except Exception:  # noqa: BLE001 - an odd answer here is the end-of-run cleanup's to report
            pass

    # ---- end -----------------------------------------------------------------------------------
    def cleanup(self) -> None:
        """Remove what the run created; idempotent, never raises."""
        if self.registry is None or self.registry.cleaned or not self.started:
            return
        try:
            clients = self._user_clients()
            self.cleanup_result = self.registry.cleanup(clients, sweep=self.capabilities.snapshot)
        except Exception as exc:  # noqa: BLE001 - cleanup must not hide the run's result
            self.registry.cleaned = True
            self.cleanup_error = f"{type(exc).__name__}: {exc}"

    def stop(self) -> None:
        self.cleanup()
        readback.share(None)
        if self.http is not None:
            self.http.close()
            self.http = None
        if self.worker_lock is not None:
            self.worker_lock.close()
        if self._pending is not None:  # started early, and no test needed it
            self._pending.abandon()
            self._pending = None
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

    def target_line(self) -> str:
        """The line the run starts with: what is tested, how, and what the probe found."""
        caps = self.capabilities
        where = "embedded reference emulator" if self.embedded else "foreign target"
        return (
            f"groove-conformance: {self.base_url} ({where}), profile {self.settings.profile}, "
            f"level {self.settings.effort}, "
            f"run {self.run_id}; browse: {'yes' if caps.browse else 'no'}; "
            f"second user: {'yes' if caps.other_user else 'no'}; catalog: {len(self.tracks or [])} IDs"
        )
