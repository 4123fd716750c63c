"""What each kind of record adds to the shared detail page (`RecordDetailView`): sections of its
children, charts, checklists, the information-exchange matrix. Reads through `selectors`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import audit
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.structural import charts, selectors
from reintegra.structural import choices as c
from reintegra.structural.models import (
    Agreement,
    CapacityAssessment,
    CapacityPlan,
    CooperationFramework,
    CoordinationMechanism,
    MainstreamingProcess,
    Meeting,
    Stakeholder,
)
from reintegra.structural.pages import field_label, section, url_of

DETAIL_EXCLUDE: dict[str, tuple[str, ...]] = {
    "stakeholder": ("concerns", "expectations", "perceptions", "engagement_strategy", "relevance"),
    "meeting": ("agenda", "minutes", "decisions"),
}


def checklist_panel(obj: Any, kind: str, **owner: Any) -> dict[str, Any]:
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
        (field_label(Stakeholder, n), getattr(obj, n))
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
    ctx["checklist_panels"] = [checklist_panel(obj, c.ChecklistKind.COORDINATION, mechanism=obj)]
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
    ctx["texts"] = [(field_label(Meeting, n), getattr(obj, n)) for n in ("agenda", "minutes", "decisions")]
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
                    for value, field_label in c.DataCategory.choices
                ],
            }
            for party in parties
        ],
        "url": reverse("structural:framework-exchange", args=[obj.pk]),
    }
    ctx["checklist_panels"] = [checklist_panel(obj, c.ChecklistKind.COOPERATION, framework=obj)]
    if obj.steering_committee_id:
        ctx["related_links"] = [(str(obj.steering_committee), url_of(obj.steering_committee))]  # type: ignore[arg-type]
    ctx["extras"] = ["structural/includes/exchange_matrix.html", "structural/includes/checklists.html"]


def _process(request: AuthenticatedHttpRequest, obj: MainstreamingProcess, ctx: dict[str, Any]) -> None:
    ctx["checklist_panels"] = [
        checklist_panel(obj, c.ChecklistKind.PRECONDITIONS, process=obj),
        checklist_panel(obj, c.ChecklistKind.MAINSTREAMING, process=obj),
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
