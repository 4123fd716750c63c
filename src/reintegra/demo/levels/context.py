from __future__ import annotations

from dataclasses import dataclass

from reintegra.access.models import Organisation, User


@dataclass(frozen=True)
class DemoContext:
    """What every level's loader receives."""

    organisations: dict[str, Organisation]  # by code: oim-gt (the demo users'), oim-mx, oim-hn, oim-sv, partners
    users: dict[str, User]  # the demo users by username
    seed: int
