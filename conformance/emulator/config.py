"""The emulator's configuration: the profile, users, catalog, database, fault and variants it serves."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from conformance.emulator.faults import FAULTS
from conformance.emulator.variants import check_variants
from conformance.profiles import PROFILES, XBOX_2013


def _generated_users() -> dict[str, str]:
    return {"alice": secrets.token_urlsafe(24), "bob": secrets.token_urlsafe(24)}


@dataclass
class EmulatorConfig:
    """What one emulator instance serves.

    ``users`` maps a user name to that user's token as the client is given it (``--user-token``):
    for xbox-2013 either ``USERHASH;TOKEN`` or a bare token (any userhash of digits is accepted).
    By default two users (alice, bob) get fresh random tokens; for xbox-2013 a developer token is
    generated when none is given, so a caller can read every credential back from the config.
    """

    profile: str = "groove-2016"
    db_path: str | None = None
    users: dict[str, str] = field(default_factory=_generated_users)
    developer_token: str | None = None
    catalog: list[str] | None = None
    fault: str | None = None
    # other readings of the documents switched on (variants.VARIANTS), any number, with or without a fault
    variants: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"unknown profile {self.profile!r}; choose one of {', '.join(PROFILES)}")
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"unknown fault {self.fault!r}; choose one of {', '.join(FAULTS)}")
        if isinstance(self.variants, str):
            raise ValueError(f"variants must be a sequence of names, not the string {self.variants!r}")
        self.variants = check_variants(self.variants, self.profile)
        if not self.users:
            raise ValueError("the emulator needs at least one user")
        if self.profile == XBOX_2013.name and self.developer_token is None:
            self.developer_token = secrets.token_urlsafe(24)
