"""Settings of a programme kept by an app above `access` (e.g. the children's BIA deadlines): each app registers
its page here, and the programme's settings page links to it, so a programme manager finds every setting from
one place without `access` importing the app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class SettingsPage:
    key: str
    label: Any  # a lazy translation
    url_name: str  # takes the programme's pk


_PAGES: dict[str, SettingsPage] = {}


def register(page: SettingsPage) -> None:
    _PAGES[page.key] = page


def links_for(programme_pk: int) -> list[tuple[Any, str]]:
    """(label, address) of every registered settings page of the programme, in registration order."""
    return [(page.label, reverse(page.url_name, args=[programme_pk])) for page in _PAGES.values()]
