"""The longest text a user may write in each free-text field (issue 18.8), checked on every write.

Each kind of text has one limit (`Kind`): a short name or line, a note, a narrative, a document. A field's
limit is its own `max_length` when it has one (every `CharField`, the encrypted fields that declare it: the
clear text is what counts, never the ciphertext), else the kind `KINDS` gives it, else a narrative. Fields
only the system writes (a blind index's source, a search text derived from other fields, a signed package)
are listed in `SYSTEM` with their reason and have no limit.

`refuse_too_long` is connected to `pre_save` of every model of the project (`AccessConfig.ready`), so every
service's write goes through the same check: a value over its limit raises one `ValidationError` keyed by
field, code `max_length`, with Django's translated message; the web form shows it on its field and the API
answers 400 with the same field and code (docs/ARCHITECTURE.md, "One rule path"). Bulk writes of system
data (the synthetic data generator, a manifest import whose rows passed their own caps) do not call
`save` and are not checked. Forms show the same limit as `maxlength` (`web.forms.show_text_limits`).
"""

from __future__ import annotations

from enum import IntEnum
from functools import cache
from typing import Any

from django import forms as django_forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models

from reintegra.access.fields import EncryptedJSONField


class Kind(IntEnum):
    """Characters of clear text each kind of free text may hold."""

    SHORT = 200  # a name, a title, a line
    NOTE = 2_000  # a note, a reason, a comment
    NARRATIVE = 10_000  # an assessment's field, a description, minutes
    DOCUMENT = 50_000  # a guide, a report's narrative, a theory of change


# Text fields without a max_length of their own that are not narratives ("app_label.Model.field").
KINDS: dict[str, Kind] = {
    "cases.IdentityDocument.number": Kind.SHORT,
    "cases.Household.notes": Kind.NOTE,
    "cases.Case.closure_note": Kind.NOTE,
    "cases.CounsellingSession.notes": Kind.NARRATIVE,
    "cases.FollowUpVisit.notes": Kind.NARRATIVE,
    "cases.FollowUpVisit.significant_changes": Kind.NARRATIVE,
    "cases.PlanItem.description": Kind.NOTE,
    "monitoring.ResultsFramework.theory_of_change": Kind.DOCUMENT,
    "monitoring.ResultsFramework.report_context": Kind.DOCUMENT,
    "monitoring.ReportingPeriod.narrative": Kind.DOCUMENT,
    "monitoring.ReportedValue.text": Kind.NOTE,
    "monitoring.ReportedValue.note": Kind.NOTE,
    "monitoring.Recommendation.text": Kind.NOTE,
    "monitoring.Recommendation.action": Kind.NOTE,
    "referrals.Referral.reason": Kind.NOTE,
    "referrals.Referral.feedback": Kind.NOTE,
    "structural.StakeholderReview.notes": Kind.NOTE,
    "structural.ChecklistStep.notes": Kind.NOTE,
    "structural.Meeting.minutes": Kind.DOCUMENT,
    "public.Guide.body": Kind.DOCUMENT,
    "public.GuideVersion.body": Kind.DOCUMENT,
    "public.Feedback.contact": Kind.SHORT,
    "public.InformationRequest.contact": Kind.SHORT,
    "public.FeedbackEvent.note": Kind.NOTE,
    "community.Community.notes": Kind.NOTE,
}

# Text only the system writes, never typed by a user: no limit (why, for each).
SYSTEM: dict[str, str] = {
    "cases.Returnee.match_record": "the duplicate check's record, derived from the person's fields",
    "monitoring.Lesson.search_text": "derived from the lesson's other fields for searching",
    "regional.RegionalAction.search_text": "derived from the action's other fields for searching",
    "employment.Occupation.search_text": "derived from the ISCO-08 titles for searching",
    "reception.ManifestImport.content": "an uploaded file, capped by the upload limits and the import's row caps",
    "handover.InstallationKey.private_jwks": "a key set the installation generates",
    "handover.Delivery.token": "a signed and encrypted package",
}


def key(field: models.Field[Any, Any]) -> str:
    return f"{field.model._meta.label}.{field.name}"


def is_text(field: models.Field[Any, Any]) -> bool:
    """A column of free text: not a JSON document (though stored as text), nor a code from a list of choices
    (a country, a status: the service refuses another value with `invalid_choice`)."""
    if not isinstance(field, models.Field) or isinstance(field, models.JSONField | EncryptedJSONField) or field.choices:
        return False
    return isinstance(field, models.CharField | models.TextField)


def limit_of(field: models.Field[Any, Any]) -> int | None:
    """The most characters `field` takes; None for text only the system writes."""
    if field.max_length is not None:
        return int(field.max_length)
    name = key(field)
    if name in SYSTEM:
        return None
    return int(KINDS.get(name, Kind.NARRATIVE))


@cache
def _project_labels() -> frozenset[str]:
    return frozenset(c.label for c in apps.get_app_configs() if c.name.startswith("reintegra."))


@cache
def _limits(label: str) -> tuple[tuple[str, str, int], ...]:
    """(attribute, name, limit) of every limited text field of the model (by label)."""
    model = apps.get_model(label)
    return tuple(
        (f.attname, f.name, limit)
        for f in model._meta.concrete_fields
        if is_text(f) and (limit := limit_of(f)) is not None
    )


def problems(instance: models.Model) -> ValidationError | None:
    """Every text field of `instance` over its limit, keyed by field (code `max_length`), or None."""
    found: dict[str, ValidationError] = {}
    for attname, name, limit in _limits(instance._meta.label):
        value = getattr(instance, attname, None)
        if isinstance(value, str) and len(value) > limit:
            try:
                MaxLengthValidator(limit)(value)
            except ValidationError as error:
                found[name] = error
    return ValidationError(found) if found else None


def refuse_too_long(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """`pre_save` of every model: refuse a text over its limit before anything is written (fixtures,
    `raw`, load as they are; so do the historical models a migration writes through, which are not the
    project's models)."""
    if raw or sender._meta.apps is not apps or sender._meta.app_label not in _project_labels():
        return
    error = problems(instance)
    if error is not None:
        raise error


# --- forms: the same limit, shown --------------------------------------------------------------


TYPED_INPUTS = ("text", "search", "email", "url", "tel")


def show_limits(form: Any, *record_models: type[models.Model], aliases: dict[str, str] | None = None) -> None:
    """Give each free-text input of `form` the limit of the model field of the same name (or `aliases`: form
    name → model name) as its `maxlength`: the browser stops typing there. Presentation only: the service
    refuses a longer text whatever sends it."""
    names = aliases or {}
    for name, form_field in form.fields.items():
        widget = form_field.widget
        typed = isinstance(widget, django_forms.Textarea) or (
            isinstance(widget, django_forms.widgets.Input) and widget.input_type in TYPED_INPUTS
        )
        if not typed:
            continue
        for model in record_models:
            try:
                field = model._meta.get_field(names.get(name, name))
            except FieldDoesNotExist:
                continue
            if isinstance(field, models.Field) and is_text(field) and (limit := limit_of(field)) is not None:
                shown = widget.attrs.get("maxlength")  # a form field's own (an e-mail's 320) may be longer
                widget.attrs["maxlength"] = str(min(limit, int(shown)) if shown else limit)
                break


class TextLimitsMixin:
    """A form whose free-text inputs show their model fields' limits: `text_models = (Assessment,)`; a
    ModelForm shows its own model's without saying so."""

    text_models: tuple[type[models.Model], ...] = ()
    text_aliases: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        meta = getattr(self, "_meta", None)
        own = (meta.model,) if meta is not None and getattr(meta, "model", None) else ()
        show_limits(self, *self.text_models, *own, aliases=self.text_aliases)
