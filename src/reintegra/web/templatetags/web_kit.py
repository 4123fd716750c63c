"""Template tags of the UI kit (`{% load web_kit %}`).

`form_error_items` gathers the errors of every bound form and formset a page was rendered with, so the error
summary of `web/includes/form_errors.html` lists each one with a link to its field without each page naming
its forms (a plan form with its rows, a page with two forms). `duration_hours` shows a duration
(`web.durations`). `main_navigation` writes the main navigation of `base.html`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import template
from django.conf import settings
from django.forms import BaseForm, BaseFormSet
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reintegra.web import durations
from reintegra.web.dates import local_date

register = template.Library()


@dataclass(frozen=True)
class ErrorItem:
    """One line of the error summary: the message, prefixed with its field's label, and the field's id to
    link to (empty for an error about the whole form)."""

    text: str
    target: str = ""


def _target(bound: Any) -> str:
    # Radio buttons and checkbox lists have no single labelled element: their first option is the target.
    if bound.id_for_label:
        return str(bound.id_for_label)
    return f"{bound.auto_id}_0" if bound.auto_id else ""


def _form_items(form: BaseForm, row: int | None = None) -> Iterator[ErrorItem]:
    prefix = _("Row %(n)s") % {"n": row} + " · " if row is not None else ""
    for error in form.non_field_errors():
        yield ErrorItem(f"{prefix}{error}")
    for name, errors in form.errors.items():
        if name == "__all__" or name not in form.fields:
            continue
        bound = form[name]
        for error in errors:
            if bound.is_hidden:  # the version field, a hidden id: nothing to link to
                yield ErrorItem(f"{prefix}{error}")
            else:
                yield ErrorItem(f"{prefix}{bound.label}: {error}", _target(bound))


def _formset_items(formset: BaseFormSet[Any]) -> Iterator[ErrorItem]:
    for error in formset.non_form_errors():
        yield ErrorItem(str(error))
    for index, form in enumerate(formset.forms, start=1):
        if form.is_bound and form.errors:
            yield from _form_items(form, row=index)


def error_items(values: Any) -> list[ErrorItem]:
    """The errors of the bound forms and formsets among `values`, each form once, in the order given."""
    items: list[ErrorItem] = []
    seen: set[int] = set()
    for value in values:
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, BaseFormSet) and value.is_bound:
            items += _formset_items(value)
        elif isinstance(value, BaseForm) and value.is_bound and value.errors:
            items += _form_items(value)
    return items


@register.simple_tag(takes_context=True)
def form_error_items(context: template.Context) -> list[ErrorItem]:
    return error_items(context.flatten().values())


@register.filter(name="local_date")
def local_date_filter(value: Any) -> str:
    """A date, date-time or ISO text in the reader's short format (`web.dates.local_date`)."""
    return local_date(value)


@register.filter
def duration_hours(hours: Any) -> str:
    return durations.describe_hours(hours)


@register.filter
def duration_days(days: Any) -> str:
    return durations.describe_days(days)


# The main navigation's markup, by everything it is made of: the language, the URL configuration, the current
# page (`nav`) and the entries shown with their labels, addresses and badge counts (`nav_sections`). Many users
# see the same menus, and a user sees the same one on most pages: rendered once per combination, not on every
# page (docs/scaling.md, "Sixth pass"). Nothing in it is personal: two users with the same entries and counts
# get the same bytes.
_NAVIGATION: dict[tuple[Any, ...], SafeString] = {}
_NAVIGATION_MAX = 2048


def _entries_key(entries: Any) -> tuple[Any, ...]:
    return tuple(
        (
            entry.get("key"),
            str(entry.get("label", "")),
            entry.get("url"),
            entry.get("badge"),
            tuple(entry.get("keys", ())),
            _entries_key(entry["children"]) if "children" in entry else None,
        )
        for entry in entries
    )


@register.simple_tag(takes_context=True)
def main_navigation(context: template.Context) -> SafeString:
    """`web/includes/main_nav.html` for the page's `nav` and `nav_sections`, rendered once per combination."""
    nav = context.get("nav")
    sections = context.get("nav_sections") or []
    values = {"nav": nav, "nav_sections": sections}
    if nav is not None and not isinstance(nav, str):  # compared with the entries' keys: only a key is cached
        return mark_safe(render_to_string("web/includes/main_nav.html", values))  # noqa: S308 - a template's output
    key = (get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF, nav, _entries_key(sections))
    found = _NAVIGATION.get(key)
    if found is None:
        if len(_NAVIGATION) >= _NAVIGATION_MAX:
            _NAVIGATION.clear()
        found = _NAVIGATION[key] = mark_safe(render_to_string("web/includes/main_nav.html", values))  # noqa: S308
    return found
