"""API representations of the audit trail, and its CSV layout shared by the web page and the API.

Serializers only check shapes and types; the rules live in `access.selectors`.
"""

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from reintegra.access import selectors
from reintegra.access.models import AccessEvent
from reintegra.api.fields import EnumChoiceField, IdField

# --- CSV (cells made formula-safe by access.spreadsheets) ----------------------------------------

TRAIL_CSV_COLUMNS = (
    "source",
    "at",
    "user_id",
    "username",
    "action",
    "object_type",
    "object_id",
    "changes",
    "purpose",
    "flagged",
    "channel",
)


def trail_rows(entries: Iterable[selectors.TrailEntry]) -> Iterator[list[Any]]:
    return ([getattr(entry, name) for name in TRAIL_CSV_COLUMNS] for entry in entries)


def trail_filter_summary(filters: selectors.TrailFilters) -> str:
    """The filters of an export, for its access-trail record (types, ids, dates: nothing personal)."""
    parts = []
    for name, value in vars(filters).items():
        if value not in ("", None, False):
            parts.append(f"{name}={value.isoformat() if isinstance(value, date) else value}")
    return ", ".join(parts) or "no filters"


# --- audit trail ---------------------------------------------------------------------------------

SOURCE_CHOICES = [(selectors.CHANGE, _("Change log")), (selectors.ACCESS, _("Access trail"))]
ACTION_CHOICES = [
    ("create", _("Created")),
    ("update", _("Changed")),
    ("delete", _("Deleted")),
    *AccessEvent.Action.choices,
]
MAX_PAGE_SIZE = 200


class AuditQuerySerializer(serializers.Serializer):
    source = EnumChoiceField(  # type: ignore[assignment]  # a field named "source", not Field.source
        SOURCE_CHOICES, enum_name="AuditSourceEnum", required=False, allow_blank=True
    )
    object_type = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text=_('"app_label.model", e.g. cases.case.')
    )
    object_id = serializers.CharField(required=False, allow_blank=True, max_length=40)
    user = IdField(required=False, help_text=_("Id of a user of your organisation."))
    action = EnumChoiceField(ACTION_CHOICES, enum_name="AuditActionEnum", required=False, allow_blank=True)
    since = serializers.DateField(required=False, help_text=_("From this day (inclusive)."))
    until = serializers.DateField(required=False, help_text=_("Up to this day (inclusive)."))
    flagged = serializers.BooleanField(required=False, help_text=_("Only flagged access events."))
    cursor = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("The position given in `next`.")
    )
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=25)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, until = attrs.get("since"), attrs.get("until")
        if since and until and until < since:
            raise serializers.ValidationError({"until": [_("The end date is before the start date.")]})
        token = attrs.get("cursor")
        attrs["position"] = None
        if token:
            try:
                attrs["position"] = selectors.TrailPosition.parse(token)
            except ValueError:
                raise serializers.ValidationError({"cursor": [_("This is not a valid position.")]}) from None
        return attrs

    def filters(self) -> selectors.TrailFilters:
        data = self.validated_data
        return selectors.TrailFilters(
            source=data.get("source", ""),
            object_type=data.get("object_type", "").strip(),
            object_id=data.get("object_id", "").strip(),
            user=data.get("user"),
            action=data.get("action", ""),
            since=data.get("since"),
            until=data.get("until"),
            flagged_only=bool(data.get("flagged")),
        )


class AuditEntrySerializer(serializers.Serializer):
    source = EnumChoiceField(  # type: ignore[assignment]  # a field named "source", not Field.source
        SOURCE_CHOICES, enum_name="AuditSourceEnum", read_only=True
    )
    id = serializers.IntegerField(read_only=True, help_text=_("Id within its source."))
    at = serializers.DateTimeField(read_only=True)
    user = serializers.IntegerField(source="user_id", read_only=True, allow_null=True)
    username = serializers.CharField(read_only=True)
    action = EnumChoiceField(ACTION_CHOICES, enum_name="AuditActionEnum", read_only=True)
    object_type = serializers.CharField(read_only=True)
    object_id = serializers.CharField(read_only=True)
    changes = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(allow_null=True)),
        read_only=True,
        allow_null=True,
        help_text=_('Changes only: field → [old, new] as stored; sensitive values read "[protected]".'),
    )
    purpose = serializers.CharField(read_only=True, allow_null=True, help_text=_("Access events only."))
    flagged = serializers.BooleanField(read_only=True)
    channel = serializers.CharField(read_only=True, allow_null=True, help_text=_("Access events only: web, api, cli."))


class AuditPageSerializer(serializers.Serializer):
    next = serializers.URLField(read_only=True, allow_null=True, help_text=_("The next (older) page, if any."))
    results = AuditEntrySerializer(many=True, read_only=True)
