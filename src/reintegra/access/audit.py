"""The audit trail: changes through django-auditlog, reads/exports/exceptions as AccessEvent rows.

Sensitive fields are registered as masked with `redact`, so their values never reach the log in clear;
the log still shows that they changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models

from reintegra.access.fields import EncryptedTextField, sensitive_category

if TYPE_CHECKING:
    from reintegra.access.models import User

REDACTED = "[protected]"


def redact(value: str) -> str:
    return REDACTED


# The access app's models whose changes are audited ("app_label.Model"); the other apps register theirs
# with `register_model` from their `AppConfig.ready()` (cases and protection: as personal).
AUDITED_MODELS = [
    "access.Organisation",
    "access.Team",
    "access.Programme",
    "access.User",
    "access.RoleAssignment",
    "access.RoleSecurityPolicy",
]
# Every model registered through `register_model` (the audit trail's filter offers these), in order.
_REGISTERED: list[str] = []

# Never copy these into the log at all (hashes, derived search text).
_EXCLUDED = {"password", "number_index", "birth_date_index", "match_record", "search_text", "last_login"}


# In models about a person, the log records THAT free text or an identifier changed, never the value:
# the log is append-only, so anything copied into it would outlive retention's anonymisation.
_PERSONAL_MODELS: set[str] = set()  # registered as personal by other apps (register_model(personal=True))


def _is_personal(model: type[models.Model]) -> bool:
    return model._meta.label in _PERSONAL_MODELS


_IDENTIFYING_DATES = {"birth_date"}


def masked_field_names(model: type[models.Model]) -> list[str]:
    names = []
    for f in model._meta.concrete_fields:
        if f.name in _EXCLUDED:
            continue
        free_text = isinstance(f, models.CharField | models.TextField) and not f.choices
        # An encrypted field is masked wherever it is: the log must not hold in clear what the table encrypts.
        encrypted = isinstance(f, EncryptedTextField) or sensitive_category(f) is not None
        if encrypted or (_is_personal(model) and (free_text or f.name in _IDENTIFYING_DATES)):
            names.append(f.name)
    return names


def register_model(label: str, *, personal: bool | None = None) -> None:
    """Audit changes of one model ("app_label.Model"). Other apps call this from `AppConfig.ready()`.

    `personal`: the model is about a person (free text and identifiers masked, entries labelled by type
    and id): the case records, the consent ledger, referrals..."""
    from auditlog.registry import auditlog

    model = apps.get_model(label)
    if auditlog.contains(model):
        return
    _REGISTERED.append(model._meta.label)
    if personal:
        _PERSONAL_MODELS.add(model._meta.label)
    masked = masked_field_names(model)
    from reintegra.access.versioning import Versioned

    excluded = [f for f in _EXCLUDED if _has_field(model, f)]
    # A generated column is computed by the database from the audited columns: it says nothing new.
    excluded += [f.name for f in model._meta.concrete_fields if f.generated]
    if issubclass(model, Versioned):
        excluded.append("revision")  # the concurrency counter: every change moves it, it says nothing
    kwargs: dict[str, Any] = {"exclude_fields": excluded}
    if masked:
        kwargs["mask_fields"] = masked
        kwargs["mask_callable"] = "reintegra.access.audit.redact"
    auditlog.register(model, **kwargs)
    if _is_personal(model):
        _PERSONAL_LABELS.add(model._meta.label_lower)


def audited_models() -> list[str]:
    """Every model whose changes are audited ("app_label.Model"), as registered."""
    return list(_REGISTERED)


def register_models() -> None:
    from auditlog.registry import auditlog

    for label in AUDITED_MODELS:
        register_model(label)
    from reintegra.access.models import TOTPDevice

    if not auditlog.contains(TOTPDevice):
        # Second factors set up, confirmed and removed (access/two_factor.py); never the secret key.
        auditlog.register(TOTPDevice, include_fields=["user", "name", "confirmed"])
    from auditlog.models import LogEntry
    from django.db.models.signals import pre_save

    pre_save.connect(_label_without_names, sender=LogEntry, dispatch_uid="reintegra-log-label")


_PERSONAL_LABELS: set[str] = set()


def _label_without_names(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A log entry about a person is labelled by type and id: its default label is the person's name."""
    if instance.pk is None and instance.content_type_id:
        model = instance.content_type.model_class()
        if model is not None and model._meta.label_lower in _PERSONAL_LABELS:
            instance.object_repr = f"{model._meta.label_lower}#{instance.object_pk}"


# Where the trail links an object to (issue 18.11): "app_label.model" -> f(reader, object id) -> URL or None.
# Each function decides through its app's own access helper whether the reader may see the object (a hidden
# or missing object: None, so the trail shows no link); apps register theirs from `AppConfig.ready()`.
LinkFinder = Callable[["User", str], "str | None"]
_LINKS: dict[str, LinkFinder] = {}


def register_link(label: str, finder: LinkFinder) -> None:
    """Link the trail's entries about a model ("app_label.Model") to its page, for readers who may see it."""
    _LINKS[label.lower()] = finder


def object_link(user: User, object_type: str, object_id: str) -> str | None:
    finder = _LINKS.get(object_type.lower())
    if finder is None or not object_id:
        return None
    return finder(user, object_id)


def is_personal_label(label_lower: str) -> bool:
    """Is this model ("app_label.model") registered as being about a person?"""
    return label_lower in _PERSONAL_LABELS


def _has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def record_access(
    user: User | None,
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
