"""The system administrator's home panel (`web.dashboard`, registered in `AccessConfig.ready()`, issue 18.9):
accounts, organisations, programmes and API tokens of the installation, counted, the system's health checks
(`reintegra.health`) and the way into the Django admin. Counts only: no one's data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reintegra.access import selectors
from reintegra.access.roles import Role

if TYPE_CHECKING:
    from reintegra.access.http import AuthenticatedHttpRequest


def admin_panel(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user.is_active or Role.ADMIN not in user.roles:
        return None
    from reintegra import health

    checks = health.checks()
    return {
        "overview": selectors.platform_overview(user),
        "checks": checks,
        "healthy": all(check.ok for check in checks),
        "expiry_days": selectors.TOKEN_EXPIRY_WARNING.days,
    }
