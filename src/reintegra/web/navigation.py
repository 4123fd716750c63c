"""The main navigation's extra sections. Each app registers its entry in `AppConfig.ready()`:

    navigation.register(navigation.NavItem("referrals", _("Referrals"), "referrals:list",
                                           capabilities=frozenset({Capability.EDIT_CASES}), order=30))

An entry shows to a user holding any of its capabilities (no capabilities: every signed-in user).
`nav` in a view's context equal to the entry's key marks it as the current page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    capabilities: frozenset[str] = field(default_factory=frozenset)
    order: int = 50


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


def items_for(user: Any) -> list[dict[str, Any]]:
    if not (user and user.is_authenticated):
        return []
    caps = user.capabilities
    visible = [i for i in _ITEMS.values() if not i.capabilities or caps & i.capabilities]
    return [
        {"key": i.key, "label": i.label, "url": reverse(i.url_name)}
        for i in sorted(visible, key=lambda i: (i.order, i.key))
    ]
