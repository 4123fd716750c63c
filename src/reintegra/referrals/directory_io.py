"""Import and export of the service directory as CSV or XLSX: one row per service, with its provider's
columns, so a national mapping exercise is loaded at once. An import checks every row first and
writes nothing unless all are valid; each error names its row and column. Services are matched by
`service_code` (updated when they exist), providers by country and name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from reintegra.access import exports, permissions, uploads
from reintegra.access.roles import Capability
from reintegra.access.scoping import active_with_organisation
from reintegra.access.uploads import Limits
from reintegra.cases.choices import AttentionFlag, Sex
from reintegra.places.models import AdminArea
from reintegra.referrals.choices import Cost, Dimension, OrganisationType, ServiceSector
from reintegra.referrals.models import ContactPerson, Service, ServiceProvider

if TYPE_CHECKING:
    from reintegra.access.models import User

COLUMNS = [
    "provider_name",
    "provider_type",
    "provider_country",
    "provider_languages",
    "provider_phone",
    "provider_email",
    "contact_name",
    "contact_phone",
    "contact_email",
    "service_code",
    "service_name",
    "description",
    "dimension",
    "sector",
    "country",
    "areas",
    "min_age",
    "max_age",
    "sexes",
    "nationalities",
    "vulnerabilities",
    "capacity_per_month",
    "cost",
    "opening_hours",
    "target_response_days",
    "languages",
]
REQUIRED = ["provider_name", "provider_type", "provider_country", "service_name", "dimension", "sector", "country"]
LIST_SEPARATOR = ";"


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(LIST_SEPARATOR) if v.strip()]


def export_columns() -> list[exports.Column]:
    """COLUMNS with their labels and the labels of their codes (`access.exports`: the reader's language by
    default; with machine codes the file is the import's format)."""
    country_names = dict(countries)
    provider, contact, service = ServiceProvider, ContactPerson, Service
    column = exports.field_column
    return [
        column(provider, "name", code="provider_name", label=_("Provider")),
        column(provider, "organisation_type", code="provider_type"),
        column(provider, "country", code="provider_country", label=_("Provider country"), choices=country_names),
        column(provider, "languages", code="provider_languages", label=_("Provider languages")),
        column(provider, "phone", code="provider_phone", label=_("Provider phone")),
        column(provider, "email", code="provider_email", label=_("Provider e-mail")),
        column(contact, "name", code="contact_name", label=_("Contact person")),
        column(contact, "phone", code="contact_phone", label=_("Contact phone")),
        column(contact, "email", code="contact_email", label=_("Contact e-mail")),
        column(service, "code", code="service_code"),
        column(service, "name", code="service_name", label=_("Service")),
        column(service, "description"),
        column(service, "dimension"),
        column(service, "sector"),
        column(service, "country", choices=country_names),
        exports.Column("areas", _("Areas (codes)")),
        column(service, "min_age"),
        column(service, "max_age"),
        column(service, "sexes", choices=Sex.choices),
        column(service, "nationalities", choices=country_names),
        column(service, "vulnerability_criteria", code="vulnerabilities", choices=AttentionFlag.choices),
        column(service, "capacity_per_month"),
        column(service, "cost"),
        column(service, "opening_hours"),
        column(service, "target_response_days"),
        column(service, "languages"),
    ]


def export_rows(qs: Iterable[Service]) -> Iterator[list[Any]]:
    """One row per service in COLUMNS order (the header is not included); written by `access.exports`."""
    for s in qs:
        p = s.provider
        contact = next(iter(p.contacts.all()), None)
        yield [
            p.name,
            p.organisation_type,
            str(p.country),
            p.languages,
            p.phone,
            p.email,
            contact.name if contact else "",
            contact.phone if contact else "",
            contact.email if contact else "",
            s.code,
            s.name,
            s.description,
            s.dimension,
            s.sector,
            str(s.country),
            LIST_SEPARATOR.join(a.code for a in s.areas.all()),
            s.min_age,
            s.max_age,
            # Lists: joined with LIST_SEPARATOR by the export, each code labelled in the reader's language.
            list(s.sexes or []),
            list(s.nationalities or []),
            list(s.vulnerability_criteria or []),
            s.capacity_per_month,
            s.cost,
            s.opening_hours,
            s.target_response_days,
            s.languages,
        ]


# Limits of one directory file (README, "Import limits").
LIMITS = Limits(max_bytes=5 * 1024 * 1024, max_rows=5_000, max_columns=60, max_cell_chars=5_000)


def read_upload(name: str, content: bytes | IO[bytes]) -> list[dict[str, str]]:
    """Rows as {column: text}; raises ValidationError ("file") for a file that cannot be read or is over a
    limit (each bad cell with its row and column)."""
    try:
        table = uploads.read_table(content, name, LIMITS)
    except uploads.UploadError as exc:
        raise exc.as_validation_error("file") from None
    header = [h.strip().lower() for h in table.header]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError({"file": _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}})
    return [
        {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header) if h}
        for _n, values in table.rows
    ]


@dataclass
class ImportReport:
    providers_created: int = 0
    services_created: int = 0
    services_updated: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)


def _int(value: str, row: int, column: str, errors: list[tuple[int, str, str]], *, low: int = 0) -> int | None:
    if not value:
        return None
    try:
        number = int(float(value))
    except ValueError:
        errors.append((row, column, _("Not a whole number: %(value)s") % {"value": value}))
        return None
    if number < low:
        errors.append((row, column, _("Must be at least %(low)s.") % {"low": low}))
        return None
    return number


def _choice(value: str, allowed: list[str], row: int, column: str, errors: list[tuple[int, str, str]]) -> str:
    if value not in allowed:
        errors.append(
            (
                row,
                column,
                _("Unknown value %(value)s; use one of: %(allowed)s")
                % {"value": value or "—", "allowed": ", ".join(allowed)},
            )
        )
    return value


def _codes(value: str, allowed: Iterable[str], row: int, column: str, errors: list[tuple[int, str, str]]) -> list[str]:
    allowed = set(allowed)
    found = _split(value)
    bad = [v for v in found if v not in allowed]
    if bad:
        errors.append((row, column, _("Unknown value(s): %(values)s") % {"values": ", ".join(bad)}))
    return found


def _check_owned(
    r: dict[str, str], code: str, organisation_id: int, row: int, errors: list[tuple[int, str, str]]
) -> None:
    """A row may add to or change only the entries the user's organisation maintains (links.py)."""
    provider = (
        ServiceProvider.objects.filter(country=r["provider_country"].upper(), name=r["provider_name"])
        .select_related("owner")
        .first()
    )
    if provider is not None and provider.owner_id != organisation_id:
        errors.append((row, "provider_name", _not_yours(provider)))
    service = Service.objects.filter(code=code).select_related("provider__owner").first()
    if service is not None and service.provider.owner_id != organisation_id:
        errors.append((row, "service_code", _not_yours(service.provider)))


def _not_yours(provider: ServiceProvider) -> str:
    return _("%(provider)s is maintained by %(organisation)s: only its users can change it.") % {
        "provider": provider.name,
        "organisation": provider.owner.name,
    }


def import_directory(user: User, rows: list[dict[str, str]], *, dry_run: bool = False) -> ImportReport:
    """Every row checked first; providers created are maintained by the user's organisation, and rows that
    would change another organisation's entries are refused."""
    if not (active_with_organisation(user) and permissions.has_any(user, Capability.MANAGE_SERVICE_DIRECTORY)):
        raise permissions.denied()
    organisation_id = permissions.own_organisation_id(user)
    report = ImportReport()
    codes_seen: set[str] = set()
    country_codes = [code for code, _name in countries]
    parsed = [
        _parse_row(raw, number, organisation_id, country_codes, codes_seen, report.errors)
        for number, raw in enumerate(rows, start=2)  # row 1 is the header
    ]
    if report.errors or dry_run:
        return report
    with transaction.atomic(), set_actor(user):
        for item in parsed:
            provider = _save_provider(item["row"], organisation_id, report)
            _save_service(item, provider, report)
    return report


def _parse_row(
    raw: dict[str, str],
    number: int,
    organisation_id: int,
    country_codes: list[str],
    codes_seen: set[str],
    errors: list[tuple[int, str, str]],
) -> dict[str, Any]:
    """One row's values, typed; what is wrong with it goes to `errors`, in column order."""
    r = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED:
        if not r[column]:
            errors.append((number, column, _("Required.")))
    _choice(r["provider_type"], OrganisationType.values, number, "provider_type", errors)
    _choice(r["provider_country"].upper(), country_codes, number, "provider_country", errors)
    _choice(r["dimension"], Dimension.values, number, "dimension", errors)
    _choice(r["sector"], ServiceSector.values, number, "sector", errors)
    country = r["country"].upper()
    _choice(country, country_codes, number, "country", errors)
    cost = r["cost"] or Cost.FREE
    _choice(cost, Cost.values, number, "cost", errors)
    min_age = _int(r["min_age"], number, "min_age", errors)
    max_age = _int(r["max_age"], number, "max_age", errors)
    if min_age is not None and max_age is not None and min_age > max_age:
        errors.append((number, "max_age", _("The maximum age is below the minimum age.")))
    capacity = _int(r["capacity_per_month"], number, "capacity_per_month", errors)
    response = _int(r["target_response_days"], number, "target_response_days", errors, low=1)
    areas = _areas(country, r["areas"], number, errors)
    code = _service_code(r, number, codes_seen, errors)
    _check_owned(r, code, organisation_id, number, errors)
    return {
        "row": r,
        "code": code,
        "country": country,
        "areas": areas,
        "min_age": min_age,
        "max_age": max_age,
        "capacity": capacity,
        "response": response or 14,
        "cost": cost,
        "sexes": _codes(r["sexes"], Sex.values, number, "sexes", errors),
        "nationalities": [
            c.upper() for c in _codes(r["nationalities"].upper(), country_codes, number, "nationalities", errors)
        ],
        "vulnerabilities": _codes(r["vulnerabilities"], AttentionFlag.values, number, "vulnerabilities", errors),
    }


def _areas(country: str, value: str, row: int, errors: list[tuple[int, str, str]]) -> list[AdminArea]:
    area_codes = _split(value)
    areas = list(AdminArea.objects.filter(country=country, code__in=area_codes)) if area_codes else []
    unknown_areas = sorted(set(area_codes) - {a.code for a in areas})
    if unknown_areas:
        errors.append(
            (
                row,
                "areas",
                _("Unknown area code(s) in %(country)s: %(codes)s")
                % {"country": country, "codes": ", ".join(unknown_areas)},
            )
        )
    return areas


def _service_code(r: dict[str, str], row: int, codes_seen: set[str], errors: list[tuple[int, str, str]]) -> str:
    code = slugify(r["service_code"] or f"{r['provider_name']}-{r['service_name']}")[:60]
    if code in codes_seen:
        errors.append(
            (row, "service_code", _("The same service code appears twice in the file: %(code)s") % {"code": code})
        )
    codes_seen.add(code)
    return code


def _save_provider(r: dict[str, str], organisation_id: int, report: ImportReport) -> ServiceProvider:
    provider, created = ServiceProvider.objects.get_or_create(
        country=r["provider_country"].upper(),
        name=r["provider_name"],
        defaults={"organisation_type": r["provider_type"], "owner_id": organisation_id},
    )
    report.providers_created += int(created)
    provider.organisation_type = r["provider_type"]
    for attribute in ("languages", "phone", "email"):
        if r[f"provider_{attribute}"]:
            setattr(provider, attribute, r[f"provider_{attribute}"])
    provider.full_clean(exclude=["organisation", "owner"])
    provider.save()
    if r["contact_name"] and not provider.contacts.filter(name=r["contact_name"]).exists():
        ContactPerson.objects.create(
            provider=provider, name=r["contact_name"], phone=r["contact_phone"], email=r["contact_email"]
        )
    return provider


def _save_service(item: dict[str, Any], provider: ServiceProvider, report: ImportReport) -> None:
    r = item["row"]
    service = Service.objects.filter(code=item["code"]).first()
    if service is None:
        service = Service(code=item["code"])
        report.services_created += 1
    else:
        report.services_updated += 1
    service.provider = provider
    service.name = r["service_name"]
    service.description = r["description"]
    service.dimension = r["dimension"]
    service.sector = r["sector"]
    service.country = item["country"]
    service.min_age = item["min_age"]
    service.max_age = item["max_age"]
    service.sexes = item["sexes"]
    service.nationalities = item["nationalities"]
    service.vulnerability_criteria = item["vulnerabilities"]
    service.capacity_per_month = item["capacity"]
    service.cost = item["cost"]
    service.opening_hours = r["opening_hours"]
    service.target_response_days = item["response"]
    service.languages = r["languages"]
    try:
        service.full_clean(exclude=["provider", "areas"])
    except ValidationError as exc:  # checked above; a last guard
        raise ValidationError(exc.message_dict) from None
    service.save()
    service.areas.set(item["areas"])
