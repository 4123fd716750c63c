"""What every page of the referral network shares: the role check before any lookup, the page size."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from reintegra.access.roles import Capability

PAGE_SIZE = 25


def require(user: Any, *capabilities: Capability) -> None:
    if not any(user.has_capability(c) for c in capabilities):
        raise PermissionDenied(_("You do not have permission to do this."))
