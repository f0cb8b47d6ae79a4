"""report.html: one self-contained page (inline CSS and JS, no external asset, works offline).

Rendered with Jinja2 with autoescape on: bodies, headers and messages come from the target and
are hostile by assumption.  A Content-Security-Policy allows no network at all and only the
page's own script (by hash), so even markup that slipped through escaping could not run or load.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from conformance.catalogue import LEVELS
from conformance.report.baseline import STATUS_HELP
from conformance.report.text import transcript
from conformance.report.verdicts import (
    NOT_APPLICABLE_HELP,
    VERDICT_HELP,
    VERDICTS,
    verdicts_by_operation,
)

# C0 controls (NUL, ESC, ...) from hostile bodies are not text: shown as U+FFFD, never passed on.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _finalize(value: Any) -> Any:
    if isinstance(value, str) and not isinstance(value, Markup):
        return _CONTROL.sub("\ufffd", value)
    return value


_ENV = jinja2.Environment(
    finalize=_finalize,
    loader=jinja2.PackageLoader("conformance.report", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["transcript"] = transcript


def _script() -> str:
    return _ENV.loader.get_source(_ENV, "report.js")[0]  # type: ignore[union-attr]


def render_html(report: Mapping[str, Any]) -> str:
    script = _script()
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    css = _ENV.loader.get_source(_ENV, "report.css")[0]  # type: ignore[union-attr]
    operations = list(report["summary"]["by_operation"])
    levels = [lv for lv in LEVELS if lv in report["summary"]["by_level"]] + [
        lv for lv in report["summary"]["by_level"] if lv not in LEVELS
    ]
    # Worst verdict first, catalogue order within a verdict: what needs reading comes first.
    rank = {v: i for i, v in enumerate(VERDICTS)}
    requirements = sorted(report["requirements"], key=lambda q: rank.get(q["verdict"], len(rank)))
    return _ENV.get_template("report.html.j2").render(
        r=report,
        requirements=requirements,
        verdicts=VERDICTS,
        operations=operations,
        op_verdicts={q["id"]: verdicts_by_operation(q) for q in requirements},
        levels=levels,
        verdict_help=VERDICT_HELP,
        not_applicable_help=NOT_APPLICABLE_HELP,
        baseline_help=STATUS_HELP,
        open_failures=False,
        script=Markup(script),
        css=Markup(css),
        script_hash=f"sha256-{digest}",
    )
