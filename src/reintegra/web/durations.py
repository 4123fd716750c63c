"""How a measured duration is shown (a median time to accept a referral, to answer feedback...): one helper
for every page, in the reader's language and number format.

Minutes under an hour, hours (one decimal) under two days, then days (one decimal under ten days, whole days
after), so "1080,0" hours reads "45 días". A duration measured in days is given in hours
(`describe_hours(days * 24)`) or with `describe_days`.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

EMPTY = "—"
DAYS_FROM_HOURS = 48  # under two days, hours read better ("36 h"); from two days on, days
WHOLE_DAYS_FROM = 10  # "2,5 días" but "45 días"


def _number(value: float, decimals: int) -> str:
    rounded = round(value, decimals)
    if rounded == int(rounded):
        return number_format(int(rounded), force_grouping=True)
    return number_format(rounded, decimal_pos=decimals, force_grouping=True)


def describe_hours(hours: Any) -> str:
    """`hours` (a number, None, or "") as the reader reads a duration; "—" when there is none."""
    if hours is None or hours == "":
        return EMPTY
    value = max(float(hours), 0.0)
    if value < 1:
        return _("%(n)s min") % {"n": _number(value * 60, 0)}
    if value < DAYS_FROM_HOURS:
        return _("%(n)s h") % {"n": _number(value, 1)}
    days = value / 24
    shown = _number(days, 0 if days >= WHOLE_DAYS_FROM else 1)
    return ngettext("%(n)s day", "%(n)s days", round(days)) % {"n": shown}


def describe_days(days: Any) -> str:
    """A duration measured in days, shown like any other (`describe_hours`)."""
    if days is None or days == "":
        return EMPTY
    return describe_hours(float(days) * 24)
