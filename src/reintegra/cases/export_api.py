"""`GET /api/v1/cases/export.csv|xlsx` (the list's filters), `returnees/export.*` and `follow-ups/export.*`:
the tables of `cases.exports` through the API's one export endpoint (`api.exports`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from reintegra.access import exports
from reintegra.access.roles import Capability
from reintegra.api.exports import export_views
from reintegra.api.query import ExportQuery
from reintegra.cases import exports as case_exports
from reintegra.cases.serializers import CaseFilterSerializer

if TYPE_CHECKING:
    from reintegra.access.models import User

READERS = (Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)


class CaseExportQuery(CaseFilterSerializer, ExportQuery):
    """The case list's filters and `codes`."""


def case_table(user: User, query: dict[str, Any]) -> exports.Table:
    return case_exports.case_table(user, CaseFilterSerializer.filters_of(query))


def returnee_table(user: User, query: dict[str, Any]) -> exports.Table:
    return case_exports.returnee_table(user)


def follow_up_table(user: User, query: dict[str, Any]) -> exports.Table:
    return case_exports.follow_up_table(user)


CASES = export_views("cases", case_table, readers=READERS, summary=_("Case list"), tag="cases", query=CaseExportQuery)
RETURNEES = export_views("returnees", returnee_table, readers=READERS, summary=_("Returnees"), tag="returnees")
FOLLOW_UPS = export_views("follow_ups", follow_up_table, readers=READERS, summary=_("Follow-up visits"), tag="cases")
