"""Pages of the structural level. One small machine serves every record type:

- `Kind` describes a record type (model, form, URL slug, list columns and filters, possible parents; in
  `structural.pages`, with how a record is shown);
- `RecordListView`, `RecordDetailView` and `RecordFormView` read and write any kind through
  `selectors` (scoped) and `services.save_record` (checked, audited);
- detail pages share one template: the record's fields, sections of its children, and extra panels
  (grid chart, checklists, information-exchange matrix, capacity chart) a kind adds (`structural.details`).

Role first (403 before any lookup), then scope (404 for what the user may not see).
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from reintegra.access import audit, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.versioning import StaleVersion
from reintegra.api.fields import parse_id
from reintegra.structural import charts, selectors, services
from reintegra.structural import choices as c
from reintegra.structural import permissions as structural_permissions
from reintegra.structural.details import DETAIL_EXCLUDE, DETAILS, checklist_panel
from reintegra.structural.models import (
    ChecklistStep,
    CooperationFramework,
    Document,
    Interaction,
    MainstreamingProcess,
    ProgrammeRecord,
    Stakeholder,
)
from reintegra.structural.pages import KINDS, Kind, display, field_label, field_rows, url_of
from reintegra.web import pagination, versioning
from reintegra.web.forms import apply_service_errors

PAGE_SIZE = 25


class StructuralView(LoginRequiredMixin, View):
    kind: Kind = cast(Kind, None)  # set per route by as_view(kind=...)
    request: AuthenticatedHttpRequest

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        structural_permissions.require_view(request.user)
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
            "headers": [field_label(kind.model, n) for n in kind.columns],
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
        if value in {str(v) for v, field_label in options}:
            chosen[name] = value
        offered.append({"name": name, "label": field_label(kind.model, name), "options": options, "value": value})
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
        permissions.require(request.user, Capability.EDIT_STRUCTURAL)
        kind = self.kind
        if pk is None:
            instance = kind.model()
            parent: Any = None
            if self.parent_field:
                parent_model = kind.model._meta.get_field(self.parent_field).related_model
                parent = structural_permissions.access_record_by_id(
                    request.user,
                    parent_model,  # type: ignore[arg-type]
                    self.kwargs["parent_pk"],
                    for_write=True,
                )
                setattr(instance, self.parent_field, parent)
                instance.programme = parent.programme
            return instance, parent, parent.programme if parent else None
        instance = structural_permissions.access_record_by_id(request.user, kind.model, pk, for_write=True)
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


# --- Pages that are not one record ----------------------------------------------------------------


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
            panel = checklist_panel(type("Owner", (), {"programme": programme})(), kind)
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
        permissions.require(request.user, Capability.EDIT_STRUCTURAL)
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
        permissions.require(request.user, Capability.EDIT_STRUCTURAL)
        framework = structural_permissions.access_record_by_id(request.user, CooperationFramework, pk, for_write=True)
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
