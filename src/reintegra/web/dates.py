"""Dates as the reader writes them (issue 18.12): the one path for a date or time that Python turns into text
(a page's table cell, a timeline line, a message). Templates that hold a `date` use `|date:"SHORT_DATE_FORMAT"`
or this module's filter `local_date` (web_kit); values stored as ISO text in JSON come through here too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format


def local_date(value: Any) -> str:
    """A date, a date-time (in the current time zone, to the minute) or its ISO text, in the active language's
    short format; anything else as it is, "" for nothing."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value) if "T" in value or " " in value.strip() else date.fromisoformat(value)
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)
