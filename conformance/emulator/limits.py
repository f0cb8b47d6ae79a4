"""The numeric limits the emulator enforces, read from the contract (``conformance.contract.LIMITS``).

The limits are facts of the contract (batch of 100, names of 1..256, browse pages of at most 25);
the emulator does not restate them: it reads them from ``conformance.contract``, which reads them
from the schemas. Besides them, the emulator has its own transport limits (body size, nesting),
which are choices of this server, not of the API, and live here.
"""

from __future__ import annotations

from conformance.contract import LIMITS

BATCH_MAX: int = LIMITS.batch_max
NAME_MIN: int = LIMITS.name_min
NAME_MAX: int = LIMITS.name_max
BROWSE_MAX_ITEMS: int = LIMITS.browse_max_items

# Transport limits of this server (erratum E10: a body over 1 MiB is answered 413).
MAX_BODY_BYTES = 1024 * 1024
# JSON / XML nesting deeper than this is refused before parsing (no request type nests beyond 4).
MAX_NESTING = 32
