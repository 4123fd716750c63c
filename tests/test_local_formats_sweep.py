"""Issue 18.12, the whole-app sweep: no ISO date, ISO timestamp or internal code on a Spanish page.

The demo's data (every level: cases, timelines, community, structural, employment, children, reception,
public) is loaded once; each demo user then walks the site in Spanish from the home page and the navigation,
following the links of every page it opens (a few pages per route, so the sweep stays short). Each page's
*visible* text is checked: text nodes only, so the ISO values the machine reads (`<input value>`,
`<time datetime>`, `href`, `data-*`) are not findings, and scripts and styles are left out.

A finding is an ISO date or timestamp, or a snake_case word (`in_person`, `business_development`): what a
stored choice value looks like when a template prints the code instead of `get_FOO_display` /
`vocabulary.choice_label`. Single-word codes (`female`) are caught by their English spelling: the code of a
project choice whose Spanish label differs and which no Spanish label uses as a word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation

from reintegra.access.models import User
from reintegra.demo import site
from reintegra.places.services import load_gazetteer
from reintegra.testing.routes import route_methods, walk
from reintegra.web import navigation

PAGES_PER_ROUTE = 2  # of each route, the first pages reached (different objects, same template)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# A word, not part of a slug or file name (an indicator's code `returnees-registered` is shown as its code).
SNAKE = re.compile(r"(?<![\w./-])[a-z]+(?:_[a-z0-9]+)+(?![\w/-])")
WORD = re.compile(r"(?<![\w./-])[a-z]{5,}(?![\w/-])")
# Paths that are not pages: downloads, machine formats, the API, leaving the session.
SKIPPED_PATH = re.compile(
    r"^/(api|static|media|admin|i18n|accounts/logout|salir|logout)/|\.(pdf|csv|xlsx|json|xml|rss|svg|yaml|png)$"
)
SKIPPED_QUERY = re.compile(r"(^|&)(format|codes|download|export)=")
# Not prose: scripts and styles, and code shown as code on purpose (an import file's column names, an
# instrument's item codes, a JSON example), and a text area's content (a form's value, like <input value>).
SKIPPED_TAGS = {"script", "style", "template", "noscript", "code", "pre", "kbd", "samp", "textarea"}
# Codes that are Spanish words as well.
SPANISH_WORDS = {
    "legal",
    "general",
    "formal",
    "informal",
    "social",
    "local",
    "total",
    "final",
    "normal",
    "digital",
    "capital",
    "regional",
    "natural",
    "individual",
    "central",
    "rural",
    "manual",
    "virtual",
    "animal",
}


class _VisibleText(HTMLParser):
    """The text nodes of a page outside scripts and styles; attributes are never text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.help: list[str] = []  # help texts: they may name a file's columns or show a JSON example
        self.links: list[str] = []
        self._skipping = 0
        self._help_depth = 0
        self._stack: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skipping += 1
        if tag == "p":
            is_help = "helptext" in (dict(attrs).get("class") or "").split()
            self._stack.append(is_help)
            self._help_depth += is_help
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        if tag == "p" and self._stack:
            self._help_depth -= self._stack.pop()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            (self.help if self._help_depth else self.parts).append(data)


def _choice_classes() -> list[type[models.TextChoices]]:
    found: dict[int, type[models.TextChoices]] = {}
    for model in apps.get_models():
        if not model.__module__.startswith("reintegra."):
            continue
        for field in model._meta.get_fields():
            choices = getattr(field, "choices", None)
            if choices:
                key = id(tuple(choices))
                found.setdefault(key, choices)  # type: ignore[arg-type]
    return list(found.values())


def _english_codes() -> set[str]:
    """Single-word choice codes whose Spanish label is another word, and that no Spanish label contains."""
    with translation.override("es"):
        pairs = [
            (str(code), str(label))
            for choices in _choice_classes()
            for code, label in choices  # type: ignore[misc]
            if isinstance(code, str)
        ]
    spanish_words = {word.lower() for _, label in pairs for word in re.findall(r"\w+", label)}
    return {
        code
        for code, label in pairs
        if re.fullmatch(r"[a-z]{5,}", code) and code != label.lower() and code not in spanish_words | SPANISH_WORDS
    }


def _findings(text: str, help_text: str, english: set[str]) -> list[str]:
    found = [m.group(0) for m in ISO_TIME.finditer(text + " " + help_text)]
    found += [m.group(0) for m in ISO_DATE.finditer(text + " " + help_text)]
    found += [m.group(0) for m in SNAKE.finditer(text)]
    found += [word for word in WORD.findall(text) if word in english]
    return found


def _route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def _sweep(user: User, english: set[str], seen_routes: dict[str, int]) -> tuple[list[str], int]:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)
    queue = ["/"]
    for entry in navigation.items_for(user):
        queue += [child["url"] for child in entry.get("children", [entry])]
    visited: set[str] = set()
    per_route: dict[str, int] = defaultdict(int)
    problems: list[str] = []
    while queue:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or parts.scheme or not parts.path.startswith("/"):
            continue
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if target in visited or SKIPPED_PATH.search(parts.path) or SKIPPED_QUERY.search(parts.query):
            continue
        route = _route_of(parts.path)
        if route is None or per_route[route] >= PAGES_PER_ROUTE:
            continue
        visited.add(target)
        per_route[route] += 1
        response = client.get(target)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        seen_routes[route] += 1
        parser = _VisibleText()
        parser.feed(response.content.decode())
        text, help_text = " ".join(parser.parts), " ".join(parser.help)
        for finding in sorted(set(_findings(text, help_text, english))):
            problems.append(f"{user.username} {target}: {finding!r}")
        queue += [link.split("#")[0] for link in parser.links]
    return problems, len(visited)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Loaded once inside a transaction rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_gazetteer()
        site.populate(30, 2024)  # what `reintegra demo` loads, smaller
        yield
        transaction.set_rollback(True)


def _page_routes() -> set[str]:
    """The named routes outside the API that answer GET (the framework's own views left aside)."""
    found = set()
    for route in walk():
        if not route.name or route.path.startswith(("api/", "admin/", "i18n/")):
            continue
        if "GET" in route_methods(route):
            found.add(route.name)
    return found


@pytest.mark.django_db
def test_spanish_pages_show_no_iso_date_nor_internal_code(demo):
    english = _english_codes()
    seen_routes: dict[str, int] = defaultdict(int)
    problems: list[str] = []
    visited = 0
    for spec in site.DEMO_USERS:
        found, pages = _sweep(User.objects.get(username=spec.username), english, seen_routes)
        problems += found
        visited += pages
    print(f"visited {visited} pages, {len(seen_routes)} routes of {len(_page_routes())} GET routes")
    print("\n".join(problems))
    assert len(seen_routes) >= 200, sorted(_page_routes() - set(seen_routes))
    assert not problems, "\n".join(problems)


def test_local_date_writes_dates_times_and_iso_text_as_the_reader_does() -> None:
    from datetime import date

    from reintegra.web.dates import local_date

    with translation.override("es"):
        assert local_date(date(2026, 12, 1)) == "01/12/2026"
        assert local_date("2026-12-01") == "01/12/2026"
        assert local_date("2026-12-01T09:30") == "01/12/2026 09:30"
    with translation.override("en"):
        assert local_date("2026-12-01") == "12/01/2026"
    assert local_date(None) == "" and local_date("not a date") == "not a date"
