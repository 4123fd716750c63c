"""Send the same input through the web form and the API endpoint of one write, and compare the answers.

One rule path (docs/ARCHITECTURE.md): a rule lives in the service, so both channels refuse an input with
the same field and the same code, and write nothing. A `WritePair` says how to send a write through each
channel (a valid input); each `Refusal` changes that input in both and says which field and code both must
answer with. `check_pair` first sends the valid input through each channel (each in a savepoint rolled
back after it, so one-shot steps such as agreeing a plan can be sent twice) and checks that it is
accepted and writes something, then sends every refusal through both and checks the answers:

- web: the page comes back (no redirect) with the error on the field, in one of the page's forms; a
  formset's row is named as the service names it ("items.0.currency");
- API: 400, and `errors` has an entry for the field with the code;
- neither wrote anything: no change-log entry and no timeline event appeared.

Used by tests/test_one_rule_path.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from auditlog.models import LogEntry
from django import forms
from django.db import transaction
from django.test import Client
from django.urls import resolve

from reintegra.cases.models import CaseEvent
from reintegra.testing.api_clients import ReadThenWriteClient
from reintegra.testing.html_forms import form_values

DROP = object()  # a key the request leaves out


@dataclass(frozen=True)
class Refusal:
    """An invalid input: what changes in each channel's valid input, and the field and code both answer."""

    field: str  # as the API names it ("items.0.currency", "answers.eco_satisfaction")
    code: str
    web: Mapping[str, Any]
    api: Mapping[str, Any]
    web_field: str = ""  # the web form's name of the field, when it is another ("taken_on" for "date")
    label: str = ""

    @classmethod
    def same(cls, field: str, code: str, label: str = "", **changes: Any) -> Refusal:
        """The same change in both channels (the form and the API name the fields alike)."""
        return cls(field, code, web=changes, api=changes, label=label)

    def __str__(self) -> str:
        return self.label or f"{self.field}:{self.code}"


@dataclass(frozen=True)
class WritePair:
    """One write, in both channels. Every callable takes the pair's context (what `setup` built)."""

    name: str
    api_route: str  # the API's URL name ("api:case-plan"); with `api_method`, the write this pair covers
    setup: Callable[[Any], Any]  # world -> context with at least `.user`
    web_url: Callable[[Any], str]
    web_data: Callable[[Any], dict[str, Any]]
    api_url: Callable[[Any], str]
    api_data: Callable[[Any], dict[str, Any]]
    api_method: str = "post"
    refusals: tuple[Refusal, ...] = ()
    # A page whose POST form the browser would send (hidden version, management forms, fields as rendered):
    # its values come first, `web_data` overrides them. `web_form`: a control name of that form on the page.
    web_page: Callable[[Any], str] | None = None
    web_form: str = ""
    api_format: str = "json"
    web_success: int = 302  # what the web answers an accepted input (an import's report page: 200)
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name

    @property
    def api_write(self) -> str:
        return f"{self.api_route} {self.api_method.upper()}"


def _changed(data: Mapping[str, Any], changes: Mapping[str, Any], ctx: Any) -> dict[str, Any]:
    """`data` with `changes`: DROP leaves a key out; a callable is given the context (an object's id)."""
    result = dict(data)
    for key, value in changes.items():
        if value is DROP:
            result.pop(key, None)
        else:
            result[key] = value(ctx) if callable(value) else value
    return result


def written() -> tuple[int, int]:
    """What a write leaves behind: every audited model's change log, and the case timeline."""
    return LogEntry.objects.count(), CaseEvent.objects.count()


@contextmanager
def rolled_back() -> Iterator[None]:
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def web_post(client: Client, pair: WritePair, ctx: Any, changes: Mapping[str, Any]) -> tuple[Any, tuple[int, int]]:
    """The answer to the form's POST, and what was written before it (reading the page may record access)."""
    data: dict[str, Any] = {}
    if pair.web_page is not None:
        page = client.get(pair.web_page(ctx))
        assert page.status_code == 200, f"{pair}: the form page answered {page.status_code}"
        data = form_values(page.content, pair.web_form)
    data = _changed({**data, **pair.web_data(ctx)}, changes, ctx)
    before = written()
    return client.post(pair.web_url(ctx), data), before


def api_send(api: ReadThenWriteClient, pair: WritePair, ctx: Any, changes: Mapping[str, Any]) -> Any:
    send = getattr(api, pair.api_method)
    return send(pair.api_url(ctx), _changed(pair.api_data(ctx), changes, ctx), format=pair.api_format)


def web_errors(response: Any) -> dict[str, set[str]]:
    """Field → codes of every form and formset row on the rendered page (rows as "prefix.index.field")."""
    found: dict[str, set[str]] = {}
    seen: set[int] = set()
    for context in response.context or []:
        for value in context.flatten().values():
            for name, form in _forms_in(value):
                if id(form) in seen or not form.is_bound:
                    continue
                seen.add(id(form))
                for field_name, errors in form.errors.as_data().items():
                    key = field_name if not name else f"{name}.{field_name}"
                    found.setdefault(key, set()).update(str(e.code) for e in errors)
    return found


def _forms_in(value: Any) -> Iterator[tuple[str, forms.BaseForm]]:
    if isinstance(value, forms.BaseForm):
        yield "", value
    elif isinstance(value, forms.BaseFormSet):
        for index, row in enumerate(value.forms):
            yield f"{value.prefix}.{index}", row
    elif isinstance(value, dict):  # e.g. a page's forms by step ({"accept": AcceptForm, ...})
        for item in value.values():
            yield from _forms_in(item)


def api_errors(response: Any) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for entry in response.json().get("errors", []):
        found.setdefault(entry["field"], set()).add(entry["code"])
    return found


def check_accepts(pair: WritePair, ctx: Any, client: Client, api: ReadThenWriteClient) -> None:
    """The valid input goes through each channel and writes something (so `written()` would see a write)."""
    for channel in ("web", "api"):
        with rolled_back():
            before = written()
            if channel == "web":
                response, before = web_post(client, pair, ctx, {})
                detail: Any = web_errors(response)
                ok = response.status_code == pair.web_success and not detail
            else:
                response = api_send(api, pair, ctx, {})
                ok = 200 <= response.status_code < 300
                detail = response.content[:500]
            assert ok, f"{pair}: the valid input was refused through the {channel} ({response.status_code}): {detail}"
            assert written() != before, f"{pair}: the {channel} accepted the input but nothing was recorded"


def check_refusal(pair: WritePair, ctx: Any, client: Client, api: ReadThenWriteClient, refusal: Refusal) -> None:
    response, before = web_post(client, pair, ctx, refusal.web)
    assert response.status_code in (200, 400), (
        f"{pair} / {refusal}: the web answered {response.status_code}, not the form again"
    )
    shown = web_errors(response)
    web_field = refusal.web_field or refusal.field
    assert refusal.code in shown.get(web_field, set()), (
        f"{pair} / {refusal}: the web form shows {shown}, not {refusal.code!r} on {web_field!r}"
    )
    assert written() == before, f"{pair} / {refusal}: the web wrote something"
    response = api_send(api, pair, ctx, refusal.api)
    assert response.status_code == 400, f"{pair} / {refusal}: the API answered {response.status_code}"
    answered = api_errors(response)
    assert refusal.code in answered.get(refusal.field, set()), (
        f"{pair} / {refusal}: the API answers {answered}, not {refusal.code!r} on {refusal.field!r}"
    )
    assert written() == before, f"{pair} / {refusal}: the API wrote something"


def check_pair(pair: WritePair, world: Any) -> None:
    ctx = pair.setup(world)
    route = resolve(urlsplit(pair.api_url(ctx)).path).view_name
    assert route == pair.api_route, f"{pair}: its API address is {route}, not {pair.api_route}"
    client = Client()
    client.force_login(ctx.user)
    api = ReadThenWriteClient()
    api.force_authenticate(ctx.user)
    check_accepts(pair, ctx, client, api)
    assert pair.refusals, f"{pair}: no invalid input to send"
    for refusal in pair.refusals:
        check_refusal(pair, ctx, client, api, refusal)
