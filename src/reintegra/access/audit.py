"""The audit trail: changes through django-auditlog, reads/exports/exceptions as AccessEvent rows.

Sensitive fields are registered as masked with `redact`, so their values never reach the log in clear;
the log still shows that they changed.
"""

from typing import Any

from django.apps import apps
from django.db import models

from reintegra.access.fields import sensitive_category

REDACTED = "[protected]"


def redact(value: str) -> str:
    return REDACTED


# Models holding personal data whose changes are audited ("app_label.Model").
AUDITED_MODELS = [
    "access.Organisation",
    "access.Team",
    "access.User",
    "access.RoleAssignment",
    "access.Consent",
    "cases.Returnee",
    "cases.IdentityDocument",
    "cases.Household",
    "cases.HouseholdMember",
    "cases.Case",
    "cases.Assessment",
    "cases.CounsellingSession",
    "cases.ReintegrationPlan",
    "cases.PlanItem",
    "cases.FollowUpVisit",
    "cases.CaseShare",
]

# Never copy these into the log at all (hashes, derived search text).
_EXCLUDED = {"password", "number_index", "search_name", "search_text", "last_login"}


def sensitive_field_names(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if sensitive_category(f) is not None]


def register_models() -> None:
    from auditlog.registry import auditlog

    for label in AUDITED_MODELS:
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        masked = sensitive_field_names(model)
        kwargs: dict[str, Any] = {
            "exclude_fields": [f for f in _EXCLUDED if _has_field(model, f)],
        }
        if masked:
            kwargs["mask_fields"] = masked
            kwargs["mask_callable"] = "reintegra.access.audit.redact"
        auditlog.register(model, **kwargs)


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def record_access(
    user: Any,
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str | int = "",
    purpose: str = "",
    flagged: bool = False,
    channel: str = "web",
) -> None:
    from reintegra.access.models import AccessEvent

    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    AccessEvent.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        purpose=purpose[:300],
        flagged=flagged,
        channel=channel,
    )
