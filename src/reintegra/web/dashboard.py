"""The home dashboard's panels. Each app registers its own in `AppConfig.ready()`:

    from reintegra.web import dashboard
    dashboard.register_panel("referrals/includes/dashboard_panel.html", panels.dashboard_panel, order=30)

`context(request)` returns the panel's context (the template gets it as `panel`), or None to leave the panel
out (e.g. for a role that may not see it). Panels show in `order`. The dashboard itself (`web.views`) knows
no app: what it shows from cases, referrals or any later level comes through here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reintegra.access.http import AuthenticatedHttpRequest


@dataclass(frozen=True)
class DashboardPanel:
    template: str
    context: Callable[[AuthenticatedHttpRequest], dict[str, Any] | None]
    order: int = 50


_PANELS: dict[str, DashboardPanel] = {}


def register_panel(
    template: str, context: Callable[[AuthenticatedHttpRequest], dict[str, Any] | None], order: int = 50
) -> None:
    _PANELS[template] = DashboardPanel(template, context, order)


def panels(request: AuthenticatedHttpRequest) -> list[dict[str, Any]]:
    """The panels to show to this request's user, in order, as {"template", "context"}."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.template)):
        context = panel.context(request)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
