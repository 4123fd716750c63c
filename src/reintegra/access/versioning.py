"""Optimistic concurrency: every editable record carries a version number, and a write based on a stale read
is refused instead of silently overwriting someone else's change.

- `Versioned` (abstract model): a `revision` column (the record's version; named so because documents, SOPs and
  instruments already have a `version` of their own), 1 on insert, incremented in the database on every save.
  Child rows edited as part of their parent (plan items, household members, contact persons...) have no
  version of their own: the service saves the parent, which moves the parent's version.
- Services take the version the client read (`expected_version`), lock the stored row with `lock()` inside
  their transaction and raise `StaleVersion` when it moved. `expected_version=None` skips the check: only
  for system writes (imports, commands, the demo); the web forms and the API always pass one.
- Version 0 means "does not exist yet", for records created on first save (a case's plan or household):
  two users who both started the first plan cannot both create it.
- `MISSING` means the client did not say which version it read (an API write without If-Match): refused with
  `VersionRequired` once the service has checked permissions, so a user who may not write gets 403 first.

The API turns `StaleVersion` into 412 (`reintegra.api.versioning`), the web forms into a conflict panel
that shows the stored values next to the user's (`reintegra.web.versioning`).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

STALE = "stale"
PRECONDITION_REQUIRED = "precondition_required"
# `expected_version` of a write whose client did not say which version it read (never a stored version).
MISSING = -2


class Versioned(models.Model):
    # db_default too: rows inserted with raw SQL (the synthetic data generator) start at 1 as well.
    revision = models.PositiveIntegerField(
        _("version"), default=1, db_default=1, editable=False, help_text=_("Incremented on every change.")
    )

    # Columns whose change alone is not an edit of the record (e.g. the user's last login).
    unversioned_fields: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if self._state.adding or (update_fields is not None and set(update_fields) <= self.unversioned_fields):
            super().save(*args, **kwargs)
            return
        # Incremented by the database, so even a writer holding an old copy moves the version forward.
        # Django reads the new value back (RETURNING, or on first access where that is not supported).
        previous = self.revision
        self.revision = F("revision") + 1
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "revision"}
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.revision = previous
            raise


class StaleVersion(ValidationError):
    """The record changed since the client read it. A ValidationError, so that a form that does not handle
    it yet still shows the message and keeps what was typed."""

    def __init__(self, current: Versioned | None, expected: int) -> None:
        super().__init__(
            _(
                "Someone else changed this record while you were editing it. Nothing was saved: "
                "check the current values and save again."
            ),
            code=STALE,
        )
        self.current = current
        self.expected_version = expected
        self.current_version = current_version(current)


class VersionRequired(ValidationError):
    """The write does not say which version of the record it is based on, and the record exists."""

    def __init__(self, current: Versioned | None) -> None:
        super().__init__(
            _(
                "Send the version of the record you read (the If-Match header with its ETag: read it first), "
                "so that a change someone else made meanwhile is not overwritten."
            ),
            code=PRECONDITION_REQUIRED,
        )
        self.current = current
        self.current_version = current_version(current)


def current_version(instance: Versioned | None) -> int:
    """The version of a stored record; 0 for a record that does not exist yet."""
    if instance is None or instance.pk is None:
        return 0
    return int(instance.revision)


def check(current: Versioned | None, expected_version: int | None) -> None:
    if expected_version is None:
        return
    if expected_version == MISSING:
        if current_version(current) == 0:
            return  # nothing to overwrite: the record is created
        raise VersionRequired(current)
    if current_version(current) != expected_version:
        raise StaleVersion(current, expected_version)


def lock[V: Versioned](instance: V, expected_version: int | None) -> V:
    """Lock the stored row of `instance` until the end of the transaction, reload `instance` from it, and
    refuse the write if its version is not the one the client read. Returns `instance`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("versioning.lock() must run inside the service's transaction.")
    manager = type(instance)._default_manager
    try:
        instance.refresh_from_db(from_queryset=manager.select_for_update())
    except instance.DoesNotExist:
        if expected_version is None or expected_version == MISSING:
            raise
        raise StaleVersion(None, expected_version) from None  # deleted since it was read
    check(instance, expected_version)
    return instance
