"""Plain-text forms of report pieces (a transcript, a failure), shared by the renderers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def transcript(x: Mapping[str, Any]) -> str:
    """One exchange as an HTTP-like transcript: request, blank line, body, then the answer."""
    lines = [f"> {x['method']} {x['url']}"]
    lines += [f"> {k}: {v}" for k, v in x["request_headers"].items()]
    if x.get("request_body"):
        lines += [">", x["request_body"]]
    lines.append("")
    if x.get("error"):
        lines.append(f"< (no answer: {x['error']})")
    else:
        lines.append(f"< HTTP {x.get('status')}  ({x.get('elapsed_ms', 0):.0f} ms)")
        lines += [f"< {k}: {v}" for k, v in x["response_headers"].items()]
        if x.get("response_body"):
            lines += ["<", x["response_body"]]
    if x.get("truncated"):
        lines.append("[a body was cut at the transcript cap]")
    return "\n".join(lines)


def failure_text(f: Mapping[str, Any]) -> str:
    """A failure in full: test, message, expected vs actual, transcripts and repro commands."""
    parts = [f"test: {f['test']}", f"message: {f.get('message') or ''}"]
    if f.get("expected") is not None:
        parts.append(f"expected: {f['expected']}")
    if f.get("actual") is not None:
        parts.append(f"actual: {f['actual']}")
    if f.get("exchanges_omitted"):
        parts.append(f"({f['exchanges_omitted']} earlier exchange(s) of this test omitted)")
    for i, x in enumerate(f.get("exchanges", []), start=1):
        parts.append(f"--- exchange {i} ---\n{transcript(x)}\n--- repro ---\n{x['repro']}")
    return "\n".join(parts)
