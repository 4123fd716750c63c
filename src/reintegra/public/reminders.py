"""Reminder producers of the public app. Messages carry tracking codes and titles, never what a person said.

- a guide past its review date: its owner;
- feedback not acknowledged / not resolved by its deadline: the handlers of its programme's organisation
  (sensitive items: the focal points only)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.urls import reverse
from django.utils.translation import gettext_noop

from reintegra.access.models import User
from reintegra.access.roles import ROLE_CAPABILITIES, Capability
from reintegra.public.choices import FeedbackKind, FeedbackStatus
from reintegra.public.models import Feedback, Guide
from reintegra.reminders.registry import Due


def guides_to_review(today: date) -> Iterator[Due]:
    rows = (
        Guide.objects.filter(review_due_on__lt=today, is_published=True, owner__is_active=True)
        .values_list("pk", "title", "review_due_on", "owner_id")
        .order_by("pk")
    )
    message = gettext_noop('The guide "%(title)s" was due for review on %(date)s: check it is still right.')
    for pk, title, due_on, owner in rows:
        url = reverse("public_staff:guide", args=[pk])
        yield Due(
            owner, f"{pk}:{due_on.isoformat()}", message, {"title": title, "date": due_on.isoformat()}, url, due_on
        )


def _roles_with(capability: Capability) -> list[str]:
    return [role.value for role, caps in ROLE_CAPABILITIES.items() if capability in caps]


def _handlers(organisation_id: int, sensitive: bool, cache: dict[tuple[int, bool], list[int]]) -> list[int]:
    key = (organisation_id, sensitive)
    if key not in cache:
        capability = Capability.HANDLE_SENSITIVE_FEEDBACK if sensitive else Capability.HANDLE_FEEDBACK
        cache[key] = list(
            User.objects.filter(
                organisation_id=organisation_id, is_active=True, role_assignments__role__in=_roles_with(capability)
            )
            .distinct()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return cache[key]


def feedback_overdue(today: date) -> Iterator[Due]:
    late_ack = Feedback.objects.filter(status=FeedbackStatus.RECEIVED, acknowledge_by__lt=today)
    late_resolve = Feedback.objects.filter(
        status__in=[FeedbackStatus.RECEIVED, FeedbackStatus.ACKNOWLEDGED], resolve_by__lt=today
    )
    messages = {
        "ack": gettext_noop("Feedback %(code)s was due to be acknowledged on %(date)s."),
        "resolve": gettext_noop("Feedback %(code)s was due to be resolved on %(date)s."),
    }
    cache: dict[tuple[int, bool], list[int]] = {}
    for what, qs, deadline in (("ack", late_ack, "acknowledge_by"), ("resolve", late_resolve, "resolve_by")):
        rows = qs.values_list("pk", "tracking_code", deadline, "kind", "programme__organisation_id").order_by("pk")
        for pk, code, due_on, kind, organisation_id in rows:
            url = reverse("public_staff:feedback", args=[pk])
            params = {"code": code, "date": due_on.isoformat()}
            for recipient in _handlers(organisation_id, kind == FeedbackKind.SENSITIVE, cache):
                yield Due(recipient, f"{what}:{pk}:{due_on.isoformat()}", messages[what], params, url, due_on)
