"""The main navigation's extra sections. Each app registers its entry in `AppConfig.ready()`:

    navigation.register(navigation.NavItem("referrals", _("Referrals"), "referrals:list",
                                           capabilities=frozenset({Capability.EDIT_CASES}), order=30))

An entry shows to a user holding any of its capabilities (no capabilities: every signed-in user). `badge`
(user -> int) counts what waits there (unread reminders); a count above 0 shows beside the entry.
`nav` in a view's context equal to the entry's key marks it as the current page.

The badges are counted once per `REINTEGRA_NAV_BADGE_SECONDS` (default 60) per session, not on every page: the
counts (the user's own unread reminders, the approvals waiting for them) are kept in the user's own session with
the time they were counted, never shared between users or sessions, and dropped by any write the user makes
through the web (`BadgeRefreshMiddleware`), so the user's own actions show at once; what others do (a reminder
sent by the nightly task, an assessment submitted for approval) shows within that time.

Entries of one domain area are grouped under one menu (`GROUPS`, by entry key): the bar stays one line
whatever the number of pages. A group with a single visible entry shows as that entry.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from reintegra.access.models import User


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    capabilities: frozenset[str] = field(default_factory=frozenset)
    order: int = 50
    badge: Callable[[Any], int] | None = None


_ITEMS: dict[str, NavItem] = {}

# Menu key -> (label, the entry keys it holds, in this order).
GROUPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "sustainability": (_("Sustainability"), ("rss_due", "instruments")),
    "referral_network": (_("Referrals"), ("referrals", "service_directory", "referral_reports")),
    "structural_level": (_("Structural level"), ("structural", "regional")),
    "community_level": (_("Community level"), ("community", "community_projects", "community_hotspots")),
    "administration": (_("Administration"), ("programmes", "users")),
}
_GROUP_OF = {key: group for group, (_label, keys) in GROUPS.items() for key in keys}


def register(item: NavItem) -> None:
    _ITEMS[item.key] = item


# The entries' addresses, reversed once per URL configuration and script prefix (not on every page).
_ADDRESSES: dict[tuple[str, str, Any], str] = {}


def _address(url_name: str) -> str:
    key = (url_name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    found = _ADDRESSES.get(key)
    if found is None:
        found = _ADDRESSES[key] = reverse(url_name)
    return found


# Where the session keeps the badges: [user id, time counted, {entry key: count}].
BADGES_KEY = "_nav_badges"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _badges(user: User, items: list[NavItem], session: Any) -> dict[str, int]:
    """The visible entries' badge counts: kept in the session for `REINTEGRA_NAV_BADGE_SECONDS` (none kept
    without a session or with 0 seconds)."""
    seconds = getattr(settings, "REINTEGRA_NAV_BADGE_SECONDS", 60)
    counters = {item.key: item.badge for item in items if item.badge is not None}
    keeps = session is not None and seconds > 0
    now = int(time.time())
    kept = session.get(BADGES_KEY) if keeps else None
    if (
        isinstance(kept, list)
        and len(kept) == 3
        and kept[0] == user.pk
        and 0 <= now - kept[1] < seconds
        and isinstance(kept[2], dict)
        and all(key in kept[2] for key in counters)
    ):
        return kept[2]
    counts = {key: count(user) for key, count in counters.items()}
    if keeps:
        session[BADGES_KEY] = [user.pk, now, counts]
    return counts


class BadgeRefreshMiddleware:
    """A write through the web (POST...) drops the session's kept badges: the page after it counts again."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if request.method not in _SAFE_METHODS:
            session = getattr(request, "session", None)
            if session is not None and BADGES_KEY in session:
                del session[BADGES_KEY]
        return self.get_response(request)


def items_for(user: User | AnonymousUser | None, session: Any = None) -> list[dict[str, Any]]:
    """The entries the user may open, in order; grouped ones as {"key", "label", "children": [...]}.
    `session`: the request's session, where the badge counts are kept a short time (above)."""
    if not (user and user.is_authenticated):
        return []
    caps = user.capabilities
    visible = [i for i in _ITEMS.values() if not i.capabilities or caps & i.capabilities]
    badges = _badges(user, visible, session)
    entries: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for item in sorted(visible, key=lambda i: (i.order, i.key)):
        entry: dict[str, Any] = {"key": item.key, "label": item.label, "url": _address(item.url_name)}
        if item.badge is not None:
            entry["badge"] = badges[item.key]
        group_key = _GROUP_OF.get(item.key)
        if group_key is None:
            entries.append(entry)
        elif group_key in groups:
            groups[group_key]["children"].append(entry)
        else:
            groups[group_key] = {"key": group_key, "label": GROUPS[group_key][0], "children": [entry]}
            entries.append(groups[group_key])
    for menu in groups.values():
        order = GROUPS[menu["key"]][1]
        menu["children"].sort(key=lambda e: order.index(e["key"]))
        menu["keys"] = [child["key"] for child in menu["children"]]
    # A menu of one is just that entry.
    return [e["children"][0] if "children" in e and len(e["children"]) == 1 else e for e in entries]
