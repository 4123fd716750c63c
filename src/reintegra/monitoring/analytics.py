"""Every read of monitoring and evaluation data: k-anonymous pseudonymised case rows and small-cell
suppressed aggregate counts. Each checks the user's capability first (PermissionDenied otherwise).

The k of both is the programme's suppression threshold (`Programme.suppression_threshold`, default 5);
over several programmes the strictest (largest) applies, and cases without a programme count with the
default. A request may raise k for aggregates, never lower it.

Callers record bulk reads in the access trail (`audit.record_access(user, "export", ...)`) with their own
channel; these functions do not, so a page that counts something does not flood the trail.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.models import DEFAULT_SUPPRESSION_THRESHOLD
from reintegra.access.roles import Capability
from reintegra.cases.choices import AttentionFlag, CaseStatus, ClosureCategory, MigrationCause, ReturnType, Sex
from reintegra.cases.models import Assessment, Case, FollowUpVisit, PlanItem
from reintegra.places.models import AdminArea
from reintegra.protection import kanonymity, pseudonymise

if TYPE_CHECKING:
    from reintegra.access.models import User

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
# Lists a case may hold several values of: each value is counted on its own, and only alone (not crossed
# with another dimension). They never appear in rows (kanonymity.AGGREGATE_ONLY).
LIST_DIMENSIONS: dict[str, str] = {
    "attention_flag": "returnee__attention_flags",
    "cause_of_migration": "causes_of_migration",
}
DIMENSIONS = (*AGGREGATE_DIMENSIONS, *LIST_DIMENSIONS)
# Dimensions whose rows follow their choices' order (a case's lifecycle, a closure's categories), not the
# alphabetical order of their codes (issue 18.16); a value not recorded comes last.
_CHOICE_ORDER: dict[str, list[str]] = {
    "status": list(CaseStatus.values),
    "return_type": list(ReturnType.values),
    "sex": list(Sex.values),
    "closure_category": list(ClosureCategory.values),
}
_ALIASES = {"year": "return_year"}


def suppression_threshold(cases: QuerySet[Case]) -> int:
    """The k of these cases: the largest suppression threshold of their programmes (the default for a case
    without a programme, and for no case at all)."""
    found = cases.aggregate(
        k=Max(Coalesce(F("programme__suppression_threshold"), Value(DEFAULT_SUPPRESSION_THRESHOLD)))
    )["k"]
    return int(found or DEFAULT_SUPPRESSION_THRESHOLD)


# --- k-anonymous pseudonymised rows --------------------------------------------------------------


@dataclass
class PseudonymisedRelease:
    """The rows one user may receive now: which cases (in the order of their pseudonymous ids, which says
    nothing about registration order) and how each is generalised."""

    k: int
    release: kanonymity.Release
    fingerprint: str
    entries: list[tuple[str, int, kanonymity.Released]]  # (case_pid, case id, released) of released rows

    @property
    def summary(self) -> dict[str, Any]:
        """What is released (from the entries themselves: what is listed is what is counted)."""
        sizes = Counter(released for _pid, _id, released in self.entries)
        areas = Counter(released.area_level for _pid, _id, released in self.entries)
        return {
            "k": self.k,
            "released": len(self.entries),
            "suppressed": max(0, self.release.total - len(self.entries)),
            "smallest_class": min(sizes.values()) if sizes else None,
            "classes": len(sizes),
            "generalisation": dict(self.release.levels),
            "area_levels": {level: areas.get(level, 0) for level in kanonymity.AREA_LEVELS},
        }


# The search for the best generalisation is the costly part, and the same counts always give the same
# release: keep the last few per process (keyed by the fingerprint of the counts, k and organisation).
_RELEASES: OrderedDict[str, kanonymity.Release] = OrderedDict()
_RELEASES_LOCK = threading.Lock()
_RELEASES_KEPT = 8


def _release_for(fingerprint: str, groups: dict[kanonymity.QuasiIdentifiers, int], k: int) -> kanonymity.Release:
    with _RELEASES_LOCK:
        cached = _RELEASES.get(fingerprint)
        if cached is not None:
            _RELEASES.move_to_end(fingerprint)
            return cached
    release = kanonymity.anonymise(groups, k)
    with _RELEASES_LOCK:
        _RELEASES[fingerprint] = release
        while len(_RELEASES) > _RELEASES_KEPT:
            _RELEASES.popitem(last=False)
    return release


def pseudonymised_release(user: User) -> PseudonymisedRelease:
    """The k-anonymous release of the user's organisation's cases, for Capability.VIEW_PSEUDONYMISED (M&E
    officers). Quasi-identifiers are counted in SQL; rows are only built for what is read
    (`pseudonymised_rows`)."""
    permissions.require(user, Capability.VIEW_PSEUDONYMISED)
    if not user.organisation_id:
        raise permissions.denied()
    cases = Case.objects.filter(organisation_id=user.organisation_id)
    k = suppression_threshold(cases)
    raw = pseudonymise.raw_counts(cases)
    qi_of = {values: pseudonymise.quasi_identifiers(values) for values in raw}
    groups: dict[kanonymity.QuasiIdentifiers, int] = defaultdict(int)
    for values, count in raw.items():
        groups[qi_of[values]] += count
    fingerprint = pseudonymise.fingerprint(groups, k, user.organisation_id)
    release = _release_for(fingerprint, dict(groups), k)
    released_of = {values: release.released.get(qi) for values, qi in qi_of.items()}
    entries = []
    for case_id, *values in (
        pseudonymise.annotate_quasi_identifiers(cases).values_list("id", *pseudonymise.QI_NAMES).order_by()
    ):
        # A case added since the counts were taken has no released class yet: it waits for the next read.
        released = released_of.get(tuple(values))
        if released is not None:
            entries.append((pseudonymise.case_pid(case_id, fingerprint), case_id, released))
    # The cases were read twice (counted, then listed): a case changed in between could leave a class short.
    # What is released is checked again, so that every class really released holds k rows.
    sizes = Counter(released for _pid, _id, released in entries)
    short = {released for released, size in sizes.items() if size < k}
    if short:
        entries = [entry for entry in entries if entry[2] not in short]
    entries.sort(key=lambda entry: entry[0])
    return PseudonymisedRelease(k, release, fingerprint, entries)


def _count_of(model: Any) -> Coalesce:
    """Number of `model` rows of the outer case, as a subquery (no GROUP BY over the selected columns)."""
    rows = model.objects.filter(case=OuterRef("pk")).order_by().values("case").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def pseudonymised_rows(
    entries: Sequence[tuple[str, int, kanonymity.Released]], chunk_size: int = 2000
) -> Iterable[dict[str, Any]]:
    """The rows of some entries of a `pseudonymised_release`, in their order, read chunk by chunk."""
    for start in range(0, len(entries), chunk_size):
        chunk = entries[start : start + chunk_size]
        ids = [case_id for _pid, case_id, _released in chunk]
        facts = {
            source["id"]: source
            for source in Case.objects.filter(pk__in=ids)
            .annotate(n_assessments=_count_of(Assessment), n_follow_ups=_count_of(FollowUpVisit))
            .values(*pseudonymise.FACT_COLUMNS, "n_assessments", "n_follow_ups")
            .order_by()
        }
        dimensions: dict[int, list[str]] = defaultdict(list)
        for case_id, dimension in PlanItem.objects.filter(plan__case_id__in=ids).values_list(
            "plan__case_id", "dimension"
        ):
            dimensions[case_id].append(dimension)
        area_ids = {
            int(value)
            for _pid, _id, released in chunk
            for value in (released.admin1, released.municipality)
            if value not in ("", kanonymity.WITHHELD)
        }
        names = {str(pk): name for pk, name in AdminArea.objects.filter(pk__in=area_ids).values_list("pk", "name")}
        for pid, case_id, released in chunk:
            source = facts.get(case_id)
            if source is None:  # deleted since the release was computed
                continue
            yield pseudonymise.row(
                pid,
                released,
                source,
                area_names=names,
                assessments=source["n_assessments"],
                follow_ups=source["n_follow_ups"],
                plan_dimensions=dimensions.get(case_id, []),
            )


def pseudonymised_cases(user: User) -> list[dict[str, Any]]:
    """Every released row of the user's organisation (see `pseudonymised_release`)."""
    return list(pseudonymised_rows(pseudonymised_release(user).entries))


# --- aggregates with small-cell suppression ------------------------------------------------------


def _aggregate_scope(user: User) -> QuerySet[Case]:
    permissions.require(user, Capability.VIEW_AGGREGATES)
    if user.has_capability(Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS):
        return Case.objects.all()
    if not user.organisation_id:
        raise permissions.denied()
    return Case.objects.filter(organisation_id=user.organisation_id)


def clean_dimensions(by: Iterable[str] | str) -> list[str]:
    """The dimensions asked for, checked (ValidationError on "by" otherwise)."""
    if isinstance(by, str):
        by = [by]
    names = list(dict.fromkeys(_ALIASES.get(name, name) for name in by))
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown or not names:
        raise ValidationError(
            {
                "by": _("Cannot group by %(names)s. Choose from: %(choices)s.")
                % {"names": ", ".join(unknown) or "—", "choices": ", ".join(DIMENSIONS)}
            }
        )
    lists = [name for name in names if name in LIST_DIMENSIONS]
    if lists and len(names) > 1:
        raise ValidationError(
            {"by": _("%(name)s can only be counted on its own, not with other dimensions.") % {"name": lists[0]}}
        )
    return names


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


def _list_counts(scope: QuerySet[Case], dimension: str, k: int) -> list[dict[str, Any]]:
    """Cases holding each value of a list (a case may hold several): one filtered count per value.

    The cells overlap, so complementary suppression does not apply; instead a cell is hidden when it, or
    the number of cases *without* the value, is below k (all but a few having a flag discloses it too)."""
    field = LIST_DIMENSIONS[dimension]
    values = AttentionFlag.values if dimension == "attention_flag" else MigrationCause.values
    # JSON lists are stored as text on SQLite and cast to text on PostgreSQL: a quoted code matches exactly.
    counts = scope.aggregate(
        total=Count("id"), **{value: Count("id", filter=Q(**{f"{field}__icontains": f'"{value}"'})) for value in values}
    )
    total = counts.pop("total")
    rows = []
    for value in values:
        count = counts[value]
        hidden = count < k or total - count < k
        rows.append({dimension: value, "count": None if hidden else count, "suppressed": hidden})
    return rows


def aggregate_cases(user: User, by: Iterable[str] | str = ("status",), k: int | None = None) -> list[dict[str, Any]]:
    """Counts of cases grouped by `by` (status, return_type, sex, nationality, municipality,
    closure_category, return_year — "year" also accepted — or, alone, attention_flag or cause_of_migration),
    over the user's organisation, or over all organisations for Capability.VIEW_AGGREGATES_ALL_ORGANISATIONS
    (the coordination body).

    Each row holds the dimension values, `count` and `suppressed`; a suppressed row has `count=None`
    (see `_suppress`). Municipality rows also carry `municipality_id`, with the name in `municipality`.

    `k` (the smallest count shown) defaults to the suppression threshold of the programmes counted
    (`aggregate_threshold`) and can be raised but never lowered below it: a caller passing a request
    parameter through cannot switch suppression off.
    """
    scope = _aggregate_scope(user)
    dims = clean_dimensions(by)
    floor = suppression_threshold(scope)
    k = max(int(k), floor) if k is not None else floor
    if dims[0] in LIST_DIMENSIONS:
        return _list_counts(scope, dims[0], k)
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
    rows.sort(key=lambda row: tuple(_position(name, row[name]) for name in dims))
    _suppress(rows, k)
    return rows


def _position(dimension: str, value: Any) -> tuple[int, Any]:
    """Where a row's value sorts: its place among the choices, else its own value; nothing recorded last."""
    if value in (None, ""):
        return (2, "")
    order = _CHOICE_ORDER.get(dimension)
    if order is not None:
        return (0, order.index(value)) if value in order else (1, str(value))
    return (0, value if isinstance(value, int) else str(value))


def aggregate_threshold(user: User) -> int:
    """The smallest count the user's aggregates show (before any raise asked for)."""
    return suppression_threshold(_aggregate_scope(user))
