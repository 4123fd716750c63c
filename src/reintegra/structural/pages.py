"""The record kinds of the structural level and how a record is shown, shared by its pages.

- `Kind` describes a record type (model, form, URL slug, list columns and filters, possible parents); `KINDS`
  lists them (the routes of `structural.urls` are made from it);
- `url_of`, `display`, `field_rows` and `section` show a record, its fields and a table of its children."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django_countries.fields import Country

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.structural import choices as c
from reintegra.structural import forms, selectors
from reintegra.structural.models import (
    ActionItem,
    Agreement,
    CapacityActivity,
    CapacityAssessment,
    CapacityPlan,
    ChecklistStep,
    CommonProduct,
    ContactPerson,
    CooperationFramework,
    CoordinationMechanism,
    Document,
    Interaction,
    MainstreamingProcess,
    MechanismMember,
    Meeting,
    ProgrammeRecord,
    ProgressIndicator,
    SectorOpportunity,
    Stakeholder,
    StakeholderReview,
    Training,
)
from reintegra.web.dates import local_date


@dataclass(frozen=True)
class Kind:
    key: str  # URL names: structural:<key>-list / -detail / -new / -edit
    model: type[ProgrammeRecord]
    form: type[forms.StructuralForm]
    slug: str  # URL path segment (Spanish)
    parents: tuple[str, ...] = ()  # FK names of the records a new one is created under
    columns: tuple[str, ...] = ()  # list columns (field names; choices shown by label)
    filters: tuple[str, ...] = ()  # choice fields offered as list filters
    search: tuple[str, ...] = ()  # text fields searched by ?q=
    listed: bool = False
    detailed: bool = False
    creatable: bool = True
    related: tuple[str, ...] = ("programme",)
    nav_title: Any = None

    @property
    def title(self) -> Any:
        return self.nav_title or self.model._meta.verbose_name_plural


KINDS: dict[str, Kind] = {
    k.key: k
    for k in [
        Kind(
            "stakeholder",
            Stakeholder,
            forms.StakeholderForm,
            "interlocutores",
            columns=("name", "category", "level", "country", "interest", "influence", "next_review_on"),
            filters=("category", "level", "stance"),
            search=("name", "area"),
            listed=True,
            detailed=True,
        ),
        Kind("contact", ContactPerson, forms.ContactPersonForm, "contactos", parents=("stakeholder",)),
        Kind("interaction", Interaction, forms.InteractionForm, "interacciones", parents=("stakeholder",)),
        Kind(
            "product",
            CommonProduct,
            forms.CommonProductForm,
            "productos",
            parents=("stakeholder",),
            columns=("stakeholder", "kind", "description", "owner", "due_on", "status"),
            filters=("kind", "status"),
            search=("description", "owner"),
            listed=True,
            related=("programme", "stakeholder"),
        ),
        Kind("review", StakeholderReview, forms.ReviewForm, "revisiones", parents=("stakeholder",)),
        Kind(
            "agreement",
            Agreement,
            forms.AgreementForm,
            "acuerdos",
            columns=("title", "kind", "status", "starts_on", "ends_on"),
            filters=("kind", "status"),
            search=("title", "scope"),
            listed=True,
            detailed=True,
        ),
        Kind("document", Document, forms.DocumentForm, "documentos", parents=("agreement", "mechanism", "step")),
        Kind(
            "mechanism",
            CoordinationMechanism,
            forms.MechanismForm,
            "mecanismos",
            columns=("name", "kind", "level", "chair", "approved_on", "is_active"),
            filters=("kind", "level"),
            search=("name",),
            listed=True,
            detailed=True,
            related=("programme", "chair"),
        ),
        Kind("member", MechanismMember, forms.MemberForm, "miembros", parents=("mechanism",)),
        Kind("meeting", Meeting, forms.MeetingForm, "reuniones", parents=("mechanism",), detailed=True),
        Kind(
            "actionitem",
            ActionItem,
            forms.ActionItemForm,
            "acciones",
            parents=("meeting", "process"),
            columns=("description", "mechanism", "process", "owner", "owner_stakeholder", "due_on", "status"),
            filters=("status",),
            search=("description",),
            listed=True,
            related=("programme", "mechanism", "process", "owner", "owner_stakeholder"),
        ),
        Kind(
            "assessment",
            CapacityAssessment,
            forms.CapacityAssessmentForm,
            "evaluaciones-capacidad",
            columns=("stakeholder", "area", "aspect", "current_level", "target_level", "priority", "assessed_on"),
            filters=("aspect", "priority"),
            search=("area",),
            listed=True,
            detailed=True,
            related=("programme", "stakeholder"),
        ),
        Kind(
            "plan",
            CapacityPlan,
            forms.CapacityPlanForm,
            "planes-capacidad",
            columns=("title", "status", "starts_on", "ends_on"),
            filters=("status",),
            search=("title",),
            listed=True,
            detailed=True,
        ),
        Kind("activity", CapacityActivity, forms.CapacityActivityForm, "actividades", parents=("plan",)),
        Kind("training", Training, forms.TrainingForm, "capacitaciones", parents=("plan",)),
        Kind("indicator", ProgressIndicator, forms.IndicatorForm, "indicadores", parents=("plan",)),
        Kind(
            "framework",
            CooperationFramework,
            forms.FrameworkForm,
            "marcos-cooperacion",
            columns=("title", "host_country", "origin_country", "steering_committee"),
            search=("title",),
            listed=True,
            detailed=True,
            related=("programme", "steering_committee"),
        ),
        Kind(
            "process",
            MainstreamingProcess,
            forms.ProcessForm,
            "incorporacion",
            columns=("title", "level", "area", "status", "started_on"),
            filters=("level", "status"),
            search=("title", "area"),
            listed=True,
            detailed=True,
        ),
        Kind("opportunity", SectorOpportunity, forms.OpportunityForm, "oportunidades", parents=("process",)),
        Kind("step", ChecklistStep, forms.StepForm, "pasos", creatable=False),
    ]
}


KIND_OF_MODEL: dict[type[models.Model], Kind] = {k.model: k for k in KINDS.values()}


def field_label(model: type[models.Model], name: str) -> Any:
    return getattr(model._meta.get_field(name), "verbose_name", name)


def url_of(obj: models.Model) -> str:
    """Where a record is shown: its own page, or its parent's (children are listed there)."""
    kind = KIND_OF_MODEL.get(type(obj))
    if isinstance(obj, ChecklistStep):
        owner = obj.checklist.mechanism or obj.checklist.framework or obj.checklist.process
        if owner is not None:
            return url_of(owner)
        return reverse("structural:checklist", args=[obj.checklist.kind]) + f"?programa={obj.programme_id}"
    if kind is not None and kind.detailed:
        return reverse(f"structural:{kind.key}-detail", args=[obj.pk])
    for name in kind.parents if kind else ():
        parent = getattr(obj, name, None)
        if parent is not None:
            return url_of(parent)
    return reverse("structural:home")


def display(obj: Any, name: str) -> Any:
    """A field's value as shown: choice labels, related records by name, lists of choices as labels."""
    getter = getattr(obj, f"get_{name}_display", None)
    if callable(getter):
        return getter()
    value = getattr(obj, name, None)
    if name == "functions":
        labels = dict(c.StakeholderFunction.choices)
        return ", ".join(str(labels.get(v, v)) for v in value or [])
    if isinstance(value, models.Manager):
        return ", ".join(str(v) for v in selectors.related_records(value))
    if isinstance(value, Country):
        return value.name
    if isinstance(value, date):  # a table cell truncates its value to text: ISO unless formatted here
        return local_date(value)
    return value


# Fields never shown on a detail page (bookkeeping) or shown elsewhere.
_HIDDEN = {"id", "created_at", "updated_at", "programme", "recorded_by", "code", "position", "checklist"}


def field_rows(obj: models.Model, exclude: tuple[str, ...] = ()) -> list[tuple[Any, Any]]:
    rows = []
    for f in [*obj._meta.concrete_fields, *obj._meta.many_to_many]:
        if f.name in _HIDDEN or f.name in exclude or f.name.endswith("_ptr"):
            continue
        value = display(obj, f.name)
        if value in (None, "", []):
            continue
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        rows.append((f.verbose_name, value))
    return rows


def _related_model(model: type[models.Model], name: str) -> type:
    related = model._meta.get_field(name).related_model
    return related if isinstance(related, type) else type(None)


def section(
    request: AuthenticatedHttpRequest,
    parent: Any,
    kind_key: str,
    items: Any,
    columns: tuple[str, ...],
    title: Any = None,
) -> dict[str, Any]:
    """A table of a record's children with edit links and an "add" link (for editors)."""
    kind = KINDS[kind_key]
    can_edit = selectors.can_edit_programme(request.user, parent.programme_id)
    parent_field = next((p for p in kind.parents if isinstance(parent, _related_model(kind.model, p))), "")
    headers = [field_label(kind.model, name) for name in columns]
    rows = [
        {
            "cells": [display(item, name) for name in columns],
            "edit_url": reverse(f"structural:{kind_key}-edit", args=[item.pk]) if can_edit else "",
            "url": reverse(f"structural:{kind_key}-detail", args=[item.pk]) if kind.detailed else "",
            "behind": getattr(item, "is_behind", False) or getattr(item, "is_overdue", False),
            "file_url": reverse("structural:document-file", args=[item.pk]) if isinstance(item, Document) else "",
        }
        for item in items
    ]
    add_url = ""
    if can_edit and parent_field:
        add_url = reverse(f"structural:{kind_key}-new-{parent_field}", args=[parent.pk])
    return {"key": kind_key, "title": title or kind.title, "headers": headers, "rows": rows, "add_url": add_url}
