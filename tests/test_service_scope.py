"""The write services of the apps above the platform check the object's scope themselves, whoever calls them.

Each row calls one service directly (no page or API in front of it) with a record outside the user's reach:
another organisation's, or a case shared with the user's organisation (seen there, changed only by the
organisation that holds it). The service must answer PermissionDenied and change nothing. The services of
`cases` have their own table, with every relation and a successful control call
(src/reintegra/cases/tests/test_service_permissions.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reintegra.access import services as access_services
from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.protection import services as protection_services
from reintegra.protection.models import CaseShare, Consent
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Referral, Service, ServiceProvider
from reintegra.regional import services as regional_services
from reintegra.regional.models import RegionalAction
from reintegra.reminders import services as reminder_services
from reintegra.reminders.models import Reminder
from reintegra.structural import choices as structural_choices
from reintegra.structural import services as structural_services
from reintegra.structural.models import Stakeholder, WriteGrant
from reintegra.sustainability import services as sustainability_services
from reintegra.sustainability.models import FeasibilityApproach, SurveyRound
from reintegra.testing import factories
from reintegra.testing.survey import economic_answers

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    third_org: Organisation
    case_manager: User
    manager: User  # the holding organisation's programme manager
    other_supervisor: User  # the receiving organisation: sees the shared case
    other_manager: User
    third_supervisor: User
    case: Case
    share: CaseShare


@pytest.fixture
def world(org, other_org, case_manager, other_supervisor) -> World:
    third_org = factories.organisation("tercera", country="HN")
    manager = factories.user(org, Role.PROGRAMME_MANAGER, username="jefa")
    case = factories.case(case_manager)
    for recipient in (other_org, third_org):
        protection_services.record_consent(
            case_manager,
            case.returnee,
            "cross_border" if protection_services.is_cross_border(case.organisation, recipient) else "referral",
            "signed",
            TODAY() - timedelta(days=5),
            recipient_organisation=recipient,
        )
    share = protection_services.share_case(case_manager, case, other_org, "Seguimiento")
    return World(
        org=org,
        other_org=other_org,
        third_org=third_org,
        case_manager=case_manager,
        manager=manager,
        other_supervisor=other_supervisor,
        other_manager=factories.user(other_org, Role.PROGRAMME_MANAGER, username="jefe-gt"),
        third_supervisor=factories.user(third_org, Role.SUPERVISOR, username="supervisora-hn"),
        case=case,
        share=share,
    )


Call = Callable[[], Any]
Snapshot = Callable[[], Any]


def share_onward(w: World) -> tuple[Call, Snapshot]:
    return (
        lambda: protection_services.share_case(w.other_supervisor, w.case, w.third_org, "Reenvío"),
        lambda: CaseShare.objects.count(),
    )


def revoke_share(w: World) -> tuple[Call, Snapshot]:
    return (
        lambda: protection_services.revoke_share(w.third_supervisor, w.share),
        lambda: CaseShare.objects.values_list("revoked_at", flat=True).get(pk=w.share.pk),
    )


def record_consent(w: World) -> tuple[Call, Snapshot]:
    return (
        lambda: protection_services.record_consent(
            w.third_supervisor, w.case.returnee, "referral", "signed", TODAY(), recipient_organisation=w.third_org
        ),
        lambda: Consent.objects.count(),
    )


def withdraw_consent(w: World) -> tuple[Call, Snapshot]:
    consent = Consent.objects.filter(returnee=w.case.returnee).first()
    assert consent is not None
    return (
        lambda: protection_services.withdraw_consent(w.third_supervisor, consent),
        lambda: Consent.objects.values_list("withdrawn_on", flat=True).get(pk=consent.pk),
    )


def record_round(w: World) -> tuple[Call, Snapshot]:
    data = sustainability_services.RoundInput("rss", TODAY(), economic_answers())
    return (
        lambda: sustainability_services.record_round(w.other_supervisor, w.case, data),
        lambda: SurveyRound.objects.count(),
    )


def save_approach(w: World) -> tuple[Call, Snapshot]:
    programme = Programme.objects.get(organisation=w.org)
    values = {"dimension": "economic", "approach": "Crédito"}
    return (
        lambda: sustainability_services.save_approach(w.other_manager, programme, values),
        lambda: FeasibilityApproach.objects.filter(programme=programme).count(),
    )


def _provider(owner: Organisation) -> Service:
    provider = ServiceProvider.objects.create(name="Centro", organisation_type="ngo", country="MX", owner=owner)
    return Service.objects.create(
        provider=provider, code="centro-empleo", name="Empleo", dimension="economic", sector="employment", country="MX"
    )


def create_referral(w: World) -> tuple[Call, Snapshot]:
    service = _provider(w.other_org)
    return (
        lambda: referral_services.create_referral(w.other_supervisor, w.case, service, reason="Empleo"),
        lambda: Referral.objects.count(),
    )


def save_provider(w: World) -> tuple[Call, Snapshot]:
    provider = _provider(w.org).provider
    changed = referral_services.ProviderInput.of(provider)
    changed.name = "Centro tomado"
    return (
        lambda: referral_services.save_provider(w.other_manager, changed, provider),
        lambda: ServiceProvider.objects.values_list("revision", "name").get(pk=provider.pk),
    )


def save_structural_record(w: World) -> tuple[Call, Snapshot]:
    programme = Programme.objects.get(organisation=w.org)
    stakeholder = structural_services.save_record(
        w.manager,
        Stakeholder(
            programme=programme,
            name="Ministerio",
            category=structural_choices.StakeholderCategory.NATIONAL_AUTHORITY,
            level=structural_choices.GeographicLevel.NATIONAL,
            country="MX",
            interest=5,
            influence=4,
        ),
        {},
    )
    stakeholder.name = "Ministerio tomado"
    return (
        lambda: structural_services.save_record(w.other_manager, stakeholder, {}),
        lambda: Stakeholder.objects.values_list("revision", "name").get(pk=stakeholder.pk),
    )


def revoke_grant(w: World) -> tuple[Call, Snapshot]:
    grant = structural_services.grant_write(w.manager, w.other_org, structural_choices.GrantScope.REGIONAL)
    return (
        lambda: structural_services.revoke_grant(w.other_manager, grant),
        lambda: WriteGrant.objects.values_list("revoked_at", flat=True).get(pk=grant.pk),
    )


def update_action(w: World) -> tuple[Call, Snapshot]:
    data = regional_services.ActionInput(
        country="MX", title="Intermediación", levels=["structural"], dimensions=["social"]
    )
    action = regional_services.create_action(w.manager, data)
    data.title = "Intermediación tomada"
    return (
        lambda: regional_services.update_action(w.other_manager, action, data),
        lambda: RegionalAction.objects.values_list("revision", "title").get(pk=action.pk),
    )


def update_programme(w: World) -> tuple[Call, Snapshot]:
    programme = Programme.objects.get(organisation=w.org)
    return (
        lambda: access_services.update_programme(w.other_manager, programme, {"stakeholder_high_threshold": 3}),
        lambda: Programme.objects.values_list("revision", "stakeholder_high_threshold").get(pk=programme.pk),
    )


def mark_read(w: World) -> tuple[Call, Snapshot]:
    reminder = Reminder.objects.create(recipient=w.case_manager, kind="test", key="k", message="m")
    return (
        lambda: reminder_services.mark_read(w.other_supervisor, reminder),
        lambda: Reminder.objects.values_list("read_at", flat=True).get(pk=reminder.pk),
    )


def _reception(w: World) -> tuple[Any, Any]:
    from reintegra.reception import services as reception_services

    point = reception_services.save_point(
        w.manager,
        reception_services.PointInput(code="tijuana", name="Módulo Tijuana", country="MX", kind="land_border"),
    )
    arrival = reception_services.create_arrival(
        w.case_manager,
        reception_services.ArrivalInput(
            point_id=point.pk, arrived_at=timezone.now() - timedelta(hours=1), means="on_foot", return_type="forced"
        ),
    )
    return point, arrival


def _person() -> Any:
    from reintegra.reception import services as reception_services

    return reception_services.IntakeInput(
        given_names="Luis", family_names="Gómez", birth_date=TODAY() - timedelta(days=30 * 365), nationality="MX"
    )


def record_intake(w: World) -> tuple[Call, Snapshot]:
    from reintegra.reception import services as reception_services
    from reintegra.reception.models import Intake

    _point, arrival = _reception(w)
    return (
        lambda: reception_services.record_intake(w.other_supervisor, arrival, _person()),
        lambda: Intake.objects.count(),
    )


def set_assistance(w: World) -> tuple[Call, Snapshot]:
    from reintegra.reception import services as reception_services
    from reintegra.reception.models import AssistanceGiven

    _point, arrival = _reception(w)
    intake = reception_services.record_intake(w.case_manager, arrival, _person())
    return (
        lambda: reception_services.set_assistance(w.other_supervisor, intake, ["food"]),
        lambda: AssistanceGiven.objects.count(),
    )


def save_point(w: World) -> tuple[Call, Snapshot]:
    from reintegra.reception import services as reception_services
    from reintegra.reception.models import ReceptionPoint

    point, _arrival = _reception(w)
    data = reception_services.PointInput(code="otro", name="Otro", country="GT", kind="airport")
    return (
        lambda: reception_services.save_point(w.other_manager, data, point),
        lambda: ReceptionPoint.objects.values_list("code", "name").get(pk=point.pk),
    )


def _manifest_review(w: World) -> Any:
    from reintegra.reception.manifest_models import ManifestImport, ManifestMapping, ManifestReview
    from reintegra.reception.models import Arrival, Intake, ReceptionPoint

    point = ReceptionPoint.objects.create(organisation=w.org, code="tij", name="Tijuana", country="MX", kind="airport")
    mapping = ManifestMapping.objects.create(organisation=w.org, name="INM", return_type="forced")
    record = ManifestImport.objects.create(organisation=w.org, point=point, mapping=mapping, file_name="lista.csv")
    arrival = Arrival.objects.create(
        organisation=w.org, point=point, arrived_at=timezone.now(), means="bus", return_type="forced"
    )
    intake = Intake.objects.create(arrival=arrival, returnee=w.case.returnee)
    return ManifestReview.objects.create(manifest_import=record, intake=intake, row=2, candidates=[])


def decide_manifest_review(w: World) -> tuple[Call, Snapshot]:
    from reintegra.reception import manifest_services
    from reintegra.reception.manifest_models import ManifestReview

    review = _manifest_review(w)
    return (
        lambda: manifest_services.decide_review(w.other_manager, review, decision="distinct"),
        lambda: ManifestReview.objects.values_list("decision", "decided_by").get(pk=review.pk),
    )


def save_manifest_mapping(w: World) -> tuple[Call, Snapshot]:
    from reintegra.reception import manifest_services
    from reintegra.reception.manifest_models import ManifestMapping

    mapping = ManifestMapping.objects.create(organisation=w.org, name="INM", return_type="forced")
    data = manifest_services.MappingInput(
        name="Otra", columns={"given_names": "A", "family_names": "B"}, return_type="forced"
    )
    return (
        lambda: manifest_services.save_mapping(w.other_manager, data, mapping),
        lambda: ManifestMapping.objects.values_list("name", "columns").get(pk=mapping.pk),
    )


def _community(w: World) -> Any:
    from reintegra.community import services as community_services
    from reintegra.places.models import AdminArea

    area = AdminArea.objects.create(country="MX", level=2, code="MX-BC-ENS", name="Ensenada")
    return community_services.save_community(w.manager, community_services.CommunityInput(municipality=area.pk))


def save_community(w: World) -> tuple[Call, Snapshot]:
    from reintegra.community import services as community_services
    from reintegra.community.models import Community

    community = _community(w)
    data = community_services.CommunityInput(municipality=community.municipality_id, locality="Otra")
    return (
        lambda: community_services.save_community(w.other_manager, data, community),
        lambda: Community.objects.values_list("locality", "population").get(pk=community.pk),
    )


def save_checklist(w: World) -> tuple[Call, Snapshot]:
    from reintegra.community import services as community_services
    from reintegra.community.models import SiteScore

    community = _community(w)
    rows = [community_services.SiteScoreInput("many_returns", 3, "Otra evidencia")]
    return (
        lambda: community_services.save_checklist(w.other_manager, community, rows),
        lambda: list(SiteScore.objects.filter(community=community).values_list("criterion", "score")),
    )


def record_session(w: World) -> tuple[Call, Snapshot]:
    from reintegra.community import services as community_services
    from reintegra.community.models import ParticipatorySession

    community = _community(w)
    data = community_services.SessionInput(
        kind="focus_group",
        held_on=TODAY(),
        participants={"returnee:male:adult": 2, "non_migrant:female:adult": 3},
    )
    return (
        lambda: community_services.record_session(w.other_manager, community, data),
        lambda: ParticipatorySession.objects.filter(community=community).count(),
    )


def _project(w: World, by: User, code: str) -> Any:
    from reintegra.community import services as community_services
    from reintegra.places.models import AdminArea

    area = AdminArea.objects.create(country=str(by.organisation.country), level=2, code=code, name=f"Municipio {code}")
    community = community_services.save_community(by, community_services.CommunityInput(municipality=area.pk))
    data = community_services.ProjectInput(
        title="Huerto", approach="new_community", dimensions=["economic"], communities=[community.pk]
    )
    return community_services.save_project(by, data)


def save_project(w: World) -> tuple[Call, Snapshot]:
    from reintegra.community import services as community_services
    from reintegra.community.models import CommunityProject

    project = _project(w, w.manager, "MX-P1")
    data = community_services.ProjectInput(title="Otro", approach="new_community", dimensions=["social"])
    return (
        lambda: community_services.save_project(w.other_manager, data, project),
        lambda: CommunityProject.objects.values_list("title", "revision").get(pk=project.pk),
    )


def add_residents(w: World) -> tuple[Call, Snapshot]:
    from reintegra.community import services as community_services

    project = _project(w, w.manager, "MX-P2")
    return (
        lambda: community_services.add_residents(w.other_manager, project, community_services.ResidentsInput(5)),
        lambda: project.participants.count(),
    )


def add_returnee(w: World) -> tuple[Call, Snapshot]:
    from reintegra.community import services as community_services

    project = _project(w, w.other_manager, "GT-P3")
    data = community_services.ReturneeInput(w.case.pk)
    return (
        lambda: community_services.add_returnee(w.other_supervisor, project, data),
        lambda: project.participants.count(),
    )


def save_profile(w: World) -> tuple[Call, Snapshot]:
    from reintegra.community import services as community_services
    from reintegra.community.models import CommunityProfile

    community = _community(w)
    section = community_services.SectionInput(2, "Evidencia")
    codes = ("needs", "resources", "impact_of_returns", "drivers", "barriers", "resilience")
    data = community_services.ProfileInput(TODAY(), {code: section for code in codes})
    return (
        lambda: community_services.save_profile(w.other_manager, community, data),
        lambda: CommunityProfile.objects.filter(community=community).count(),
    )


def _employment(w: World) -> Any:
    """A consenting jobseeker on the shared case, and a vacancy of the holding organisation's programme."""
    from reintegra.employment import services as employment_services
    from reintegra.places.models import AdminArea

    protection_services.record_consent(
        w.case_manager, w.case.returnee, "employment", "signed", TODAY(), recipient_description="Bolsa de empleo"
    )
    state = AdminArea.objects.create(country="MX", level=1, code="MX-BC-E", name="Baja California")
    muni = AdminArea.objects.create(country="MX", level=2, code="MX-BC-E-TIJ", name="Tijuana", parent=state)
    programme = Programme.objects.filter(organisation=w.org).first()
    employer = Stakeholder.objects.create(
        programme=programme,
        name="Maquila",
        category="private_sector",
        level="local",
        country="MX",
        interest=3,
        influence=3,
    )
    profile = employment_services.save_profile(
        w.case_manager,
        w.case,
        employment_services.ProfileInput(
            education_level="2", travel_reach="admin1", availability="immediate", municipality_id=muni.pk
        ),
    )
    data = employment_services.VacancyInput(
        programme_id=programme.pk,
        employer_id=employer.pk,
        title="Costurera",
        occupation="8153",
        municipality_id=muni.pk,
        contract_type="permanent",
        positions=1,
        closing_date=TODAY() + timedelta(days=9),
    )
    vacancy = employment_services.save_vacancy(w.manager, data)
    return employment_services, profile, vacancy, data, muni


def save_jobseeker_profile(w: World) -> tuple[Call, Snapshot]:
    services, profile, _vacancy, _data, muni = _employment(w)
    data = services.ProfileInput(
        education_level="6", travel_reach="country", availability="later", municipality_id=muni.pk
    )
    return (
        lambda: services.save_profile(w.other_supervisor, w.case, data),
        lambda: type(profile).objects.values_list("education_level", "revision").get(pk=profile.pk),
    )


def save_vacancy(w: World) -> tuple[Call, Snapshot]:
    services, _profile, vacancy, data, _muni = _employment(w)
    return (
        lambda: services.save_vacancy(w.other_manager, data),
        lambda: type(vacancy).objects.count(),
    )


def shortlist(w: World) -> tuple[Call, Snapshot]:
    from reintegra.employment.models import Placement

    services, profile, vacancy, _data, _muni = _employment(w)
    return (
        lambda: services.shortlist(w.other_supervisor, vacancy, profile),
        lambda: Placement.objects.count(),
    )


def advance_placement(w: World) -> tuple[Call, Snapshot]:
    from reintegra.employment.models import Placement

    services, profile, vacancy, _data, _muni = _employment(w)
    placement = services.shortlist(w.case_manager, vacancy, profile)
    return (
        lambda: services.advance_placement(w.other_supervisor, placement, step="interview"),
        lambda: Placement.objects.values_list("status", "revision").get(pk=placement.pk),
    )


def refer_candidate(w: World) -> tuple[Call, Snapshot]:
    from reintegra.employment.models import Placement

    services, profile, vacancy, _data, _muni = _employment(w)
    placement = services.shortlist(w.case_manager, vacancy, profile)
    return (
        lambda: services.refer_candidate(w.other_supervisor, placement, service=None),
        lambda: (
            Referral.objects.count(),
            Placement.objects.values_list("referral_id", "revision").get(pk=placement.pk),
        ),
    )


def _public_feedback(w: World, kind: str = "complaint") -> Any:
    from reintegra.public import services as public_services

    programme = Programme.objects.filter(organisation=w.org).first()
    assert programme is not None
    data = public_services.FeedbackInput(
        programme=programme.pk, kind=kind, concern="fraud" if kind == "sensitive" else "", channel="phone", text="Queja"
    )
    return public_services.record_feedback(w.case_manager, data)


def respond_feedback(w: World) -> tuple[Call, Snapshot]:
    from reintegra.public import services as public_services
    from reintegra.public.models import Feedback

    item = _public_feedback(w)
    return (
        lambda: public_services.respond_feedback(w.other_manager, item, response="Otra respuesta"),
        lambda: Feedback.objects.values_list("status", "responded_at").get(pk=item.pk),
    )


def acknowledge_sensitive_feedback(w: World) -> tuple[Call, Snapshot]:
    """A supervisor of the same organisation: a sensitive item is the focal point's only."""
    from reintegra.public import services as public_services
    from reintegra.public.models import Feedback

    item = _public_feedback(w, "sensitive")
    supervisor = factories.user(w.org, Role.SUPERVISOR, username="sup-sensible")
    return (
        lambda: public_services.acknowledge_feedback(supervisor, item),
        lambda: Feedback.objects.values_list("status", "acknowledged_at").get(pk=item.pk),
    )


def save_guide(w: World) -> tuple[Call, Snapshot]:
    from reintegra.public import services as public_services
    from reintegra.public.models import Guide

    programme = Programme.objects.filter(organisation=w.org).first()
    assert programme is not None
    data = public_services.GuideInput(programme=programme.pk, country="MX", topic="documents", title="INE", body="…")
    guide = public_services.save_guide(w.manager, None, data)
    return (
        lambda: public_services.save_guide(w.other_manager, guide, data),
        lambda: Guide.objects.values_list("title", "version", "body").get(pk=guide.pk),
    )


ROWS: dict[str, Callable[[World], tuple[Call, Snapshot]]] = {
    "reception.record_intake: another organisation's arrival": record_intake,
    "reception.set_assistance: another organisation's intake": set_assistance,
    "reception.save_point: another organisation's reception point": save_point,
    "reception.decide_review: another organisation's manifest import": decide_manifest_review,
    "reception.save_mapping: another organisation's manifest mapping": save_manifest_mapping,
    "protection.share_case: onward, by the receiving organisation": share_onward,
    "protection.revoke_share: by an organisation on neither side": revoke_share,
    "protection.record_consent: another organisation's person": record_consent,
    "protection.withdraw_consent: another organisation's person": withdraw_consent,
    "sustainability.record_round: a case shared with the user's organisation": record_round,
    "sustainability.save_approach: another organisation's programme": save_approach,
    "referrals.create_referral: a case shared with the user's organisation": create_referral,
    "referrals.save_provider: another organisation's directory entry": save_provider,
    "structural.save_record: another organisation's programme, no write grant": save_structural_record,
    "structural.revoke_grant: another organisation's grant": revoke_grant,
    "regional.update_action: another organisation's action, no write grant": update_action,
    "access.update_programme: another organisation's programme": update_programme,
    "reminders.mark_read: someone else's reminder": mark_read,
    "community.save_community: another organisation's community": save_community,
    "community.save_checklist: another organisation's community": save_checklist,
    "community.record_session: another organisation's community": record_session,
    "community.save_project: another organisation's project": save_project,
    "community.add_residents: another organisation's project": add_residents,
    "community.add_returnee: a case shared with the user's organisation": add_returnee,
    "community.save_profile: another organisation's community": save_profile,
    "employment.save_profile: a case shared with the user's organisation": save_jobseeker_profile,
    "employment.save_vacancy: another organisation's programme": save_vacancy,
    "employment.shortlist: a case shared with the user's organisation": shortlist,
    "employment.advance_placement: a case shared with the user's organisation": advance_placement,
    "employment.refer_candidate: a case shared with the user's organisation": refer_candidate,
    "public.respond_feedback: another organisation's feedback": respond_feedback,
    "public.acknowledge_feedback: a sensitive item, by a supervisor": acknowledge_sensitive_feedback,
    "public.save_guide: another organisation's guide": save_guide,
}


@pytest.mark.parametrize("row", sorted(ROWS))
def test_a_service_refuses_a_record_outside_the_user_s_scope(row, world):
    call, snapshot = ROWS[row](world)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        call()
    assert snapshot() == before
