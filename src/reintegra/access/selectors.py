"""Every read of the access app: pseudonymised rows and aggregate counts for M&E and coordination, and
the consent ledger. Each checks the user's capability first (PermissionDenied otherwise).

Callers record bulk reads in the access trail (`audit.record_access(user, "export", ...)`) with their own
channel; these functions do not, so a page that counts something does not flood the trail.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _

from reintegra.access import pseudonymise, scoping
from reintegra.access.models import Consent
from reintegra.access.roles import Capability

DEFAULT_MIN_CELL_SIZE = 5

# Dimensions a count may be broken down by, and the expression each groups on.
AGGREGATE_DIMENSIONS: dict[str, Any] = {
    "status": F("status"),
    "return_type": F("return_type"),
    "sex": F("returnee__sex"),
    "nationality": F("returnee__nationality"),
    "municipality": F("returnee__municipality_id"),
    "closure_category": F("closure_category"),
    "return_year": ExtractYear("return_date"),
}
_ALIASES = {"year": "return_year"}


def _denied() -> PermissionDenied:
    return PermissionDenied(_("You do not have permission to do this."))


def _require(user: Any, capability: Capability) -> None:
    if not (user and user.is_authenticated and user.is_active and user.has_capability(capability)):
        raise _denied()


def min_cell_size() -> int:
    return int(getattr(settings, "REINTEGRA_MIN_CELL_SIZE", DEFAULT_MIN_CELL_SIZE))


# --- pseudonymised rows --------------------------------------------------------------------------


def _count_of(model: Any) -> Coalesce:
    """Number of `model` rows of the outer case, as a subquery (no GROUP BY over the selected columns)."""
    rows = model.objects.filter(case=OuterRef("pk")).order_by().values("case").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def pseudonymised_cases(user: Any) -> list[dict[str, Any]]:
    """Pseudonymised rows (see `pseudonymise`) of every case of the user's organisation, for roles with
    Capability.VIEW_PSEUDONYMISED (M&E officers). Rows are ordered by pseudonymous case id, so their
    order reveals nothing about registration order."""
    from reintegra.cases.models import Assessment, Case, FollowUpVisit, PlanItem

    _require(user, Capability.VIEW_PSEUDONYMISED)
    if not user.organisation_id:
        raise _denied()
    cases = Case.objects.filter(organisation_id=user.organisation_id)
    sources = list(
        cases.annotate(n_assessments=_count_of(Assessment), n_follow_ups=_count_of(FollowUpVisit))
        .values(*pseudonymise.SOURCE_COLUMNS, "n_assessments", "n_follow_ups")
        .order_by()
    )
    dimensions: dict[int, list[str]] = defaultdict(list)
    for case_id, dimension in PlanItem.objects.filter(plan__case__in=cases).values_list("plan__case_id", "dimension"):
        dimensions[case_id].append(dimension)
    rows = [
        pseudonymise.case_row(
            source,
            assessments=source["n_assessments"],
            follow_ups=source["n_follow_ups"],
            plan_dimensions=dimensions.get(source["id"], []),
        )
        for source in sources
    ]
    rows.sort(key=lambda row: row["case_pid"])
    return rows


# --- aggregates with small-cell suppression ------------------------------------------------------


def _aggregate_scope(user: Any) -> QuerySet:
    from reintegra.cases.models import Case

    _require(user, Capability.VIEW_AGGREGATES)
    if user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        return Case.objects.all()
    if not user.organisation_id:
        raise _denied()
    return Case.objects.filter(organisation_id=user.organisation_id)


def _clean_dimensions(by: Iterable[str] | str) -> list[str]:
    if isinstance(by, str):
        by = [by]
    names = [_ALIASES.get(name, name) for name in by]
    unknown = [name for name in names if name not in AGGREGATE_DIMENSIONS]
    if unknown:
        raise ValidationError(
            {
                "by": _("Cannot group by %(names)s. Choose from: %(choices)s.")
                % {"names": ", ".join(unknown), "choices": ", ".join(AGGREGATE_DIMENSIONS)}
            }
        )
    return list(dict.fromkeys(names))


def _suppress(rows: list[dict[str, Any]], k: int) -> None:
    """Small-cell suppression, in place.

    Primary: every count below k. Complementary: while only one cell is hidden, or the hidden cells add
    up to fewer than k, also hide the smallest visible cell, so a hidden count cannot be worked out from
    the total of the table (which other breakdowns of the same cases reveal). Margins of tables grouped
    by several dimensions are not protected this way: publish one-dimensional tables, or raise k.
    """
    hidden = [row for row in rows if row["count"] < k]
    if hidden:
        visible = sorted((row for row in rows if row["count"] >= k), key=lambda row: row["count"])
        hidden_total = sum(row["count"] for row in hidden)
        while visible and (len(hidden) == 1 or hidden_total < k):
            row = visible.pop(0)
            hidden.append(row)
            hidden_total += row["count"]
    hidden_ids = {id(row) for row in hidden}
    for row in rows:
        suppressed = id(row) in hidden_ids
        row["suppressed"] = suppressed
        if suppressed:
            row["count"] = None


def aggregate_cases(user: Any, by: Iterable[str] | str = ("status",), k: int | None = None) -> list[dict[str, Any]]:
    """Counts of cases grouped by `by` (status, return_type, sex, nationality, municipality,
    closure_category, return_year — "year" also accepted), over the user's organisation, or over all
    organisations for Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS (the coordination body).

    Each row holds the dimension values, `count` and `suppressed`; a suppressed row has `count=None`
    (see `_suppress`). Municipality rows also carry `municipality_id`, with the name in `municipality`.

    `k` (the smallest count shown) defaults to settings.REINTEGRA_MIN_CELL_SIZE (5 when unset) and can be
    raised but never lowered below it here: a caller passing a request parameter through cannot switch
    suppression off. Lower the setting itself to change the floor.
    """
    from reintegra.places.models import AdminArea

    scope = _aggregate_scope(user)
    dims = _clean_dimensions(by)
    floor = min_cell_size()
    k = max(int(k), floor) if k is not None else floor
    aliases = {f"g_{name}": AGGREGATE_DIMENSIONS[name] for name in dims}
    grouped = scope.annotate(**aliases).values(*aliases).annotate(n=Count("id")).order_by(*aliases)
    rows: list[dict[str, Any]] = []
    for entry in grouped:
        row: dict[str, Any] = {name: entry[f"g_{name}"] for name in dims}
        if "nationality" in row:
            row["nationality"] = str(row["nationality"] or "")
        row["count"] = entry["n"]
        rows.append(row)
    if "municipality" in dims:
        ids = {row["municipality"] for row in rows if row["municipality"]}
        names = dict(AdminArea.objects.filter(pk__in=ids).values_list("pk", "name"))
        for row in rows:
            row["municipality_id"] = row["municipality"]
            row["municipality"] = names.get(row["municipality_id"]) if row["municipality_id"] else None
    _suppress(rows, k)
    return rows


# --- consent ledger ------------------------------------------------------------------------------


def consents_for(user: Any, returnee: Any) -> QuerySet[Consent]:
    """The consent ledger of a returnee the user may see (withdrawn and expired entries included), or of
    any returnee of their organisation for Capability.VIEW_CONSENT_REGISTRY (the data-protection officer)."""
    from reintegra.cases.models import Returnee

    if not (user and user.is_authenticated and user.is_active):
        raise _denied()
    if user.has_capability(Capability.VIEW_CONSENT_REGISTRY):
        visible = returnee.organisation_id == user.organisation_id
    else:
        visible = Returnee.objects.filter(scoping.returnee_visibility(user), pk=returnee.pk).exists()
    if not visible:
        raise _denied()
    return (
        Consent.objects.filter(returnee=returnee).select_related("recipient_organisation").order_by("-given_on", "-id")
    )
