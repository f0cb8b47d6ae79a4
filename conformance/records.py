"""What one conformance test leaves behind: the hand-off between the harness and the reports.

The pytest plugin fills these while the suite runs; ``conformance.report`` turns a list of them
into per-requirement verdicts and into report.json / report.html / report.md / junit.xml.
Keeping them plain dataclasses (JSON-serialisable through ``asdict``) lets pytest-xdist workers
ship them to the controller and lets the report code be tested without running a server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Outcome = Literal["passed", "failed", "skipped", "error"]
# Exchange fields that travel with the records (to the xdist controller, into a HAR file) but
# that report.json does not hold: it was published without them.
NOT_IN_REPORT = ("started_at",)
# Transcript entries a test keeps (the latest ones; the client drops the oldest beyond it).
MAX_EXCHANGES_PER_TEST = 200


@dataclass
class Exchange:
    """One HTTP request and its answer, with every credential already redacted."""

    method: str
    url: str
    request_headers: dict[str, str]
    request_body: str | None
    status: int | None
    response_headers: dict[str, str]
    response_body: str | None
    elapsed_ms: float
    error: str | None = None  # transport failure (timeout, reset, refused), when there was no answer
    truncated: bool = False  # a body was cut at the transcript cap
    started_at: str | None = None  # when the request was sent: ISO 8601, UTC, milliseconds

    def to_dict(self) -> dict[str, Any]:
        """``dataclasses.asdict`` of this flat record, without its deep copy (see ``TestRecord``)."""
        return {
            **self.__dict__,
            "request_headers": dict(self.request_headers),
            "response_headers": dict(self.response_headers),
        }


def wall_clock() -> str:
    """The time an exchange starts, as ``Exchange.started_at`` holds it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class CheckResult:
    """One assertion about one requirement, made by ``verify`` inside a test."""

    requirement: str
    passed: bool
    message: str
    expected: str | None = None
    actual: str | None = None
    # The operation of the request the test had sent last when the check was made (its request
    # log): what the per-operation verdicts of the report count the check under. None when the
    # test had sent nothing an operation of the contract matches (or the check judged them all).
    operation: str | None = None


@dataclass
class TestRecord:
    """One collected test of the suite and what became of it."""

    __test__ = False  # a data class, not a test: keeps pytest from collecting it where imported

    nodeid: str
    requirements: list[str]
    outcome: Outcome
    duration_s: float = 0.0
    message: str | None = None  # failure text, or the skip reason
    checks: list[CheckResult] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """What ``dataclasses.asdict`` gives, made directly: every field of the record and of its
        checks and exchanges is flat (no dataclass below them), and ``asdict``'s deep copy of
        each value took a tenth of a quick run's time, once per test."""
        out = dict(self.__dict__)
        out["requirements"] = list(self.requirements)
        out["checks"] = [dict(c.__dict__) for c in self.checks]
        out["exchanges"] = [e.to_dict() for e in self.exchanges]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestRecord:
        return cls(
            nodeid=data["nodeid"],
            requirements=list(data["requirements"]),
            outcome=data["outcome"],
            duration_s=data.get("duration_s", 0.0),
            message=data.get("message"),
            checks=[CheckResult(**c) for c in data.get("checks", [])],
            exchanges=[Exchange(**e) for e in data.get("exchanges", [])],
        )


@dataclass
class RunInfo:
    """The run as a whole: what was tested, how, and when (never a credential)."""

    tool_version: str
    target: str
    embedded: bool
    profile: str
    options: dict[str, Any]
    started_at: str  # ISO 8601, UTC
    finished_at: str
    capabilities: dict[str, Any] = field(default_factory=dict)
