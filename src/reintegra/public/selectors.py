"""Every read of the public app.

Public reads (`public_*`, `municipality_page`, `feedback_status`) run without a user and read only what is
published: services marked public, listed programmes, active reception points, published guides, published
anonymised questions and answers, and for a tracking code the status and the public response of one item.
They never touch a person's record. Staff reads (`*_for(user)`) are scoped to the user's organisation's
programmes; sensitive feedback only for the focal point (Capability.HANDLE_SENSITIVE_FEEDBACK)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Max, Q, QuerySet

from reintegra.access import permissions
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.cases import scoping as case_scoping
from reintegra.cases.models import Case
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea
from reintegra.public import search_core
from reintegra.public.choices import FeedbackKind, FeedbackStatus, InformationRequestStatus
from reintegra.public.models import (
    Feedback,
    FeedbackEvent,
    Guide,
    InformationRequest,
    PublicSettings,
    SatisfactionSurvey,
)
from reintegra.reception.models import ReceptionPoint
from reintegra.referrals.models import Service, ServiceProvider

if TYPE_CHECKING:
    from reintegra.access.models import User


# --- public reads ---------------------------------------------------------------------------------


def public_programmes(country: str | None = None) -> list[Programme]:
    """Active programmes listed on the portal (with their public settings), of one country when given."""
    programmes = (
        Programme.objects.filter(is_active=True, public_settings__is_listed=True)
        .select_related("public_settings", "organisation")
        .order_by("name", "pk")
    )
    if country is None:
        return list(programmes)
    return [p for p in programmes if country in (p.countries or []) or str(p.organisation.country) == country]


def public_countries() -> list[str]:
    """The countries of the listed programmes (their municipalities are searched)."""
    found: set[str] = set()
    for programme in public_programmes():
        found.update(programme.countries or [])
        found.add(str(programme.organisation.country))
    return sorted(c for c in found if c)


def municipalities(country: str | None = None) -> QuerySet[AdminArea]:
    qs = AdminArea.objects.filter(level=AdminLevel.SECOND, country__in=public_countries())
    if country:
        qs = qs.filter(country=country)
    return qs.select_related("parent").order_by("name", "pk")


def search_municipalities(query: str, *, limit: int = search_core.LIMIT) -> list[AdminArea]:
    """Municipalities of the portal's countries by name, accent-insensitive and typo-tolerant."""
    rows = municipalities().values_list("pk", "name")
    ids = search_core.search(query, (search_core.Place(pk, name) for pk, name in rows), limit=limit)
    by_id = AdminArea.objects.select_related("parent").in_bulk(ids)
    return [by_id[i] for i in ids if i in by_id]


def get_municipality(pk: int) -> AdminArea:
    """A municipality of the portal's countries; DoesNotExist otherwise (404)."""
    return municipalities().get(pk=pk)


def public_services(area: AdminArea) -> QuerySet[Service]:
    """Active services marked public with a public contact point that cover the municipality: listed for it,
    for its department, or for the whole country (no areas)."""
    covering = Q(areas=area) | Q(areas__isnull=True)
    if area.parent_id:
        covering |= Q(areas=area.parent_id)
    return (
        Service.objects.filter(covering, is_public=True, is_active=True, provider__is_active=True, country=area.country)
        .exclude(public_contact="")
        .select_related("provider")
        .distinct()
        .order_by("sector", "name", "pk")
    )


def public_guides(
    *, country: str | None = None, area: AdminArea | None = None, language: str | None = None
) -> QuerySet[Guide]:
    qs = Guide.objects.filter(is_published=True, programme__is_active=True).select_related("municipality")
    if area is not None:
        qs = qs.filter(Q(municipality=area) | Q(municipality__isnull=True), country=area.country)
    elif country:
        qs = qs.filter(country=country)
    if language:
        qs = qs.filter(language=language)
    return qs.order_by("topic", "title", "pk")


def with_topic(guides: QuerySet[Guide], topic: str) -> QuerySet[Guide]:
    return guides.filter(topic=topic)


def public_guide(pk: int) -> Guide:
    return public_guides().get(pk=pk)


def reception_points(country: str) -> QuerySet[ReceptionPoint]:
    return (
        ReceptionPoint.objects.filter(active=True, country=country)
        .select_related("municipality")
        .order_by("name", "pk")
    )


def published_answers(area: AdminArea) -> QuerySet[InformationRequest]:
    return InformationRequest.objects.filter(
        status=InformationRequestStatus.PUBLISHED, agrees_to_publish=True, municipality=area
    ).order_by("-answered_at", "-pk")


@dataclass(frozen=True)
class MunicipalityPage:
    area: AdminArea
    services: list[Service]
    programmes: list[Programme]
    points: list[ReceptionPoint]
    guides: list[Guide]
    answers: list[InformationRequest]
    last_modified: datetime | None = None
    documents: list[Guide] = field(default_factory=list)


def municipality_page(area: AdminArea, language: str) -> MunicipalityPage:
    country = str(area.country)
    guides = list(public_guides(area=area, language=language)) or list(public_guides(area=area))
    services = list(public_services(area))
    stamps = [g.updated_at for g in guides] + [s.updated_at for s in services]
    return MunicipalityPage(
        area=area,
        services=services,
        programmes=public_programmes(country),
        points=list(reception_points(country)),
        guides=[g for g in guides if g.topic != "documents"],
        documents=[g for g in guides if g.topic == "documents"],
        answers=list(published_answers(area)),
        last_modified=max(stamps) if stamps else None,
    )


def guides_last_modified() -> datetime | None:
    last: datetime | None = public_guides().aggregate(last=Max("updated_at"))["last"]
    return last


@dataclass(frozen=True)
class PublicStatus:
    tracking_code: str
    status: str
    status_label: str
    received_on: date
    response: str  # only once responded


def feedback_status(code: str) -> PublicStatus:
    """Status and public response of the item with this tracking code; DoesNotExist otherwise."""
    item = Feedback.objects.only("tracking_code", "status", "received_at", "response").get(
        tracking_code=(code or "").strip().upper()
    )
    answered = item.status in (FeedbackStatus.RESPONDED, FeedbackStatus.CLOSED)
    return PublicStatus(
        item.tracking_code,
        item.status,
        str(FeedbackStatus(item.status).label),
        item.received_at.date(),
        item.response if answered else "",
    )


def request_status(code: str) -> PublicStatus:
    """Status and, once answered, the answer to the information request with this tracking code."""
    item = InformationRequest.objects.only("tracking_code", "status", "received_at", "answer").get(
        tracking_code=(code or "").strip().upper()
    )
    answered = item.status != InformationRequestStatus.OPEN
    return PublicStatus(
        item.tracking_code,
        item.status,
        str(InformationRequestStatus(item.status).label),
        item.received_at.date(),
        item.answer if answered else "",
    )


def tracking_status(code: str) -> PublicStatus:
    """Feedback or an information request by its tracking code; Feedback.DoesNotExist when neither has it."""
    try:
        return feedback_status(code)
    except Feedback.DoesNotExist:
        try:
            return request_status(code)
        except InformationRequest.DoesNotExist:
            raise Feedback.DoesNotExist from None


def settings_of(programme: Programme) -> PublicSettings:
    """The programme's public settings, or the defaults (unsaved) when it has none."""
    return PublicSettings.objects.filter(programme=programme).first() or PublicSettings(programme=programme)


# --- staff reads ------------------------------------------------------------------------------------


def programmes_for(user: User) -> QuerySet[Programme]:
    """The programmes whose public side and feedback the user handles: their organisation's."""
    if not user.organisation_id:
        return Programme.objects.none()
    return Programme.objects.filter(organisation_id=user.organisation_id).order_by("name", "pk")


def feedback_for(user: User) -> QuerySet[Feedback]:
    """The organisation's feedback the user may handle; sensitive items only for the focal point."""
    if not user.organisation_id or not permissions.has_any(
        user, Capability.HANDLE_FEEDBACK, Capability.HANDLE_SENSITIVE_FEEDBACK
    ):
        return Feedback.objects.none()
    qs = Feedback.objects.filter(programme__organisation_id=user.organisation_id)
    if not permissions.has_any(user, Capability.HANDLE_SENSITIVE_FEEDBACK):
        qs = qs.exclude(kind=FeedbackKind.SENSITIVE)
    return qs.select_related("programme", "municipality", "provider")


def providers_for_feedback(programme: Programme) -> QuerySet[ServiceProvider]:
    """The providers a feedback item of this programme may name: active entries of the (shared) directory in
    one of the programme's countries (every country when the programme names none)."""
    qs = ServiceProvider.objects.filter(is_active=True).order_by("name", "pk")
    return qs.filter(country__in=programme.countries) if programme.countries else qs


def providers_for_user(user: User) -> QuerySet[ServiceProvider]:
    """The providers the staff form offers: those of any of the user's programmes."""
    countries = {c for p in programmes_for(user) for c in (p.countries or [])}
    qs = ServiceProvider.objects.filter(is_active=True).order_by("name", "pk")
    return qs.filter(country__in=countries) if countries else qs


def satisfaction_of_case(case: Case) -> QuerySet[SatisfactionSurvey]:
    """The surveys of a case the caller already read through the case selectors, newest first."""
    return SatisfactionSurvey.objects.filter(case=case).select_related("recorded_by").order_by("-taken_on", "-pk")


def satisfaction_for(user: User) -> QuerySet[SatisfactionSurvey]:
    """The surveys of the cases the user sees."""
    return SatisfactionSurvey.objects.filter(case__in=Case.objects.filter(case_scoping.case_visibility(user)))


@dataclass(frozen=True)
class FeedbackFilters:
    kind: str = ""
    status: str = ""
    programme: int | None = None


def search_feedback(user: User, filters: FeedbackFilters | None = None) -> QuerySet[Feedback]:
    qs = feedback_for(user)
    if filters is not None:
        if filters.kind:
            qs = qs.filter(kind=filters.kind)
        if filters.status:
            qs = qs.filter(status=filters.status)
        if filters.programme:
            qs = qs.filter(programme_id=filters.programme)
    return qs.order_by("-received_at", "-pk")


def get_feedback(user: User, pk: int) -> Feedback:
    return feedback_for(user).get(pk=pk)


def history_of(item: Feedback) -> list[FeedbackEvent]:
    """The handling history of an item the caller was allowed to read."""
    return list(item.events.select_related("actor").order_by("at", "pk"))


def requests_for(user: User) -> QuerySet[InformationRequest]:
    if not user.organisation_id or not permissions.has_any(user, Capability.PUBLISH_INFORMATION):
        return InformationRequest.objects.none()
    return (
        InformationRequest.objects.filter(programme__organisation_id=user.organisation_id)
        .select_related("programme", "municipality")
        .order_by("status", "-received_at", "-pk")
    )


def guides_for(user: User) -> QuerySet[Guide]:
    if not user.organisation_id or not permissions.has_any(user, Capability.PUBLISH_INFORMATION):
        return Guide.objects.none()
    return (
        Guide.objects.filter(programme__organisation_id=user.organisation_id)
        .select_related("programme", "municipality", "owner")
        .order_by("review_due_on", "title", "pk")
    )


def guide_versions(guide: Guide) -> list[tuple[int, str, datetime]]:
    return list(guide.versions.values_list("version", "title", "edited_at"))


# --- the feedback focal point's home (issue 18.9) -----------------------------------------------------


@dataclass(frozen=True)
class QueuedFeedback:
    """An item still to handle, with the deadline of its next step (acknowledge, then resolve)."""

    item: Feedback
    due_on: date
    overdue: bool


def feedback_queue(user: User, today: date) -> list[QueuedFeedback]:
    """The items the user handles that are not closed: overdue first, sensitive before the rest, then by
    the next deadline (what the focal point opens first)."""
    rows = []
    for item in feedback_for(user).exclude(status=FeedbackStatus.CLOSED).order_by("pk"):
        due = item.acknowledge_by if item.status == FeedbackStatus.RECEIVED else item.resolve_by
        # A response given in time is not late while it is being communicated back (the list's rule too).
        rows.append(QueuedFeedback(item, due, due < today and item.status != FeedbackStatus.RESPONDED))
    rows.sort(key=lambda row: (not row.overdue, row.item.kind != FeedbackKind.SENSITIVE, row.due_on))
    return rows
