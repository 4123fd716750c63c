"""The case list, the returnees and the follow-up visits as tables (`access.exports.Table`), for the pages'
"Export" menu and the API: read through the selectors (only what the reader sees), batch by batch in key
order (`exports.keyset_columns`: a few batches in memory, the first bytes leave at once), with the columns the
reader may see on screen (identity documents only with `scoping.can_see(IDENTITY_DOCUMENT)`).

Names and other personal fields are encrypted: each batch's column of tokens is opened at once as the batch is
read (`from_db_values`), and each batch is given as its columns (`exports.ColumnBatches`) so that the CSV is
written a column at a time; nothing is kept once the batch is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django_countries import countries

from reintegra.access import exports, scoping
from reintegra.access.roles import SensitiveCategory
from reintegra.cases import selectors
from reintegra.cases.choices import AttentionFlag, CaseStatus, ClosureReason, ContactMode, ReturnType, Sex

if TYPE_CHECKING:
    from reintegra.access.models import User

Column = exports.Column


def _person(first: str | None, last: str | None, username: str | None) -> str:
    return " ".join(part for part in (first, last) if part) or (username or "")


class _People(dict[tuple[str | None, str | None, str | None], str]):
    """A staff member's name as `_person` writes it, computed once per distinct (first, last, username): a
    column names a few staff members for thousands of rows (issue 19's export rate)."""

    def __missing__(self, key: tuple[str | None, str | None, str | None]) -> str:
        name = self[key] = _person(*key)
        return name


def _people(first: Sequence[str | None], last: Sequence[str | None], username: Sequence[str | None]) -> list[str]:
    """`_person` of each row, by one lookup a row (`_People`)."""
    return list(map(_People().__getitem__, zip(first, last, username, strict=True)))


def _country_names() -> dict[str, str]:
    return dict(countries)


# --- cases ------------------------------------------------------------------------------------------

_CASE_FIELDS = (
    "case_number",
    "returnee__given_names",
    "returnee__first_family_name",
    "returnee__second_family_name",
    "returnee__sex",
    "status",
    "opened_on",
    "return_date",
    "return_type",
    "host_country",
    "returnee__admin1__name",
    "returnee__municipality__name",
    "case_manager__first_name",
    "case_manager__last_name",
    "case_manager__username",
    "team__name",
    "closed_on",
    "closure_reason",
)


def case_columns() -> list[exports.Column]:
    return [
        Column("case_number", _("Case number")),
        Column("given_names", _("Given names")),
        Column("first_family_name", _("First family name")),
        Column("second_family_name", _("Second family name")),
        Column("sex", _("Sex"), Sex.choices),
        Column("status", _("Status"), CaseStatus.choices),
        Column("opened_on", _("Opened on")),
        Column("return_date", _("Return date")),
        Column("return_type", _("Return type"), ReturnType.choices),
        Column("host_country", _("Host country"), _country_names()),
        Column("admin1", _("State or department")),
        Column("municipality", _("Municipality")),
        Column("case_manager", _("Case manager")),
        Column("team", _("Team")),
        Column("closed_on", _("Closed on")),
        Column("closure_reason", _("Closure reason"), ClosureReason.choices),
    ]


def _case_batches(user: User, filters: selectors.CaseFilters) -> Iterator[list[Sequence[Any]]]:
    for columns in exports.keyset_columns(selectors.search_cases(user, filters), _CASE_FIELDS):
        (_pk, number, given, first, second, sex, status, opened, returned, kind, host, admin1, municipality,
         manager_first, manager_last, manager_username, team, closed, reason) = columns  # fmt: skip
        yield [
            number, given, first, second, sex, status, opened, returned, kind, host, _or_empty(admin1),
            _or_empty(municipality), _people(manager_first, manager_last, manager_username),
            _or_empty(team), closed, reason,
        ]  # fmt: skip


def _or_empty(values: Sequence[Any]) -> list[Any]:
    return [value or "" for value in values]


def case_table(user: User, filters: selectors.CaseFilters) -> exports.Table:
    """The case list with its filters (ordered by record, not by return date: a stable key to read by)."""
    return exports.Table(
        "cases",
        case_columns(),
        exports.ColumnBatches(_case_batches(user, filters)),
        "case list",
        "cases.case",
        sheet_title="cases",
    )


# --- returnees ----------------------------------------------------------------------------------------

_RETURNEE_FIELDS = (
    "given_names",
    "first_family_name",
    "second_family_name",
    "sex",
    "birth_date",
    "estimated_birth_year",
    "nationality",
    "phone",
    "return_country",
    "admin1__name",
    "municipality__name",
    "locality",
    "address",
    "attention_flags",
)


def returnee_columns(user: User) -> list[exports.Column]:
    names = _country_names()
    columns = [
        Column("id", _("Record number")),
        Column("given_names", _("Given names")),
        Column("first_family_name", _("First family name")),
        Column("second_family_name", _("Second family name")),
        Column("sex", _("Sex"), Sex.choices),
        Column("birth_date", _("Birth date")),
        Column("estimated_birth_year", _("Estimated birth year")),
        Column("nationality", _("Nationality"), names),
        Column("phone", _("Phone")),
        Column("return_country", _("Country of return"), names),
        Column("admin1", _("State or department")),
        Column("municipality", _("Municipality")),
        Column("locality", _("Locality / community")),
        Column("address", _("Address")),
        Column("attention_flags", _("Differential attention"), AttentionFlag.choices),
    ]
    if _sees_documents(user):
        columns.append(Column("documents", _("Identity documents")))
    return columns


def _sees_documents(user: User) -> bool:
    return scoping.can_see(user, SensitiveCategory.IDENTITY_DOCUMENT)


def _returnee_batches(user: User) -> Iterator[list[Sequence[Any]]]:
    documents = _sees_documents(user)
    for columns in exports.keyset_columns(selectors.returnees_for(user), _RETURNEE_FIELDS):
        cells: list[Sequence[Any]] = [["" if value is None else value for value in values] for values in columns[:-1]]
        cells.append([list(flags or []) for flags in columns[-1]])
        if documents:
            numbers = selectors.document_numbers_of(columns[0])
            cells.append([numbers.get(pk, []) for pk in columns[0]])
        yield cells


def returnee_table(user: User) -> exports.Table:
    return exports.Table(
        "returnees",
        returnee_columns(user),
        exports.ColumnBatches(_returnee_batches(user)),
        "returnee list",
        "cases.returnee",
        sheet_title="returnees",
    )


# --- follow-up visits ---------------------------------------------------------------------------------

_VISIT_FIELDS = (
    "case__case_number",
    "visited_on",
    "mode",
    "conducted_by__first_name",
    "conducted_by__last_name",
    "conducted_by__username",
    "notes",
    "significant_changes",
    "next_visit_on",
)


def follow_up_columns() -> list[exports.Column]:
    return [
        Column("case_number", _("Case number")),
        Column("visited_on", _("Date")),
        Column("mode", _("Mode"), ContactMode.choices),
        Column("conducted_by", _("Conducted by")),
        Column("notes", _("Notes")),
        Column("significant_changes", _("Significant changes")),
        Column("next_visit_on", _("Next visit")),
    ]


def _follow_up_batches(user: User) -> Iterator[list[Sequence[Any]]]:
    for columns in exports.keyset_columns(selectors.follow_ups_for(user), _VISIT_FIELDS):
        _pk, number, visited, mode, first, last, username, notes, changes, next_visit = columns
        yield [number, visited, mode, _people(first, last, username), notes, changes, _or_empty(next_visit)]


def follow_up_table(user: User) -> exports.Table:
    return exports.Table(
        "follow-up-visits",
        follow_up_columns(),
        exports.ColumnBatches(_follow_up_batches(user)),
        "follow-up visits",
        "cases.followupvisit",
        sheet_title="follow-ups",
    )


# --- in the background (access.export_jobs) ------------------------------------------------------------

_DATE_FILTERS = ("return_from", "return_to")


def filter_params(filters: selectors.CaseFilters) -> dict[str, Any]:
    """The case list's filters as the JSON a background export keeps (`ExportJob.params`)."""
    params = dataclasses.asdict(filters)
    for name in _DATE_FILTERS:
        if params[name] is not None:
            params[name] = params[name].isoformat()
    return params


def filters_of(params: dict[str, Any]) -> selectors.CaseFilters:
    known = {item.name for item in dataclasses.fields(selectors.CaseFilters)}
    values = {name: value for name, value in params.items() if name in known}
    for name in _DATE_FILTERS:
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    return selectors.CaseFilters(**values)


def _parsed_filters(raw: dict[str, Any]) -> dict[str, Any]:
    """An API caller's case-list filters, by the list endpoint's own serializer."""
    from django.core.exceptions import ValidationError

    from reintegra.cases.serializers import CaseFilterSerializer

    parsed = CaseFilterSerializer(data=raw)
    if not parsed.is_valid():
        raise ValidationError(
            {
                "filters": [
                    ValidationError(f"{name}: {errors[0]}", code=getattr(errors[0], "code", "invalid"))
                    for name, errors in parsed.errors.items()
                ]
            }
        )
    return filter_params(CaseFilterSerializer.filters_of(parsed.validated_data))


def register_background_exports() -> None:
    """The three lists of this app may run in the background when large (`CasesConfig.ready`)."""
    from reintegra.access import export_jobs
    from reintegra.access.roles import Capability

    readers = (Capability.VIEW_ASSIGNED_CASES, Capability.VIEW_ORGANISATION_CASES)
    export_jobs.register_table(
        "cases",
        label=_("Case list"),
        readers=readers,
        table_of=lambda user, params: case_table(user, filters_of(params)),
        rows_of=lambda user, params: selectors.search_cases(user, filters_of(params)),
        params_of=_parsed_filters,
    )
    export_jobs.register_table(
        "returnees",
        label=_("Returnees"),
        readers=readers,
        table_of=lambda user, params: returnee_table(user),
        rows_of=lambda user, params: selectors.returnees_for(user),
    )
    export_jobs.register_table(
        "follow-ups",
        label=_("Follow-up visits"),
        readers=readers,
        table_of=lambda user, params: follow_up_table(user),
        rows_of=lambda user, params: selectors.follow_ups_for(user),
    )
