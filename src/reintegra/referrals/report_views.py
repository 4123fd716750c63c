"""Pages of the referral network's gaps and reports: service gaps by area, duplication in the directory,
referral outcomes by service (/derivaciones/brechas/, /directorio/duplicacion/, /informes/)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from reintegra.access import exports, permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.api.fields import parse_id
from reintegra.places import selectors as place_selectors
from reintegra.places.models import AdminArea
from reintegra.referrals import gaps, reports, selectors
from reintegra.referrals.choices import Dimension, ServiceSector
from reintegra.referrals.pages import PAGE_SIZE
from reintegra.web.pagination import page_of


def _gap_area(request: AuthenticatedHttpRequest) -> tuple[str, AdminArea | None]:
    area = place_selectors.get_area(parse_id(request.GET.get("area")))
    country = str(area.country) if area else (request.GET.get("country") or "").upper()
    organisation = request.user.organisation
    if not country and organisation is not None:
        country = str(organisation.country)
    return country, area


GAP_COLUMNS = (
    exports.Column("area", _("Area")),
    exports.Column("dimension", _("Dimension"), Dimension.choices),
    exports.Column("cases", _("Cases with the need")),
    exports.Column("services", _("Services")),
    exports.Column("with_room", _("Services with places left")),
    exports.Column("places_left", _("Places left")),
    exports.Column(
        "state",
        _("State"),
        {gaps.NO_SERVICE: _("No service"), gaps.AT_CAPACITY: _("At capacity"), gaps.COVERED: _("Covered")},
    ),
    exports.Column("duplicated_sectors", _("Duplication"), ServiceSector.choices),
)


@login_required
@require_GET
def service_gaps(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    permissions.require(request.user, Capability.VIEW_REFERRAL_REPORTS, Capability.MANAGE_SERVICE_DIRECTORY)
    country, area = _gap_area(request)
    rows = selectors.service_gaps(request.user, country=country, area=area)
    if request.GET.get("format") == "csv":
        return exports.download(
            request.user,
            "csv",
            "service-gaps",
            GAP_COLUMNS,
            (
                [
                    r.area.name,
                    r.dimension,
                    r.cases,
                    r.services,
                    r.with_room,
                    r.places_left,
                    r.state,
                    list(r.duplicated_sectors),
                ]
                for r in rows
            ),
            purpose=f"service gaps ({country or 'all countries'})",
            object_type="referrals.service",
            codes=exports.codes_requested(request),
        )
    dimensions = dict(Dimension.choices)
    sectors = dict(ServiceSector.choices)
    return render(
        request,
        "referrals/service_gaps.html",
        {
            "nav": "referral_reports",
            "rows": [
                {
                    "row": r,
                    "dimension": dimensions.get(r.dimension, r.dimension),
                    "duplicated": [sectors.get(s, s) for s in r.duplicated_sectors],
                }
                for r in rows
            ],
            "country": country,
            "area": area,
            "areas": place_selectors.states_of(country) if country else [],
            "query": request.GET.urlencode(),
        },
    )


@login_required
@require_GET
def directory_duplication(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sectors offered by several providers in one area (the directory's duplication, docs/domain-referrals.md §2)."""
    permissions.require(request.user, Capability.VIEW_SERVICE_DIRECTORY)
    country, area = _gap_area(request)
    rows = selectors.service_duplication(country, area)
    provider_ids = {pid for r in rows for pid in r.provider_ids}
    names = selectors.provider_names(provider_ids)
    sectors = dict(ServiceSector.choices)
    page = page_of(request, rows, PAGE_SIZE)
    return render(
        request,
        "referrals/duplication.html",
        {
            "nav": "service_directory",
            "page": page,
            "rows": [
                {
                    "row": r,
                    "sector": sectors.get(r.sector, r.sector),
                    "providers": [(pid, names.get(pid, "")) for pid in r.provider_ids],
                }
                for r in page.object_list
            ],
            "country": country,
            "area": area,
            "areas": place_selectors.states_of(country) if country else [],
        },
    )


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    permissions.require(request.user, Capability.VIEW_REFERRAL_REPORTS)
    qs = reports.scope(request.user)
    rows = reports.by_service(qs)
    return render(
        request,
        "referrals/reports.html",
        {
            "nav": "referral_reports",
            "rows": rows,
            **reports.status_overview(qs),
            "reports_url": reverse("referrals:reports"),
        },
    )
