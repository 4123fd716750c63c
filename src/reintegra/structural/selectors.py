"""Every read of the structural level, already scoped to what the user may see.

Who sees and who edits (the single rule every page and API endpoint applies):

- Every structural record belongs to a programme (`Programme`, owned by an organisation).
- A user holding VIEW_STRUCTURAL (or EDIT_STRUCTURAL) sees the records of the programmes of their own
  organisation.
- A coordinator (Role.COORDINATOR: a national coordination body, e.g. "mesa-gt") additionally sees the
  records of every programme whose `countries` include the coordinator's organisation's country.
- Writing needs EDIT_STRUCTURAL on a programme the user may change: their own organisation's (the owner
  of its records); a coordinator also changes another organisation's programme it sees when that
  organisation granted its coordination body write access (`WriteGrant`, managed by the owner's
  programme managers). Reading stays as above.
- A record the user may not see answers 404 (its existence is not revealed); a write without
  EDIT_STRUCTURAL answers 403, checked before any lookup; a write on a record the user sees but may not
  change answers 403 (code `no_write_grant`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Case, CharField, Count, F, Manager, Model, Q, QuerySet, Value, When
from django.http import Http404

from reintegra.access import permissions
from reintegra.access.models import Programme, User
from reintegra.access.roles import Capability, Role
from reintegra.structural import choices as c
from reintegra.structural import engagement
from reintegra.structural.models import (
    ActionItem,
    Agreement,
    CapacityActivity,
    CapacityPlan,
    Checklist,
    ChecklistStep,
    CommonProduct,
    ContactPerson,
    CooperationFramework,
    CoordinationMechanism,
    DataExchangeRule,
    Document,
    Interaction,
    MainstreamingProcess,
    MechanismMember,
    Meeting,
    ProgressIndicator,
    SectorOpportunity,
    Stakeholder,
    StakeholderReview,
    Training,
    WriteGrant,
)


def can_view(user: User) -> bool:
    return permissions.has_any(user, Capability.VIEW_STRUCTURAL, Capability.EDIT_STRUCTURAL)


def can_edit(user: User) -> bool:
    return permissions.has_any(user, Capability.EDIT_STRUCTURAL)


_VISIBLE_PROGRAMMES = "_structural_programmes"


def visible_programme_ids(user: User) -> frozenset[int]:
    """The programmes whose structural records the user sees (cached on the user for the request)."""
    cached: frozenset[int] | None = vars(user).get(_VISIBLE_PROGRAMMES)
    if cached is not None:
        return cached
    ids: set[int] = set()
    org = getattr(user, "organisation", None)
    if can_view(user) and org is not None:
        coordinator = Role.COORDINATOR in user.roles
        country = str(org.country)
        for pk, org_id, countries in Programme.objects.values_list("id", "organisation_id", "countries"):
            if org_id == org.pk or (coordinator and country in (countries or [])):
                ids.add(pk)
    result = frozenset(ids)
    vars(user)[_VISIBLE_PROGRAMMES] = result  # on the instance, as a cached_property keeps its value
    return result


def granted_programme_ids(organisation_id: int | None) -> set[int]:
    """Programmes whose owners granted the organisation write access (active grants)."""
    if organisation_id is None:
        return set()
    return set(
        WriteGrant.objects.filter(
            grantee_id=organisation_id, scope=c.GrantScope.STRUCTURAL, revoked_at__isnull=True
        ).values_list("programme_id", flat=True)
    )


def editable_programme_ids(user: User) -> frozenset[int]:
    """The programmes whose structural records the user may change: their organisation's, and for a
    coordinator those it sees under a write grant (not cached: grants change while a user works)."""
    if not can_edit(user) or user.organisation_id is None:
        return frozenset()
    visible = visible_programme_ids(user)
    own = set(
        Programme.objects.filter(pk__in=visible, organisation_id=user.organisation_id).values_list("pk", flat=True)
    )
    if Role.COORDINATOR in user.roles:
        own |= granted_programme_ids(user.organisation_id) & visible
    return frozenset(own)


def can_edit_programme(user: User, programme_id: int | None) -> bool:
    return programme_id is not None and programme_id in editable_programme_ids(user)


def writers_of(programme_ids: Any) -> set[int]:
    """Organisations whose users may be named on the programmes' records: the owners and their grantees."""
    owners = set(Programme.objects.filter(pk__in=programme_ids).values_list("organisation_id", flat=True))
    grantees = set(
        WriteGrant.objects.filter(
            programme_id__in=programme_ids, scope=c.GrantScope.STRUCTURAL, revoked_at__isnull=True
        ).values_list("grantee_id", flat=True)
    )
    return owners | grantees


def assignable_users(user: User, programme: Programme | None = None) -> QuerySet[User]:
    """People a record may name (an owner, a responsible): active users of the programme's organisation
    or of a coordination body it granted write access; without a programme, of any the user may change."""
    programme_ids = [programme.pk] if programme is not None else list(editable_programme_ids(user))
    return User.objects.filter(is_active=True, organisation_id__in=writers_of(programme_ids)).order_by("username")


def has_regional_grant(owner_id: int, grantee_id: int | None) -> bool:
    return (
        grantee_id is not None
        and WriteGrant.objects.filter(
            organisation_id=owner_id, grantee_id=grantee_id, scope=c.GrantScope.REGIONAL, revoked_at__isnull=True
        ).exists()
    )


def grants_for(user: User) -> QuerySet[WriteGrant]:
    """Write grants the user's organisation gave or received (revoked ones too, as a record)."""
    organisation_id = getattr(user, "organisation_id", None)
    if not can_view(user) or organisation_id is None:
        return WriteGrant.objects.none()
    return WriteGrant.objects.filter(Q(organisation_id=organisation_id) | Q(grantee_id=organisation_id)).select_related(
        "organisation", "grantee", "programme", "granted_by", "revoked_by"
    )


def own_grant(user: User, pk: Any) -> WriteGrant | None:
    """A grant the user's organisation gave (the one it may revoke), or None."""
    return grants_for(user).filter(organisation_id=getattr(user, "organisation_id", None) or 0, pk=pk).first()


def editable_programmes(user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(pk__in=editable_programme_ids(user), is_active=True).order_by("name")


def visible_programmes(user: User) -> QuerySet[Programme]:
    return Programme.objects.filter(pk__in=visible_programme_ids(user)).order_by("name")


def visible[M: Model](user: User, model: type[M]) -> QuerySet[M]:
    return model._default_manager.filter(programme_id__in=visible_programme_ids(user))


def get_visible[M: Model](user: User, model: type[M], pk: Any) -> M:
    try:
        return visible(user, model).select_related("programme").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None


def engagement_expression() -> Case:
    """The engagement rule (engagement.py) in SQL, with each stakeholder's programme threshold."""
    threshold = F("programme__stakeholder_high_threshold")
    interest_high = Q(interest__gte=threshold)
    influence_high = Q(influence__gte=threshold)
    return Case(
        When(interest_high & influence_high, then=Value(engagement.MANAGE_CLOSELY)),
        When(interest_high | influence_high, then=Value(engagement.COMMUNICATE)),
        default=Value(engagement.INFORM),
        output_field=CharField(),
    )


def stakeholders_for(user: User) -> QuerySet[Stakeholder]:
    return visible(user, Stakeholder).select_related("programme").annotate(engagement=engagement_expression())


def behind_products_q(today: date) -> Q:
    """Common products showing insufficient progress (engagement.product_is_behind in SQL)."""
    open_statuses = [s for s in engagement.OPEN_STATUSES]
    return Q(status=c.ProductStatus.STALLED) | Q(status__in=open_statuses, due_on__lt=today)


def stakeholders_with_insufficient_progress(user: User, today: date) -> QuerySet[Stakeholder]:
    behind = CommonProduct.objects.filter(behind_products_q(today)).values("stakeholder_id")
    return stakeholders_for(user).filter(pk__in=behind)


def reviews_due(user: User, today: date, within_days: int = 14) -> QuerySet[Stakeholder]:
    return (
        stakeholders_for(user)
        .filter(next_review_on__lte=today + timedelta(days=within_days))
        .order_by("next_review_on", "id")
    )


def agreements_expiring(user: User, today: date) -> list[Agreement]:
    """Agreements in force inside their programme's renewal-notice window (or past their end)."""
    candidates = (
        visible(user, Agreement)
        .select_related("programme")
        .filter(status=c.AgreementStatus.IN_FORCE, ends_on__isnull=False, ends_on__lte=today + timedelta(days=366))
        .order_by("ends_on", "id")
    )
    return [a for a in candidates if a.renewal_notice_on is not None and a.renewal_notice_on <= today]


OPEN_WORK = [c.WorkStatus.PLANNED, c.WorkStatus.IN_PROGRESS]


def overdue_action_items(user: User, today: date) -> QuerySet[ActionItem]:
    return (
        visible(user, ActionItem)
        .filter(status__in=OPEN_WORK, due_on__lt=today)
        .select_related("mechanism", "process", "owner", "owner_stakeholder")
        .order_by("due_on", "id")
    )


def engagement_counts(stakeholders: QuerySet[Any]) -> dict[str, int]:
    """Stakeholders per engagement category (`stakeholders` annotated by `stakeholders_for`)."""
    rows = stakeholders.order_by().values("engagement").annotate(n=Count("id"))
    counts = {category: 0 for category in engagement.CATEGORIES}
    counts.update({row["engagement"]: row["n"] for row in rows})
    return counts


def checklist(programme: Programme, kind: str, **owner: Any) -> Checklist | None:
    lookup = {"mechanism": None, "framework": None, "process": None, **owner}
    return (
        Checklist.objects.filter(programme=programme, kind=kind, **lookup)
        .prefetch_related("steps__stakeholders", "steps__documents")
        .first()
    )


# --- lists and pages of records -----------------------------------------------------------------


def search_records[M: Model](
    user: User,
    model: type[M],
    *,
    related: Iterable[str] = ("programme",),
    programme: int | None = None,
    choices: Mapping[str, str] | None = None,
    engagement_category: str = "",
    query: str = "",
    search: Iterable[str] = (),
) -> QuerySet[M]:
    """A kind's list page: the records the user sees, narrowed by programme, choice fields (values already
    checked against the field's choices), engagement category (stakeholders) and words in `search` fields."""
    qs: QuerySet[Any] = (
        stakeholders_for(user) if model is Stakeholder else visible(user, model).select_related(*related)
    )
    if programme:
        qs = qs.filter(programme_id=programme)
    if choices:
        qs = qs.filter(**choices)
    if model is Stakeholder and engagement_category:
        qs = qs.filter(engagement=engagement_category)
    if query and search:
        condition = Q()
        for name in search:
            condition |= Q(**{f"{name}__icontains": query})
        qs = qs.filter(condition)
    return qs.order_by(*model._meta.ordering or ["id"])


def api_records[M: Model](
    user: User, model: type[M], *, related: Iterable[str] = (), prefetch: Iterable[str] = (), programme: int | None
) -> QuerySet[M]:
    """A kind's API list: the records the user sees (of one programme if asked), in the model's order."""
    qs = visible(user, model).select_related("programme", *related)
    if programme:
        qs = qs.filter(programme_id=programme)
    return qs.prefetch_related(*prefetch).order_by(*model._meta.ordering or ["id"])


def stakeholders_by_name(user: User, limit: int) -> QuerySet[Stakeholder]:
    """The first `limit` stakeholders the user sees, by name (the interest × influence grid)."""
    return stakeholders_for(user).order_by("name", "id")[:limit]


def related_records(manager: Manager[Any]) -> list[Any]:
    """The records of a many-to-many field, as a detail page lists them."""
    return list(manager.all())


def interactions_of(stakeholder: Stakeholder) -> QuerySet[Interaction]:
    return Interaction.objects.filter(stakeholder=stakeholder).order_by("-occurred_on", "-id")


def meetings_of(mechanism: CoordinationMechanism) -> QuerySet[Meeting]:
    return Meeting.objects.filter(mechanism=mechanism).prefetch_related("attendees").order_by("-held_on", "-id")


def checklist_steps(checklist: Checklist | None) -> list[ChecklistStep]:
    return list(checklist.steps.all()) if checklist is not None else []


@dataclass(frozen=True)
class StakeholderRecords:
    contacts: list[ContactPerson]
    interactions: list[Interaction]
    products: list[CommonProduct]
    reviews: list[StakeholderReview]
    agreements: list[Agreement]


def stakeholder_records(stakeholder: Stakeholder) -> StakeholderRecords:
    """What a stakeholder's page lists under it."""
    return StakeholderRecords(
        contacts=list(stakeholder.contacts.all()),
        interactions=list(stakeholder.interactions.all()),
        products=list(stakeholder.products.all()),
        reviews=list(stakeholder.reviews.all()),
        agreements=list(stakeholder.agreements.all()),
    )


def documents_of(agreement: Agreement) -> list[Document]:
    return list(agreement.documents.all())


@dataclass(frozen=True)
class MechanismRecords:
    members: list[MechanismMember]
    meetings: list[Meeting]
    action_items: list[ActionItem]
    documents: list[Document]  # approval and others
    sop_documents: list[Document]


def mechanism_records(mechanism: CoordinationMechanism) -> MechanismRecords:
    """What a coordination mechanism's page lists under it."""
    documents = mechanism.documents.all()
    return MechanismRecords(
        members=list(mechanism.members.select_related("stakeholder")),
        meetings=list(mechanism.meetings.all()),
        action_items=list(mechanism.action_items.select_related("owner", "owner_stakeholder")),
        documents=list(documents.exclude(kind=c.DocumentKind.SOP)),
        sop_documents=list(documents.filter(kind=c.DocumentKind.SOP).order_by("title", "-created_at")),
    )


def action_items_of(parent: Meeting | MainstreamingProcess) -> list[ActionItem]:
    return list(parent.action_items.select_related("owner", "owner_stakeholder"))


@dataclass(frozen=True)
class PlanRecords:
    activities: list[CapacityActivity]
    indicators: list[ProgressIndicator]
    trainings: list[Training]


def plan_records(plan: CapacityPlan) -> PlanRecords:
    """What a capacity-development plan's page lists under it."""
    return PlanRecords(
        activities=list(plan.activities.all()),
        indicators=list(plan.indicators.all()),
        trainings=list(plan.trainings.prefetch_related("institutions")),
    )


def framework_parties(framework: CooperationFramework) -> list[Stakeholder]:
    return list(framework.parties.all())


def exchange_rules(framework: CooperationFramework) -> dict[tuple[int, str], DataExchangeRule]:
    """The framework's information-exchange rules by (party, data category)."""
    return {(r.party_id, r.category): r for r in DataExchangeRule.objects.filter(framework=framework)}


def opportunities_of(process: MainstreamingProcess) -> list[SectorOpportunity]:
    return list(process.opportunities.all())
