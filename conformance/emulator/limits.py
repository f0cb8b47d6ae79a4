"""The emulator's own transport limits: choices of this server, not facts of the API.

The API's limits (batch of 100, names of 1..256, browse pages of 1..25, default 25) are facts of
the contract: the emulator reads them from ``conformance.contract.LIMITS``, which reads them from
the schemas and openapi.yaml, and restates none of them here.
"""

from __future__ import annotations

# Erratum E10: a body over 1 MiB is answered 413.
MAX_BODY_BYTES = 1024 * 1024
