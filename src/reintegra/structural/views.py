"""Pages of the structural level. One small machine serves every record type:

- `Kind` describes a record type (model, form, URL slug, list columns and filters, possible parents);
- `RecordListView`, `RecordDetailView` and `RecordFormView` read and write any kind through
  `selectors` (scoped) and `services.save_record` (checked, audited);
- detail pages share one template: the record's fields, sections of its children, and extra panels
  (grid chart, checklists, information-exchange matrix, capacity chart) a kind adds.

Role first (403 before any lookup), then scope (404 for what the user may not see).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_countries.fields import Country

from reintegra.access import audit
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.versioning import StaleVersion
from reintegra.api.fields import parse_id
from reintegra.structural import charts, forms, selectors, services
from reintegra.structural import choices as c
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
from reintegra.web import pagination, versioning
from reintegra.web.forms import apply_service_errors

PAGE_SIZE = 25


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


def _label(model: type[models.Model], name: str) -> Any:
    return getattr(model._meta.get_field(name), "verbose_name", name)


def _require_view(user: Any) -> None:
    if not selectors.can_view(user):
        raise PermissionDenied


def _require_edit(user: Any) -> None:
    if not selectors.can_edit(user):
        raise PermissionDenied


def _require_programme_edit(user: Any, programme_id: int) -> None:
    """A record the user sees but may not change (another organisation's, no write grant): 403."""
    if not selectors.can_edit_programme(user, programme_id):
        raise services.no_write_grant(programme_id)


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
    headers = [_label(kind.model, name) for name in columns]
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


# --- Generic views ------------------------------------------------------------------------------


class StructuralView(LoginRequiredMixin, View):
    kind: Kind = cast(Kind, None)  # set per route by as_view(kind=...)
    request: AuthenticatedHttpRequest

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        _require_view(request.user)
        return super().dispatch(request, *args, **kwargs)


class RecordListView(StructuralView):
    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        kind = self.kind
        programme = parse_id(request.GET.get("programa"))
        chosen, active_filters = _list_filters(request, kind)
        engagement = request.GET.get("engagement", "")
        query = request.GET.get("q", "").strip()[:100]
        qs = selectors.search_records(
            request.user,
            kind.model,
            related=kind.related,
            programme=programme,
            choices=chosen,
            engagement_category=engagement if engagement in c.EngagementCategory.values else "",
            query=query,
            search=kind.search,
        )
        page = pagination.page_of(request, qs, PAGE_SIZE)
        context: dict[str, Any] = {
            "nav": "structural",
            "kind": kind,
            "page": page,
            "headers": [_label(kind.model, n) for n in kind.columns],
            "rows": [
                {"url": url_of(obj), "cells": [display(obj, n) for n in kind.columns], "obj": obj}
                for obj in page.object_list
            ],
            "filters": active_filters,
            "query": query,
            "programmes": selectors.visible_programmes(request.user),
            "programme": programme,
            "can_edit": bool(selectors.editable_programme_ids(request.user)) and kind.creatable and not kind.parents,
            "new_url": reverse(f"structural:{kind.key}-new") if kind.creatable and not kind.parents else "",
        }
        if kind.model is Stakeholder:
            context["engagement_options"] = c.EngagementCategory.choices
            context["engagement"] = request.GET.get("engagement", "")
            context["grid"] = charts.stakeholder_grid(qs[:300])
        return render(request, "structural/list.html", context)


def _list_filters(request: AuthenticatedHttpRequest, kind: Kind) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The kind's choice filters: the values asked for (only valid choices) and what the page offers."""
    chosen: dict[str, str] = {}
    offered = []
    for name in kind.filters:
        value = request.GET.get(name, "")
        field_obj = kind.model._meta.get_field(name)
        options = list(field_obj.choices or [])  # type: ignore[union-attr]
        if value in {str(v) for v, _label in options}:
            chosen[name] = value
        offered.append({"name": name, "label": _label(kind.model, name), "options": options, "value": value})
    return chosen, offered


class RecordDetailView(StructuralView):
    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        kind = self.kind
        obj = selectors.get_visible(request.user, kind.model, pk)
        context: dict[str, Any] = {
            "nav": "structural",
            "kind": kind,
            "obj": obj,
            "fields": field_rows(obj, DETAIL_EXCLUDE.get(kind.key, ())),
            "can_edit": selectors.can_edit_programme(request.user, obj.programme_id),
            "edit_url": reverse(f"structural:{kind.key}-edit", args=[obj.pk]),
            "list_url": reverse(f"structural:{kind.key}-list") if kind.listed else "",
            "sections": [],
            "extras": [],
        }
        DETAILS[kind.key](request, obj, context)
        return render(request, "structural/detail.html", context)


class RecordFormView(StructuralView):
    parent_field: str = ""

    def _setup(self, request: AuthenticatedHttpRequest, pk: int | None) -> tuple[ProgrammeRecord, Any, Any]:
        _require_edit(request.user)
        kind = self.kind
        if pk is None:
            instance = kind.model()
            parent: Any = None
            if self.parent_field:
                parent_model = kind.model._meta.get_field(self.parent_field).related_model
                parent = selectors.get_visible(request.user, parent_model, self.kwargs["parent_pk"])  # type: ignore[arg-type]
                _require_programme_edit(request.user, parent.programme_id)
                setattr(instance, self.parent_field, parent)
                instance.programme = parent.programme
            return instance, parent, parent.programme if parent else None
        instance = selectors.get_visible(request.user, kind.model, pk)
        _require_programme_edit(request.user, instance.programme_id)
        return instance, None, instance.programme

    def _render(
        self,
        request: AuthenticatedHttpRequest,
        form: Any,
        instance: Any,
        parent: Any,
        record_version: int | None = None,
        conflict: Any = None,
    ) -> HttpResponse:
        cancel = (
            url_of(parent)
            if parent is not None
            else url_of(instance)
            if instance.pk
            else reverse(f"structural:{self.kind.key}-list")
        )
        title = (
            _("Edit %(what)s") % {"what": self.kind.model._meta.verbose_name}
            if instance.pk
            else _("New %(what)s") % {"what": self.kind.model._meta.verbose_name}
        )
        context = {
            "nav": "structural",
            "kind": self.kind,
            "form": form,
            "obj": instance,
            "parent": parent,
            "form_title": title,
            "cancel_url": cancel,
            "has_errors": form.is_bound and (bool(form.errors) or conflict is not None),
            # Edits carry the version they were opened at (web.versioning); new records need none.
            "record_version": record_version if instance.pk else None,
            "conflict": conflict,
            "multipart": "file" in form.fields,
            "guidance": getattr(instance, "guidance", "") if isinstance(instance, ChecklistStep) else "",
        }
        return render(request, "structural/form.html", context, status=400 if context["has_errors"] else 200)

    def get(
        self, request: AuthenticatedHttpRequest, pk: int | None = None, parent_pk: int | None = None
    ) -> HttpResponse:
        instance, parent, programme = self._setup(request, pk)
        form = self.kind.form(instance=instance, user=request.user, programme=programme)
        if parent is None and instance.pk is None and parse_id(request.GET.get("programa")):
            form.initial["programme"] = parse_id(request.GET.get("programa"))
        return self._render(request, form, instance, parent, instance.revision if instance.pk else None)

    def post(
        self, request: AuthenticatedHttpRequest, pk: int | None = None, parent_pk: int | None = None
    ) -> HttpResponse:
        instance, parent, programme = self._setup(request, pk)
        form = self.kind.form(request.POST, request.FILES, instance=instance, user=request.user, programme=programme)
        record_version = versioning.posted_version(request.POST)
        conflict = None
        if form.is_valid():
            record = form.save(commit=False)
            if isinstance(record, Document):
                record.uploaded_by = request.user
            if isinstance(record, Interaction) and record.recorded_by_id is None:
                record.recorded_by = request.user
            try:
                services.save_record(
                    request.user, record, form.m2m_values(), expected_version=record_version if record.pk else None
                )
            except StaleVersion as stale:
                stored = model_to_dict(stale.current) if stale.current is not None else {}
                conflict, record_version = versioning.conflict(stale, [(form, stored)]), stale.current_version
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(request, _("Saved."))
                return redirect(url_of(record))
        return self._render(request, form, instance, parent, record_version, conflict)


# --- Detail pages: what each kind adds to the shared template -----------------------------------

DETAIL_EXCLUDE: dict[str, tuple[str, ...]] = {
    "stakeholder": ("concerns", "expectations", "perceptions", "engagement_strategy", "relevance"),
    "meeting": ("agenda", "minutes", "decisions"),
}


def _checklist_panel(obj: Any, kind: str, **owner: Any) -> dict[str, Any]:
    checklist = selectors.checklist(obj.programme, kind, **owner)
    steps = selectors.checklist_steps(checklist)
    done = sum(1 for s in steps if s.status in (c.StepStatus.DONE, c.StepStatus.NOT_APPLICABLE))
    return {"checklist": checklist, "steps": steps, "done": done, "total": len(steps)}


def _stakeholder(request: AuthenticatedHttpRequest, obj: Stakeholder, ctx: dict[str, Any]) -> None:
    today = timezone.localdate()
    records = selectors.stakeholder_records(obj)
    products = records.products
    ctx["engagement"] = obj.get_engagement_category_display()
    ctx["insufficient"] = any(p.is_behind for p in products)
    ctx["review_due"] = obj.next_review_on is not None and obj.next_review_on <= today
    ctx["grid"] = charts.stakeholder_grid([obj], highlight=obj.pk)
    ctx["texts"] = [
        (_label(Stakeholder, n), getattr(obj, n))
        for n in ("relevance", "engagement_strategy", "concerns", "expectations", "perceptions")
    ]
    ctx["sections"] = [
        section(request, obj, "contact", records.contacts, ("name", "position", "email", "phone")),
        section(request, obj, "interaction", records.interactions, ("occurred_on", "kind", "summary")),
        section(request, obj, "product", products, ("kind", "description", "owner", "due_on", "status")),
        section(request, obj, "review", records.reviews, ("reviewed_on", "reason", "progress", "notes")),
    ]
    ctx["extras"] = ["structural/includes/stakeholder_panel.html"]
    ctx["related_links"] = [(str(a), url_of(a)) for a in records.agreements]
    audit.record_access(request.user, "view", obj, purpose="structural stakeholder page")


def _agreement(request: AuthenticatedHttpRequest, obj: Agreement, ctx: dict[str, Any]) -> None:
    ctx["sections"] = [
        section(request, obj, "document", selectors.documents_of(obj), ("title", "version", "issued_on", "kind")),
    ]
    ctx["renewal_on"] = obj.renewal_notice_on
    ctx["renewal_due"] = obj.renewal_notice_on is not None and obj.renewal_notice_on <= timezone.localdate()
    ctx["extras"] = ["structural/includes/agreement_panel.html"]


def _mechanism(request: AuthenticatedHttpRequest, obj: CoordinationMechanism, ctx: dict[str, Any]) -> None:
    records = selectors.mechanism_records(obj)
    ctx["sections"] = [
        section(
            request,
            obj,
            "member",
            records.members,
            ("stakeholder", "role", "representative", "position", "is_senior"),
        ),
        section(request, obj, "meeting", records.meetings, ("held_on", "location")),
        section(
            request,
            obj,
            "actionitem",
            records.action_items,
            ("description", "owner", "owner_stakeholder", "due_on", "status"),
            title=_("Action items"),
        ),
        section(
            request,
            obj,
            "document",
            records.documents,
            ("title", "kind", "version", "issued_on"),
            title=_("Documents (official approval and others)"),
        ),
    ]
    ctx["checklist_panels"] = [_checklist_panel(obj, c.ChecklistKind.COORDINATION, mechanism=obj)]
    # Extension point (lead): referral-pathway SOPs of the referrals app are listed with these.
    ctx["sop_documents"] = section(
        request,
        obj,
        "document",
        records.sop_documents,
        ("title", "version", "issued_on"),
        title=_("Related SOP documents"),
    )
    # The referral network's SOPs (current versions) of the organisation that runs this programme.
    from reintegra.referrals.selectors import current_pathways_of

    ctx["referral_pathways"] = current_pathways_of(request.user, obj.programme.organisation_id)
    ctx["extras"] = ["structural/includes/checklists.html", "structural/includes/mechanism_sops.html"]


def _meeting(request: AuthenticatedHttpRequest, obj: Meeting, ctx: dict[str, Any]) -> None:
    ctx["texts"] = [(_label(Meeting, n), getattr(obj, n)) for n in ("agenda", "minutes", "decisions")]
    ctx["parent_link"] = (str(obj.mechanism), url_of(obj.mechanism))
    ctx["sections"] = [
        section(
            request,
            obj,
            "actionitem",
            selectors.action_items_of(obj),
            ("description", "owner", "owner_stakeholder", "due_on", "status", "completed_on"),
        ),
    ]


def _assessment(request: AuthenticatedHttpRequest, obj: CapacityAssessment, ctx: dict[str, Any]) -> None:
    ctx["related_links"] = [(str(obj.stakeholder), url_of(obj.stakeholder))]


def _plan(request: AuthenticatedHttpRequest, obj: CapacityPlan, ctx: dict[str, Any]) -> None:
    records = selectors.plan_records(obj)
    activities = records.activities
    ctx["phases"] = [
        {
            "label": label,
            "section": section(
                request,
                obj,
                "activity",
                [a for a in activities if a.phase == value],
                ("title", "kind", "responsible", "starts_on", "ends_on", "budget", "status", "progress"),
                title=label,
            ),
        }
        for value, label in c.CapacityPhase.choices
    ]
    indicators = records.indicators
    ctx["progress_chart"] = charts.capacity_progress(activities, indicators)
    ctx["indicators"] = indicators
    ctx["sections"] = [
        section(request, obj, "indicator", indicators, ("name", "baseline", "target", "current")),
        section(
            request,
            obj,
            "training",
            records.trainings,
            ("title", "held_on", "institutions", "participants", "results"),
        ),
    ]
    ctx["extras"] = ["structural/includes/plan_panel.html"]
    budget = sum((a.budget or 0) for a in activities)
    ctx["budget_total"] = budget


def _framework(request: AuthenticatedHttpRequest, obj: CooperationFramework, ctx: dict[str, Any]) -> None:
    parties = selectors.framework_parties(obj)
    rules = selectors.exchange_rules(obj)
    ctx["matrix"] = {
        "categories": c.DataCategory.choices,
        "rows": [
            {
                "party": party,
                "cells": [
                    {
                        "category": value,
                        "enter": bool(rules.get((party.pk, value)) and rules[(party.pk, value)].may_enter),
                        "consult": bool(rules.get((party.pk, value)) and rules[(party.pk, value)].may_consult),
                    }
                    for value, _label in c.DataCategory.choices
                ],
            }
            for party in parties
        ],
        "url": reverse("structural:framework-exchange", args=[obj.pk]),
    }
    ctx["checklist_panels"] = [_checklist_panel(obj, c.ChecklistKind.COOPERATION, framework=obj)]
    if obj.steering_committee_id:
        ctx["related_links"] = [(str(obj.steering_committee), url_of(obj.steering_committee))]  # type: ignore[arg-type]
    ctx["extras"] = ["structural/includes/exchange_matrix.html", "structural/includes/checklists.html"]


def _process(request: AuthenticatedHttpRequest, obj: MainstreamingProcess, ctx: dict[str, Any]) -> None:
    ctx["checklist_panels"] = [
        _checklist_panel(obj, c.ChecklistKind.PRECONDITIONS, process=obj),
        _checklist_panel(obj, c.ChecklistKind.MAINSTREAMING, process=obj),
    ]
    ctx["sections"] = [
        section(
            request,
            obj,
            "opportunity",
            selectors.opportunities_of(obj),
            ("sector", "opportunity", "responsible", "due_on", "status"),
        ),
        section(
            request,
            obj,
            "actionitem",
            selectors.action_items_of(obj),
            ("description", "owner", "owner_stakeholder", "due_on", "status"),
        ),
    ]
    ctx["pdf_url"] = reverse("structural:process-action-plan", args=[obj.pk])
    ctx["extras"] = ["structural/includes/checklists.html", "structural/includes/process_panel.html"]


DETAILS: dict[str, Callable[[AuthenticatedHttpRequest, Any, dict[str, Any]], None]] = {
    "stakeholder": _stakeholder,
    "agreement": _agreement,
    "mechanism": _mechanism,
    "meeting": _meeting,
    "assessment": _assessment,
    "plan": _plan,
    "framework": _framework,
    "process": _process,
}


# --- Pages that are not one record --------------------------------------------------------------


class HomeView(StructuralView):
    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        today = timezone.localdate()
        user = request.user
        stakeholders = selectors.stakeholders_for(user)
        counts = selectors.engagement_counts(stakeholders)
        context = {
            "nav": "structural",
            "grid": charts.stakeholder_grid(selectors.stakeholders_by_name(user, 300)),
            "counts": [(label, counts.get(value, 0), value) for value, label in c.EngagementCategory.choices],
            "reviews_due": selectors.reviews_due(user, today)[:20],
            "insufficient": selectors.stakeholders_with_insufficient_progress(user, today)[:20],
            "agreements": selectors.agreements_expiring(user, today)[:20],
            "overdue": selectors.overdue_action_items(user, today)[:20],
            "today": today,
            "sections": [
                (KINDS[key].title, reverse(f"structural:{key}-list"))
                for key in (
                    "stakeholder",
                    "product",
                    "agreement",
                    "mechanism",
                    "actionitem",
                    "assessment",
                    "plan",
                    "framework",
                    "process",
                )
            ]
            + [
                (c.ChecklistKind.PRIVATE_SECTOR.label, reverse("structural:checklist", args=["private_sector"])),
                (c.ChecklistKind.DIASPORA.label, reverse("structural:checklist", args=["diaspora"])),
            ],
            "can_edit": bool(selectors.editable_programme_ids(user)),
            "can_manage_grants": services.can_manage_grants(user),
        }
        return render(request, "structural/home.html", context)


PROGRAMME_CHECKLISTS = (c.ChecklistKind.PRIVATE_SECTOR, c.ChecklistKind.DIASPORA)


class ChecklistView(StructuralView):
    """The private-sector strategy (Cuadro 4.2) and diaspora engagement (Cuadro 4.4) of each programme."""

    def _kind(self, kind: str) -> str:
        if kind not in PROGRAMME_CHECKLISTS:
            raise Http404
        return kind

    def get(self, request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
        kind = self._kind(kind)
        programmes = list(selectors.visible_programmes(request.user))
        wanted = parse_id(request.GET.get("programa"))
        if wanted:
            programmes = [p for p in programmes if p.pk == wanted]
        panels = []
        editable = selectors.editable_programme_ids(request.user)
        for programme in programmes:
            panel = _checklist_panel(type("Owner", (), {"programme": programme})(), kind)
            panel["programme"] = programme
            panel["can_edit"] = programme.pk in editable
            panel["can_start"] = panel["can_edit"] and panel["checklist"] is None
            panels.append(panel)
        context = {
            "nav": "structural",
            "title": c.ChecklistKind(kind).label,
            "kind": kind,
            "panels": panels,
            "can_edit": bool(editable),
        }
        return render(request, "structural/checklist_page.html", context)

    def post(self, request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
        _require_edit(request.user)
        kind = self._kind(kind)
        programme = request.POST.get("programme", "")
        if not programme.isdigit() or int(programme) not in selectors.visible_programme_ids(request.user):
            raise Http404
        services.open_programme_checklist(request.user, int(programme), kind)
        return redirect(reverse("structural:checklist", args=[kind]) + f"?programa={programme}")


def _exchange_conflict(stale: StaleVersion, framework: CooperationFramework, cells: set[tuple[int, str, str]]) -> str:
    """The conflict message of the matrix, with the user's choices where they differ from the stored ones (the
    page is redirected to: this is where what they ticked is kept)."""
    stored = set()
    for rule in selectors.exchange_rules(framework).values():
        if rule.may_enter:
            stored.add((rule.party_id, rule.category, "enter"))
        if rule.may_consult:
            stored.add((rule.party_id, rule.category, "consult"))
    parties = {p.pk: str(p) for p in selectors.framework_parties(framework)}
    categories = dict(c.DataCategory.choices)
    rights = {"enter": _("enter"), "consult": _("consult")}
    lines = [
        (_("yours: %(party)s · %(category)s · %(right)s: %(value)s"))
        % {
            "party": parties.get(party, party),
            "category": categories.get(category, category),
            "right": rights[right],
            "value": _("Yes") if (party, category, right) in cells else _("No"),
        }
        for party, category, right in sorted(cells ^ stored)
    ]
    return " ".join([str(stale.message), *lines])


class ExchangeMatrixView(StructuralView):
    """Saves the information-exchange agreement of a framework: who may enter / consult which data."""

    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        _require_edit(request.user)
        framework = selectors.get_visible(request.user, CooperationFramework, pk)
        cells: set[tuple[int, str, str]] = set()
        for key in request.POST:
            parts = key.split(":")
            if len(parts) == 4 and parts[0] == "cell" and parts[1].isdigit():
                cells.add((int(parts[1]), parts[2], parts[3]))
        try:
            services.set_exchange_matrix(
                request.user, framework, cells, expected_version=versioning.posted_version(request.POST)
            )
        except StaleVersion as stale:
            messages.error(request, _exchange_conflict(stale, framework, cells))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Information-exchange agreement saved."))
        return redirect(url_of(framework))


class DocumentFileView(StructuralView):
    def get(self, request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
        document = selectors.get_visible(request.user, Document, pk)
        try:
            handle = document.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        name = (document.file.name or "document").rsplit("/", 1)[-1]
        return FileResponse(handle, as_attachment=True, filename=name)


class ActionPlanPdfView(StructuralView):
    def get(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        from reintegra.structural import pdf

        process = selectors.get_visible(request.user, MainstreamingProcess, pk)
        content = pdf.action_plan_pdf(process)
        audit.record_access(request.user, "export", process, purpose="mainstreaming action plan (PDF)")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="plan-de-accion-{process.pk}.pdf"'
        return response
