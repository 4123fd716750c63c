"""Every date, date-time and time input of every form carries an ISO 8601 value, whatever the language (issue 18.7).

A browser's `<input type="date">` reads only "2026-12-01": a value localised as "01/12/2026" is dropped and the
field shows empty (the SOP form lost its default date that way). The kit's widgets (`web.widgets.DateInput`,
`DateTimeInput`, `TimeInput`) always write ISO; this walks every form class of the project, renders each of
its date-like inputs with a value in Spanish and in English, and checks what the browser gets.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

import reintegra
from reintegra.access.roles import Role
from reintegra.testing import factories
from reintegra.web.widgets import ISO_INPUT_TYPES

VALUES: dict[str, Any] = {
    "date": date(2026, 12, 1),
    "datetime-local": datetime(2026, 12, 1, 9, 30),
    "time": time(9, 30),
}
ISO = {
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "datetime-local": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$"),
    "time": re.compile(r"^\d{2}:\d{2}(:\d{2})?$"),
}
LANGUAGES = ("es", "en")


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.found.append({k: v or "" for k, v in attrs})


def iso_problems(html: str) -> list[str]:
    """The date-like inputs of `html` whose value is not ISO 8601."""
    parser = _Inputs()
    parser.feed(html)
    return [
        f"{a.get('name')}={a.get('value')!r} ({a['type']})"
        for a in parser.found
        if a.get("type") in ISO and a.get("value") and not ISO[a["type"]].match(a["value"])
    ]


def _form_classes() -> list[type[forms.BaseForm]]:
    for info in pkgutil.walk_packages(reintegra.__path__, "reintegra."):
        if (
            ".tests" in info.name
            or ".migrations" in info.name
            or info.name.endswith(("settings.production", "__main__"))
        ):
            continue
        importlib.import_module(info.name)

    def below(cls: type) -> Iterator[type]:
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    found = {c for c in below(forms.BaseForm) if c.__module__.startswith("reintegra.")}
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


def _fields(form_class: type[forms.BaseForm], user: Any) -> dict[str, forms.Field]:
    """The fields an instance shows (a form may replace widgets when it is built), else the declared ones."""
    for kwargs in ({}, {"user": user}):
        try:
            return dict(form_class(**kwargs).fields)
        except Exception:  # noqa: S112 - a form built from other arguments: its declared fields
            continue
    return copy.deepcopy(dict(getattr(form_class, "base_fields", {})))


def _input_type(widget: forms.Widget) -> str:
    return str(widget.attrs.get("type") or getattr(widget, "input_type", "") or "")


@pytest.mark.django_db
def test_every_date_input_of_every_form_carries_an_iso_value() -> None:
    user = factories.user(factories.organisation(), Role.PROGRAMME_MANAGER)
    checked, problems = 0, []
    for form_class in _form_classes():
        for name, field in _fields(form_class, user).items():
            kind = _input_type(field.widget)
            if kind not in ISO:
                continue
            checked += 1
            for language in LANGUAGES:
                with translation.override(language):
                    html = str(field.widget.render(name, VALUES[kind]))
                problems += [
                    f"{form_class.__module__}.{form_class.__name__} [{language}]: {p}" for p in iso_problems(html)
                ]
                if not isinstance(field.widget, ISO_INPUT_TYPES[kind]):
                    problems.append(f"{form_class.__name__}.{name}: use web.widgets.{ISO_INPUT_TYPES[kind].__name__}")
    assert checked > 50, "the walk found the project's date inputs"
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sop_form_keeps_its_default_date(client: Any, language: str) -> None:
    """The reviewer's page: a new SOP is pre-filled with today's date, which the date input must show."""
    client.force_login(factories.user(factories.organisation(), Role.PROGRAMME_MANAGER))
    with translation.override(language):
        page = client.get(reverse("referrals:pathway-new"), HTTP_ACCEPT_LANGUAGE=language)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'type="date"' in html
    assert not iso_problems(html)
    assert re.search(r'name="approved_on" value="\d{4}-\d{2}-\d{2}"', html) or re.search(
        r'value="\d{4}-\d{2}-\d{2}"[^>]*name="approved_on"', html
    )
