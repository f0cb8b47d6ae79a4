"""The checks every generated request is judged by, each tagged with the requirements it records.

Two kinds, run through the same schemathesis API (``case.validate_response``):

* schemathesis' built-in checks that fit this contract, each judged under one requirement of the
  catalogue (:data:`BUILTIN`): no server error, status code and content type documented for the
  operation, the answer valid against its schema, negative data rejected (only where the
  documents say it must be: :mod:`.oracle`);
* custom checks, registered once with ``@schemathesis.check`` when this module is imported (their
  names start with ``groove_``): the Error envelope of every 4xx answer; documented error codes,
  with the default status the error table gives them; the status the documents require for the
  request (:mod:`.oracle`); the partial-failure invariants (one result per input in request order,
  ``InputId`` echo per E13, ``Id`` exactly on successful adds, a top-level Error exactly when an
  item failed); the playlist result; IDs in the ``music.`` namespace; authentication enforced.

The built-in ``ignored_auth`` is replaced by ``groove_auth_enforced``: its probes would bypass the
project's client (no transcript, no redaction, nothing registered for cleanup) and it cannot tell
the xbox-2013 developer token (checked by other requirements) from the user credential.

A custom check reads the generated request it judges from :data:`CURRENT` (set by the driver
around ``validate_response``); outside a generated test it has nothing to judge and skips.
"""

from __future__ import annotations

import contextvars
import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import schemathesis
from schemathesis.core.failures import FailureGroup

from conformance import catalogue, ids, judging
from conformance.client import NONE, Client, Response
from conformance.fuzz import oracle
from conformance.fuzz.oracle import CLIENT_ERRORS, Expectation
from conformance.fuzz.transport import Sent, send_case
from conformance.judging import AUTH_MISSING, ITEM_FAIL, ITEM_OK, SCHEMA_OK, SOME_FAILED, Finding

if TYPE_CHECKING:
    from schemathesis import Case


@dataclass
class Call:
    """One generated request and its answer, as the custom checks see it."""

    operation: str
    case: Case | None  # None: a request of the state machine
    sent: Sent
    response: Response
    expectation: Expectation
    positive: bool
    client: Client
    probes: list[int]  # [remaining auth probes]: shared by the examples of one test
    log: list[Sent] = field(default_factory=list)  # requests of this example, for the replay script
    findings: list[Finding] = field(default_factory=list)

    @property
    def status(self) -> int:
        return self.response.status

    @property
    def body(self) -> Any:
        return self.response.body


CURRENT: contextvars.ContextVar[Call | None] = contextvars.ContextVar("groove_generated_call", default=None)

# check name -> the requirement IDs it may record (the tests' markers are built from these).
CUSTOM: dict[str, tuple[str, ...]] = {}
_REGISTERED: dict[str, Callable[..., Any]] = {}
_PLAIN: dict[str, Callable[[Call, Judge], None]] = {}  # the same checks, callable without a case


class RequirementFailure(AssertionError):
    """A custom check's failed finding, raised so that schemathesis counts the check as failed."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(
            f"{finding.requirement}: {finding.message}: expected {finding.expected}, got {finding.actual}"
        )


class Judge:
    """What one custom check records about one call."""

    def __init__(self, call: Call, check: str, requirements: tuple[str, ...]) -> None:
        self.call = call
        self.check = check
        self.requirements = requirements
        self.findings: list[Finding] = []

    def that(self, req: str, cond: Any, message: str, expected: Any = None, actual: Any = None) -> bool:
        return self.record(Finding(req, bool(cond), message, expected, actual))

    def record(self, finding: Finding) -> bool:
        """Keep one judgement of :mod:`conformance.judging` (or of the check itself)."""
        req = finding.requirement
        if req not in self.requirements:
            raise KeyError(f"check {self.check} records {req}, which it does not declare")
        if not applies(req, self.call.operation):
            return True  # the catalogue does not judge this operation under it
        self.findings.append(dataclasses.replace(finding, check=self.check))
        return finding.passed

    def record_all(self, findings: list[Finding]) -> bool:
        return all([self.record(f) for f in findings])


@functools.cache
def applies(req: str, operation: str) -> bool:
    """Whether the catalogue judges ``operation`` under ``req``."""
    return operation in catalogue.get(req).operations


def groove_check(*requirements: str) -> Callable[[Callable[[Call, Judge], None]], Callable[..., Any]]:
    """Register ``fn(call, judge)`` as schemathesis check ``fn.__name__``, recording ``requirements``."""

    def register(fn: Callable[[Call, Judge], None]) -> Callable[..., Any]:
        name = fn.__name__

        def check(ctx: Any, response: Any, case: Any) -> bool | None:
            call = CURRENT.get()
            if call is None:
                return True  # not a generated request of this suite: nothing to judge
            judge = Judge(call, name, requirements)
            fn(call, judge)
            call.findings.extend(judge.findings)
            failed = [f for f in judge.findings if not f.passed]
            if failed:
                raise RequirementFailure(failed[0])
            return None

        check.__name__ = name
        check.__qualname__ = name
        check.__doc__ = fn.__doc__
        CUSTOM[name] = tuple(requirements)
        _PLAIN[name] = fn
        _REGISTERED[name] = schemathesis.check(check)
        return _REGISTERED[name]

    return register


# ---- answers --------------------------------------------------------------------------------------------
def results_of(operation: str, body: Any) -> tuple[Any, str]:
    """The per-item results of an answer and where they are (for the messages)."""
    if not isinstance(body, dict):
        return None, "body"
    if operation in ("collection_add", "collection_delete"):
        return body.get("TrackActionResults"), "TrackActionResults"
    inner = body.get("PlaylistActionResult")
    if not isinstance(inner, dict):
        return None, "PlaylistActionResult"
    return inner.get("TrackActionResults"), "PlaylistActionResult.TrackActionResults"


def _matched(call: Call) -> judging.Matching | None:
    """A 200 batch answer's results matched to the request's entries by InputId (None: not one)."""
    exp = call.expectation
    if call.status != 200 or not exp.batch:
        return None
    items, _ = results_of(call.operation, call.body)
    if not isinstance(items, list):
        return None
    return judging.match_results(exp.inputs, items)


def _at(values: list[str], i: int) -> str:
    """The expectation's value for entry ``i`` ("?" where it has none: an over-limit batch applied)."""
    return values[i] if i < len(values) else "?"


def _repeated(entries: list[str]) -> set[str]:
    """The ID keys a request lists more than once."""
    seen: set[str] = set()
    return {k for k in map(ids.key, entries) if k in seen or seen.add(k)}


# ---- the custom checks -----------------------------------------------------------------------------------
def _error_rules(call: Call, judge: Judge) -> None:
    """The envelope rules of :func:`conformance.judging.error_rules` that this check declares."""
    for finding in judging.error_rules(call.status, call.body, parse_error=call.response.parse_error):
        if finding.requirement in judge.requirements:
            judge.record(finding)


@groove_check("ERR-ENVELOPE")
def groove_error_envelope(call: Call, judge: Judge) -> None:
    """Every 4xx answer carries a body with a top-level Error object."""
    _error_rules(call, judge)


@groove_check("ERR-FIELDS", "ERR-MESSAGE")
def groove_error_fields(call: Call, judge: Judge) -> None:
    """Every Error object has non-empty ErrorCode and Description; Message, when present, is a string."""
    _error_rules(call, judge)


@groove_check("ERR-CODE-KNOWN", "ERR-CODE-UNDERSCORE", "ERR-STATUS", "ERR-DESCRIPTION")
def groove_error_codes(call: Call, judge: Judge) -> None:
    """Documented error codes, with the status the error table gives them (E01 spellings)."""
    _error_rules(call, judge)


@groove_check(*oracle.REQUIREMENTS)
def groove_expected_outcome(call: Call, judge: Judge) -> None:
    """The status (and, as a SHOULD, the ErrorCode) the documents require for this request."""
    exp = call.expectation
    status = call.status
    if exp.requirement is not None and exp.statuses is not None:
        judge.that(
            exp.requirement,
            status in exp.statuses,
            f"HTTP status ({exp.why})",
            expected=_statuses(exp.statuses),
            actual=_status_text(call),
        )
        if exp.top_error_if_200 and status == 200:
            top = call.body.get("Error") if isinstance(call.body, dict) else None
            judge.that(
                exp.requirement,
                isinstance(top, dict),
                f"a 200 answer reports the error ({exp.why})",
                expected="a top-level Error",
                actual=call.body,
            )
    should = exp.should
    if should is None or status >= 500:
        return
    judge.that(
        should.requirement,
        status == should.status,
        f"HTTP status ({exp.why})",
        expected=should.status,
        actual=_status_text(call),
    )
    if should.codes and status == should.status:
        judge.record(judging.error_code(should.requirement, call.response, should.codes, why=exp.why))


def _statuses(allowed: frozenset[int]) -> str:
    if allowed == CLIENT_ERRORS:
        return "4xx"
    if CLIENT_ERRORS < allowed:
        rest = sorted(allowed - CLIENT_ERRORS)
        return " or ".join([*map(str, rest), "4xx"])
    return " or ".join(str(s) for s in sorted(allowed))


def _status_text(call: Call) -> str:
    code = call.response.error_code
    return f"{call.status} ({code})" if code else str(call.status)


@groove_check("FMT-JSON-EXPLICIT", "FMT-NULL-OMITTED")
def groove_json_answer(call: Call, judge: Judge) -> None:
    """A request with Accept: application/json is answered in JSON, without null members."""
    if call.response.raw.strip():
        judge.that(
            "FMT-JSON-EXPLICIT",
            call.response.format == "json" and call.response.parse_error is None,
            "the answer is JSON",
            expected="a JSON object",
            actual=call.response.parse_error or call.response.content_type,
        )
    if isinstance(call.body, dict) and call.status < 500:
        nulls = _null_paths(call.body, "$")
        judge.that(
            "FMT-NULL-OMITTED",
            not nulls,
            "no member of the answer is null",
            expected="no null member",
            actual=", ".join(nulls[:5]),
        )


def _null_paths(value: Any, path: str) -> list[str]:
    if isinstance(value, dict):
        out: list[str] = []
        for k, v in value.items():
            out += [f"{path}.{k}"] if v is None else _null_paths(v, f"{path}.{k}")
        return out
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _null_paths(v, f"{path}[{i}]")]
    return []


@groove_check(
    "BATCH-ONE-RESULT", "BATCH-DUPLICATES", judging.ORDER, "BATCH-RESULTS-LIST", "PUPD-RESULTS-NAME"
)
def groove_one_result_per_input(call: Call, judge: Judge) -> None:
    """A 200 batch answer lists one result per input (matched by InputId) under TrackActionResults."""
    exp = call.expectation
    if call.status != 200 or not exp.batch:
        return
    items, where = results_of(call.operation, call.body)
    if call.operation in ("collection_add", "collection_delete"):
        judge.that(
            "BATCH-RESULTS-LIST",
            isinstance(items, list),
            f"{where} is a list",
            expected="a list",
            actual=items,
        )
    elif exp.inputs:
        inner = call.body.get("PlaylistActionResult") if isinstance(call.body, dict) else None
        judge.that(
            "PUPD-RESULTS-NAME",
            isinstance(items, list),
            "per-action results are in PlaylistActionResult.TrackActionResults",
            expected="TrackActionResults",
            actual=sorted(inner) if isinstance(inner, dict) else inner,
        )
    listed = items if isinstance(items, list) else None
    dups = len({ids.key(i) for i in exp.inputs}) < len(exp.inputs)
    matching = judging.match_results(exp.inputs, listed)
    judge.record_all(
        judging.one_result_per_entry("BATCH-DUPLICATES" if dups else "BATCH-ONE-RESULT", matching, listed)
    )


@groove_check("ID-INPUTID-EXACT", "ID-INPUTID-CASE", "ID-INPUTID-UPPER")
def groove_input_id_echo(call: Call, judge: Judge) -> None:
    """InputId is the ID sent: exactly in canonical form, ignoring case for a lower-case GUID (E13)."""
    matching = _matched(call)
    if matching is not None:
        judge.record_all(
            judging.input_ids(
                "ID-INPUTID-EXACT", matching, case_req="ID-INPUTID-CASE", upper_req="ID-INPUTID-UPPER"
            )
        )


@groove_check("ADD-RESULT-ID", "PCRE-TRACK-ID", "ADD-FAILED-NOID", "CDEL-NO-ID")
def groove_id_exactly_on_success(call: Call, judge: Judge) -> None:
    """A successful add result carries an Id, a failed one none; a delete result carries none."""
    matching = _matched(call)
    if matching is None:
        return
    for i, sent, result in matching.pairs():
        verb = _at(call.expectation.verbs, i)
        has_id = isinstance(result.get("Id"), str) and bool(result["Id"])
        where = f"the result of entry {i} ({sent})"
        if judging.failed(result):
            if verb == "add":
                judge.that(
                    "ADD-FAILED-NOID",
                    result.get("Id") is None,
                    f"{where}: a failed add has no Id",
                    expected="no Id",
                    actual=result.get("Id"),
                )
            continue
        if verb == "add":
            req = "ADD-RESULT-ID" if call.operation == "collection_add" else "PCRE-TRACK-ID"
            judge.that(
                req,
                has_id,
                f"{where}: a successful add carries an Id",
                expected="an Id",
                actual=result.get("Id"),
            )
        elif call.operation == "collection_delete":
            judge.that(
                "CDEL-NO-ID",
                result.get("Id") is None,
                f"{where}: a delete result has no Id",
                expected="no Id",
                actual=result.get("Id"),
            )


@groove_check(*sorted({*ITEM_FAIL.values(), *ITEM_OK.values()}), "PARTIAL-ITEM-ERROR")
def groove_item_outcomes(call: Call, judge: Judge) -> None:
    """Items the run knows fail per item with COLLECTION_INVALID_ID; items it knows succeed do."""
    matching = _matched(call)
    if matching is None:
        return
    exp = call.expectation
    repeated = _repeated(exp.inputs)
    for i, sent, result in matching.pairs():
        outcome, verb = _at(exp.outcomes, i), _at(exp.verbs, i)
        if outcome == "ok" and ids.key(sent) in repeated:
            outcome = "?"  # E14/E31: whether a repeat succeeds is not stated, nor which of them
        where = f"the result of entry {i} ({sent})"
        if judging.failed(result):
            judge.that(
                "PARTIAL-ITEM-ERROR",
                isinstance(result.get("InputId"), str) and isinstance(result["Error"], dict),
                f"{where}: a failed item carries its InputId and an Error",
                actual=result,
            )
        if outcome == "fail":
            judge.record(
                judging.error_code(
                    ITEM_FAIL[call.operation],
                    result,
                    judging.INVALID_ID,
                    why=f"{where}: an ID that names nothing fails per item",
                )
            )
        elif outcome == "ok" and (call.operation, verb) in ITEM_OK:
            judge.that(
                ITEM_OK[(call.operation, verb)],
                not judging.failed(result),
                f"{where}: an item the run knows to be valid succeeds",
                expected="no Error",
                actual=result.get("Error"),
            )


@groove_check("PARTIAL-TOP-ERROR", "PARTIAL-NO-ERROR", "PARTIAL-ALL-FAIL")
def groove_top_error_iff_failed(call: Call, judge: Judge) -> None:
    """A 200 answer with per-item results carries a top-level Error exactly when an item failed (E12)."""
    if call.status != 200 or not isinstance(call.body, dict):
        return
    items, _ = results_of(call.operation, call.body)
    if not isinstance(items, list) or not items:
        return
    failed = [r for r in items if judging.failed(r)]
    top = call.body.get("Error")
    if failed:
        req = "PARTIAL-ALL-FAIL" if len(failed) == len(items) else "PARTIAL-TOP-ERROR"
        judge.record(
            judging.error_code(
                req,
                call.body,
                SOME_FAILED,
                why=f"{len(failed)} of {len(items)} items failed: a top-level Error",
            )
        )
    else:
        judge.that(
            "PARTIAL-NO-ERROR",
            top is None,
            "every item succeeded: no top-level Error",
            expected="no Error",
            actual=top,
        )


@groove_check("PCRE-METADATA", "PCRE-ECHO", "PUPD-RESULT-ID", "PUPD-ECHO", "REORDER-RESPONSE", "PDEL-OK")
def groove_playlist_result(call: Call, judge: Judge) -> None:
    """A 200 playlist answer names the playlist: a new Id on create, the request's Id otherwise."""
    if call.status != 200 or call.operation not in ("playlist_create", "playlist_update", "playlist_delete"):
        return
    result = call.body.get("PlaylistActionResult") if isinstance(call.body, dict) else None
    got = result.get("Id") if isinstance(result, dict) else None
    sent = call.sent.body if isinstance(call.sent.body, dict) else {}
    if call.operation == "playlist_create":
        judge.that(
            "PCRE-METADATA",
            isinstance(got, str) and bool(got),
            "the create result carries the new Id",
            expected="an Id",
            actual=result,
        )
    else:
        req = (
            "PDEL-OK"
            if call.operation == "playlist_delete"
            else "REORDER-RESPONSE"
            if call.expectation.move
            else "PUPD-RESULT-ID"
        )
        judge.that(
            req,
            isinstance(got, str) and got == sent.get("Id"),
            "the result's Id is the request's",
            expected=sent.get("Id"),
            actual=got,
        )
    if call.operation == "playlist_delete" or not isinstance(result, dict):
        return
    echo = "PCRE-ECHO" if call.operation == "playlist_create" else "PUPD-ECHO"
    for member in ("Name", "IsPublished"):
        if member in sent and sent[member] is not None:
            judge.that(
                echo,
                result.get(member) == sent[member],
                f"the result echoes {member}",
                expected=sent[member],
                actual=result.get(member),
            )


@groove_check("ID-PREFIX")
def groove_ids_prefixed(call: Call, judge: Judge) -> None:
    """Every ID the service returns is in the music namespace."""
    if call.status != 200:
        return
    ids = [(where, v) for where, v in _returned_ids(call.body, "$") if isinstance(v, str)]
    bad = [f"{where}={v}" for where, v in ids if not v.startswith("music.")]
    if ids:
        judge.that(
            "ID-PREFIX",
            not bad,
            "returned IDs start with music.",
            expected="music.*",
            actual=", ".join(bad[:5]),
        )


def _returned_ids(value: Any, path: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Id":
                out.append((f"{path}.Id", v))
            elif k not in ("Album", "Artists", "Artist", "Error"):
                out += _returned_ids(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _returned_ids(v, f"{path}[{i}]")
    return out


@groove_check(*AUTH_MISSING.values(), "AUTH-FIRST", "AUTH-REFUSED-INVALID")
def groove_auth_enforced(call: Call, judge: Judge) -> None:
    """The same request without the user credential is refused with 401 (before any validation)."""
    exp = call.expectation
    probe_success = 200 <= call.status < 300 and call.sent.auth == "user"
    probe_first = exp.rejects and call.status in CLIENT_ERRORS and call.sent.auth == "user"
    if not (probe_success or probe_first) or call.probes[0] <= 0:
        return
    call.probes[0] -= 1
    response, sent = send_case(call.client, call.case, call.operation, auth=NONE)
    call.log.append(sent)
    req = AUTH_MISSING[call.operation] if probe_success else "AUTH-FIRST"
    why = "without an Authorization header" + (f" and with {exp.why}" if probe_first else "")
    if probe_success:
        judge.record_all(judging.auth_refused(req, response, why))
    else:  # E19: refused under every reading; 401 first is a SHOULD
        judge.record(judging.status("AUTH-REFUSED-INVALID", response, CLIENT_ERRORS, f"the request {why}"))
        judge.record(judging.auth_refused(req, response, why)[0])


# ---- built-in checks -------------------------------------------------------------------------------------
BUILTIN_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
)
BUILTIN_REQUIREMENTS = (
    "ERR-OK-200",
    "ERR-BODY",
    "ERR-STATUS",
    "FMT-MEDIA-TYPE",
    "ERR-FIELDS",
    *SCHEMA_OK.values(),
)


def builtin_checks() -> list[Callable[..., Any]]:
    from schemathesis import checks as st_checks

    return [getattr(st_checks, name) for name in BUILTIN_NAMES]


def builtin_requirement(name: str, call: Call) -> str | None:
    """The requirement a built-in check is judged under for this call (None: not run on it)."""
    exp = call.expectation
    if name == "not_a_server_error":
        return exp.requirement or ("ERR-OK-200" if call.positive else "ERR-BODY")
    if name == "status_code_conformance":
        return "ERR-STATUS"
    if name == "content_type_conformance":
        return "FMT-MEDIA-TYPE"
    if name == "response_schema_conformance":
        if call.status >= 500:
            return None
        return SCHEMA_OK[call.operation] if 200 <= call.status < 300 else "ERR-FIELDS"
    if name == "negative_data_rejection":
        return exp.requirement if exp.rejects and not call.positive else None
    raise KeyError(name)


def all_requirements(operation: str) -> list[str]:
    """Every requirement the generated checks may record for ``operation`` (a test's marker)."""
    found: set[str] = set(BUILTIN_REQUIREMENTS) | set(oracle.REQUIREMENTS)
    for reqs in CUSTOM.values():
        found.update(reqs)
    return sorted(r for r in found if applies(r, operation))


def judge_call(call: Call) -> list[Finding]:
    """Run every check on one call; its findings (custom checks' and built-ins' alike)."""
    st_response = _st_response(call)
    token = CURRENT.set(call)
    try:
        builtins = []
        for check in builtin_checks():
            req = builtin_requirement(check.__name__, call)
            if req is not None and applies(req, call.operation):
                builtins.append(_recording(check, req, call))
        # One validation for all: each one costs a fixed part (the response wrapped, the config
        # looked up) that, once per check, was a tenth of a generated test's time.
        try:
            call.case.validate_response(st_response, checks=[*builtins, *_REGISTERED.values()])
        except FailureGroup:
            pass  # every check recorded its findings itself
    finally:
        CURRENT.reset(token)
    return call.findings


def _recording(check: Callable[..., Any], req: str, call: Call) -> Callable[..., Any]:
    """``check`` (a schemathesis built-in), recording under ``req`` that it passed or each way it
    failed; under its own name, so that schemathesis treats it as the built-in it is."""

    @functools.wraps(check)
    def recorded(ctx: Any, response: Any, case: Any) -> Any:
        try:
            result = check(ctx, response, case)
        except Exception as exc:
            for failure in exc.exceptions if isinstance(exc, FailureGroup) else [exc]:
                title = getattr(failure, "title", type(failure).__name__)
                message = getattr(failure, "message", str(failure))
                call.findings.append(
                    Finding(
                        req,
                        False,
                        f"{title}: {_first_line(message)}",
                        expected=None,
                        actual=_status_text(call),
                        check=check.__name__,
                    )
                )
            raise
        call.findings.append(Finding(req, True, "", check=check.__name__))
        return result

    return recorded


def _st_response(call: Call) -> Any:
    from conformance.fuzz.transport import to_schemathesis

    return to_schemathesis(call.response)


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in (text or "").splitlines() if ln.strip()]
    return " / ".join(lines[:3])[:300]


def judge_answer(call: Call) -> list[Finding]:
    """The custom checks of one answer the state machine got (no schemathesis case, no auth probe)."""
    for name, fn in _PLAIN.items():
        if name == "groove_auth_enforced":
            continue
        judge = Judge(call, name, CUSTOM[name])
        fn(call, judge)
        call.findings.extend(judge.findings)
    return call.findings
