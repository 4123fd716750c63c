"""One record of each kind holding personal data, built through the services with a recognisable marker in
every personal field, and a raw dump of every table: the proof that nothing personal is stored in clear
(tests/security/test_encryption_at_rest*.py). See docs/data-protection.md for the field-by-field decisions.
"""

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.apps import apps
from django.db import connection
from django.utils import timezone

from reintegra.access import two_factor
from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.cases.models import Case, Returnee
from reintegra.protection import services as protection_services
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Service, ServiceProvider
from reintegra.sustainability import services as sustainability_services
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions


def marker(label: str) -> str:
    """A value no other data contains: 'Zqjm' + the field's name, letters only (survives normalisation)."""
    return "Zqjm" + "".join(ch for ch in label.split(".", 1)[1] if ch.isalnum())


# Free text about a person, justification texts, consent notes... (docs/data-protection.md).
ENCRYPTED = [
    "protection.Consent.recipient_description",
    "protection.Consent.guardian_name",
    "protection.Consent.withdrawal_note",
    "access.AccessEvent.purpose",  # the life-at-risk justification
    "cases.Returnee.given_names",
    "cases.Returnee.first_family_name",
    "cases.Returnee.second_family_name",
    "cases.Returnee.phone",
    "cases.Returnee.address",
    "cases.Returnee.locality",
    "cases.Returnee.birth_date",
    "cases.Returnee.gender_identity",
    "cases.Returnee.languages",
    "cases.Household.notes",
    "cases.HouseholdMember.given_names",
    "cases.HouseholdMember.family_names",
    "cases.HouseholdMember.birth_date",
    "cases.Case.reception_place",
    "cases.Case.causes_note",
    "cases.Case.closure_note",
    "cases.Assessment.needs_vulnerabilities",
    "cases.Assessment.capacities_skills",
    "cases.Assessment.risk_factors",
    "cases.Assessment.protective_factors",
    "cases.Assessment.family_situation",
    "cases.Assessment.economic_needs",
    "cases.Assessment.social_needs",
    "cases.Assessment.psychosocial_needs",
    "cases.Assessment.protection_concerns",
    "cases.Assessment.health_notes",
    "cases.Assessment.mental_health_notes",
    "cases.Assessment.gbv_notes",
    "cases.CounsellingSession.topics",
    "cases.CounsellingSession.notes",
    "cases.ReintegrationPlan.goals",
    "cases.ReintegrationPlan.motivations",
    "cases.ReintegrationPlan.agreed_late_reason",
    "cases.PlanItem.description",
    "cases.FollowUpVisit.notes",
    "cases.FollowUpVisit.significant_changes",
    "cases.PlanItemProgress.note",
    "cases.CaseEvent.note",  # the reason a case was reopened
    "protection.CaseShare.reason",
    "cases.IdentityDocument.number",
    "referrals.Referral.reason",
    "referrals.Referral.provider_note",
    "referrals.Referral.feedback",
    "sustainability.SurveyRound.answers",  # a free-text answer
    "handover.HandOver.payload",  # the package's data: the person's names among them
    "handover.HandOver.reason",
    "handover.HandOver.decline_reason",
    "community.ParticipatorySession.tensions",  # community: tensions reported at a session may name people
    "community.ProjectVisit.findings",  # community: what a project visit found may name people
    "community.PerceptionResponse.answers",  # community: a free-text answer to the perception survey
    # public: feedback and questions from abroad (what a person said, how to reach them, the answers)
    "public.Feedback.text",
    "public.Feedback.contact",
    "public.Feedback.response",
    "public.FeedbackEvent.note",
    "public.InformationRequest.question",
    "public.InformationRequest.contact",
    "public.InformationRequest.answer",
    "public.SatisfactionSurvey.comment",
    # tracing
    "children.TracingRequest.given_names",
    "children.TracingRequest.family_names",
    "children.TracingRequest.last_known_location",
    "children.TracingRequest.notes",
    "children.TracingAction.carried_out_by",
    "children.TracingAction.result_notes",
    "children.FamilyMemberFound.given_names",
    "children.FamilyMemberFound.family_names",
    "children.FamilyMemberFound.contact",
    "children.FamilyMemberFound.notes",
    "children.ReunificationAssessment.safety_notes",
    "children.ReunificationAssessment.child_views",
    "children.ReunificationAssessment.authority_notes",
    "children.ReunificationAssessment.reasons",
    "children.ReunificationFollowUp.notes",
    # end tracing
    # core: the child's case (issue 13)
    *(
        f"children.ChildProfile.{name}"
        for name in (
            "caregivers",
            "guardian_name",
            "guardian_relationship",
            "guardian_contact",
            "authority_officer",
            "authority_reference",
            "school_notes",
            "health_status",
            "languages",
        )
    ),
    *(
        f"children.BestInterestsAssessment.{name}"
        for name in (
            "child_views",
            "participation_note",
            "family_situation",
            "risk_indicators",
            "safety_risks",
            "health",
            "education",
            "psychosocial",
            "family_needs",
            "local_context",
            "cross_border",
            "recommendation_reasons",
            "approval_note",
        )
    ),
    "children.BestInterestsDetermination.reasons",
    "children.PanelMember.name",
    "children.PanelMember.conflict_note",
    "children.ChildParticipation.views",
    # end core
    # child plan
    "children.ChildPlanItem.community_actor_name",
    "children.ChildFollowUp.vulnerabilities",
    "children.ChildFollowUp.vulnerability_note",
    *(
        f"children.ChildClosureChecklist.{name}"
        for name in (
            "safe_care_note",
            "school_note",
            "health_note",
            "psychosocial_note",
            "family_economy_note",
            "child_view_note",
            "good_practice",
        )
    ),
]

# employment: the work history (work abroad) and certifications of a jobseeker, and the notes.
ENCRYPTED += [
    "employment.JobseekerProfile.experience",
    "employment.JobseekerProfile.certifications",
    "employment.JobseekerProfile.notes",
]

# access: the filters of a background export (a search may be a person's name).
ENCRYPTED += ["access.ExportJob.params"]

# Encrypted JSON lists: the marker is one of their values (a caregiver's name, an indicator's code).
CONTAINED = {
    "access.ExportJob.params",
    "employment.JobseekerProfile.experience",
    "employment.JobseekerProfile.certifications",
    "children.ChildProfile.caregivers",
    "children.BestInterestsAssessment.risk_indicators",
    "handover.HandOver.payload",
    "community.PerceptionResponse.answers",
}

# Values that must have a given shape (a valid phone number, a date) instead of a marker.
NOT_MARKERS = {
    # The hand-over's package carries the person's given names (the returnee profile category).
    "handover.HandOver.payload": marker("cases.Returnee.given_names"),
    "cases.Returnee.phone": "+526647132209",  # E.164, as the service stores it
    "cases.Returnee.birth_date": "1986-11-23",
    "cases.HouseholdMember.birth_date": "2014-07-29",
    "children.ChildFollowUp.vulnerabilities": "remigration",  # codes of a list (read back as text)
}

NOTES_INSTRUMENT = {
    "code": "notas",
    "version": 1,
    "labels": {"es": "Notas", "en": "Notes", "fr": "Notes"},
    "questions": [
        {
            "code": "ok",
            "dimension": "economic",
            "indicator": "overall",
            "type": "single",
            "options": [
                {"code": "yes", "score": 1.0, "labels": {"es": "Sí", "en": "Yes", "fr": "Oui"}},
                {"code": "no", "score": 0.0, "labels": {"es": "No", "en": "No", "fr": "Non"}},
            ],
            "labels": {"es": "¿Bien?", "en": "Fine?", "fr": "Bien ?"},
        },
        {
            "code": "comment",
            "dimension": "psychosocial",
            "type": "text",
            "labels": {"es": "Comentario", "en": "Comment", "fr": "Commentaire"},
        },
    ],
}


def m(label: str) -> str:
    return marker(label)


def holds_expected(label: str, values: list[Any]) -> bool:
    """Whether the values read back through the ORM hold the label's marker (a survey comment, an element of an
    encrypted JSON list, or the value itself)."""
    if label == "sustainability.SurveyRound.answers":
        return any(v.get("comment") == expected(label) for v in values)
    if label in CONTAINED:
        return any(expected(label) in str(value) for value in values)
    return expected(label) in [str(value) for value in values]


def expected(label: str) -> str:
    if label in NOT_MARKERS:
        return NOT_MARKERS[label]
    # Document numbers are at most 20 characters long.
    return m(label)[:20] if label == "cases.IdentityDocument.number" else m(label)


def _returnee_and_case(manager: User) -> tuple[Returnee, Case]:
    returnee = factories.returnee(
        manager,
        given_names=expected("cases.Returnee.given_names"),
        first_family_name=expected("cases.Returnee.first_family_name"),
        second_family_name=expected("cases.Returnee.second_family_name"),
        phone=expected("cases.Returnee.phone"),
        address=expected("cases.Returnee.address"),
        locality=expected("cases.Returnee.locality"),
        birth_date=date.fromisoformat(expected("cases.Returnee.birth_date")),
        gender_identity=m("cases.Returnee.gender_identity"),
        languages=m("cases.Returnee.languages"),
        documents=[
            case_services.DocumentInput(
                document_type="passport", number=expected("cases.IdentityDocument.number"), issuing_country="MX"
            )
        ],
    )
    case = factories.case(
        manager,
        returnee,
        return_date=timezone.localdate() - timedelta(days=60),
        reception_place=m("cases.Case.reception_place"),
        causes_of_migration=["violence", "other"],
        causes_note=m("cases.Case.causes_note"),
    )
    return returnee, case


def _case_records(manager: User, case: Case) -> None:
    today = timezone.localdate()
    case_services.record_assessment(
        manager,
        case,
        {"assessed_on": today}
        | {
            name: m(f"cases.Assessment.{name}")
            for name in (
                "needs_vulnerabilities",
                "capacities_skills",
                "risk_factors",
                "protective_factors",
                "family_situation",
                "economic_needs",
                "social_needs",
                "psychosocial_needs",
                "protection_concerns",
                "health_notes",
                "mental_health_notes",
                "gbv_notes",
            )
        },
    )
    case_services.record_counselling_session(
        manager,
        case,
        {
            "held_on": today,
            "topics": m("cases.CounsellingSession.topics"),
            "notes": m("cases.CounsellingSession.notes"),
        },
    )
    case_services.set_household(
        manager,
        case,
        [
            case_services.MemberInput(
                given_names=expected("cases.HouseholdMember.given_names"),
                family_names=expected("cases.HouseholdMember.family_names"),
                relationship="child",
                birth_date=date.fromisoformat(expected("cases.HouseholdMember.birth_date")),
            )
        ],
        notes=m("cases.Household.notes"),
    )
    case_services.save_plan(
        manager,
        case,
        goals=m("cases.ReintegrationPlan.goals"),
        motivations=m("cases.ReintegrationPlan.motivations"),
        items=[
            case_services.PlanItemInput(
                dimension="economic",
                approach="Desarrollo de negocios",
                assistance_form="in_kind",
                description=m("cases.PlanItem.description"),
            )
        ],
    )
    case_services.agree_plan(
        manager, case, agreed_on=today, late_reason=m("cases.ReintegrationPlan.agreed_late_reason")
    )
    item = case.plan.items.get()
    case_services.record_follow_up(
        manager,
        case,
        {
            "visited_on": today,
            "notes": m("cases.FollowUpVisit.notes"),
            "significant_changes": m("cases.FollowUpVisit.significant_changes"),
        },
        [case_services.ProgressInput(item_id=item.pk, status="in_progress", note=m("cases.PlanItemProgress.note"))],
    )


def _consent_and_sharing(
    manager: User, psychologist: User, returnee: Returnee, case: Case, other_org: Organisation
) -> None:
    # A consent for assistance: the recipient's description is a note (a sharing consent names a recipient).
    consent = protection_services.record_consent(
        manager,
        returnee,
        ConsentPurpose.ASSISTANCE,
        ConsentMethod.VERBAL,
        timezone.localdate(),
        recipient_description=m("protection.Consent.recipient_description"),
        given_by_returnee=False,
        guardian_name=m("protection.Consent.guardian_name"),
    )
    protection_services.withdraw_consent(manager, consent, note=m("protection.Consent.withdrawal_note"))
    protection_services.share_case(
        psychologist,
        case,
        other_org,
        m("protection.CaseShare.reason"),
        life_at_risk_justification=m("access.AccessEvent.purpose"),
    )


def _referral(manager: User, programme_manager: User, case: Case) -> None:
    provider_org = factories.organisation("prov-zq", "MX")
    provider_user = factories.user(provider_org, Role.SERVICE_PROVIDER)
    provider = ServiceProvider.objects.create(
        name="Centro Zq", organisation_type="ngo", country="MX", organisation=provider_org, owner=provider_org
    )
    service = Service.objects.create(
        provider=provider, code="centro-zq", name="Empleo", dimension="economic", sector="employment", country="MX"
    )
    referral_services.save_pathway(
        programme_manager,
        referral_services.PathwayInput(
            provider=provider, title="POE", approved_on=timezone.localdate(), transferred_fields=["case_number"]
        ),
    )
    protection_services.record_consent(
        manager,
        case.returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate(),
        recipient_organisation=provider_org,
    )
    referral = referral_services.create_referral(manager, case, service, reason=m("referrals.Referral.reason"))
    referral = referral_services.send_referral(manager, referral)
    referral_services.decline_referral(
        provider_user, referral, reason="other", note=m("referrals.Referral.provider_note")
    )
    referral.refresh_from_db()
    referral_services.close_referral(manager, referral, satisfaction=3, feedback=m("referrals.Referral.feedback"))


def _survey_round(manager: User, programme_manager: User, case: Case) -> None:
    assert programme_manager.organisation is not None
    programme = programme_manager.organisation.programmes.get()
    sustainability_services.load_instrument(programme_manager, NOTES_INSTRUMENT, programme=programme, publish=True)
    sustainability_services.record_round(
        manager,
        case,
        sustainability_services.RoundInput(
            instrument="notas",
            taken_on=timezone.localdate(),
            answers={"ok": "yes", "comment": m("sustainability.SurveyRound.answers")},
        ),
    )


# tracing
def _tracing(manager: User, case: Case) -> None:
    from reintegra.children import tracing_selectors
    from reintegra.children import tracing_services as tracing

    today = timezone.localdate()
    request = tracing.open_tracing_request(
        manager,
        case,
        tracing.TracingRequestInput(
            relationship="mother",
            given_names=m("children.TracingRequest.given_names"),
            family_names=m("children.TracingRequest.family_names"),
            last_known_location=m("children.TracingRequest.last_known_location"),
            notes=m("children.TracingRequest.notes"),
            opened_on=today,
        ),
    )
    tracing.record_tracing_action(
        manager,
        case,
        tracing.TracingActionInput(
            request=request.pk,
            method="phone",
            taken_on=today,
            carried_out_by=m("children.TracingAction.carried_out_by"),
            result="family_located",
            result_notes=m("children.TracingAction.result_notes"),
        ),
    )
    found = tracing.record_family_member_found(
        manager,
        case,
        tracing.FamilyMemberInput(
            request=request.pk,
            relationship="mother",
            given_names=m("children.FamilyMemberFound.given_names"),
            family_names=m("children.FamilyMemberFound.family_names"),
            contact=m("children.FamilyMemberFound.contact"),
            notes=m("children.FamilyMemberFound.notes"),
            found_on=today,
        ),
    )
    tracing.save_reunification_assessment(
        manager,
        case,
        tracing.ReunificationInput(
            assessed_on=today,
            family_member=found.pk,
            family_willing="yes",
            family_able="yes",
            home_safe="yes",
            safety_notes=m("children.ReunificationAssessment.safety_notes"),
            child_wish="wants",
            child_views=m("children.ReunificationAssessment.child_views"),
            authority_view="agrees",
            authority_notes=m("children.ReunificationAssessment.authority_notes"),
            recommendation="reunify",
            reasons=m("children.ReunificationAssessment.reasons"),
            reunified_on=today,
        ),
    )
    visit = tracing_selectors.follow_ups_of(case)[0]
    tracing.record_reunification_follow_up(
        manager,
        case,
        visit.pk,
        tracing.FollowUpInput(done_on=today, outlook="stable", notes=m("children.ReunificationFollowUp.notes")),
    )


# end tracing


def _handover(manager: User, case: Case, other_org: Organisation) -> None:
    """A hand-over of the case to the other organisation (another country: a cross-border consent), sent and
    declined there with a reason."""
    from reintegra.handover import services as handover_services
    from reintegra.structural.models import CooperationFramework, DataExchangeRule, Stakeholder

    programme = case.programme
    assert programme is not None
    party = Stakeholder.objects.create(
        programme=programme, name="ONG Zq", category="ngo", level="national", country="GT", interest=3, influence=3
    )
    framework = CooperationFramework.objects.create(
        programme=programme, title="Marco Zq", host_country="MX", origin_country="GT"
    )
    framework.parties.add(party)
    for category in ("returnee_profiles", "origin_situation"):
        DataExchangeRule.objects.create(
            programme=programme, framework=framework, party=party, category=category, may_consult=True
        )
    protection_services.record_consent(
        manager,
        case.returnee,
        ConsentPurpose.CROSS_BORDER,
        ConsentMethod.SIGNED,
        timezone.localdate() - timedelta(days=1),
        recipient_organisation=other_org,
    )
    data = handover_services.HandOverInput(
        framework, party, m("handover.HandOver.reason"), recipient_organisation=other_org
    )
    handover = handover_services.send_handover(manager, handover_services.create_handover(manager, case, data))
    recipient = factories.user(other_org, Role.SUPERVISOR, username="receptora-zq")
    handover_services.decline_handover(recipient, handover, m("handover.HandOver.decline_reason"))


def _closure_and_reopening(manager: User, case: Case) -> None:
    case_services.close_case(
        manager, case, reason="support_ended", note=m("cases.Case.closure_note"), open_matters=suggested_decisions(case)
    )
    case.refresh_from_db()
    case_services.reopen_case(manager, case, reason=m("cases.CaseEvent.note"))


def _child_records(manager: User, org: Organisation) -> None:
    """core: a child's case with its profile, an approved BIA, a determination and a participation."""
    from reintegra.children import services as child_services
    from reintegra.children.models import BestInterestsAssessment

    supervisor = factories.user(org, Role.SUPERVISOR, team=manager.team, username="supervisora-zq")
    today = timezone.localdate()
    child = factories.returnee(manager, given_names="Zqnina", birth_date=today.replace(year=today.year - 14))
    case = factories.case(manager, child)
    profile: dict[str, Any] = {
        name.rsplit(".", 1)[1]: m(name) for name in ENCRYPTED if name.startswith("children.ChildProfile.")
    }
    profile.pop("caregivers")
    child_services.save_profile(
        manager,
        case,
        child_services.ProfileInput(
            care_status="unaccompanied",
            caregivers=[child_services.CaregiverInput(name=m("children.ChildProfile.caregivers"))],
            authority="gt_pgn",
            **profile,
        ),
    )
    texts: dict[str, Any] = {
        name.rsplit(".", 1)[1]: m(name)
        for name in ENCRYPTED
        if name.startswith("children.BestInterestsAssessment.") and name not in CONTAINED
    }
    texts.pop("approval_note")
    bia = child_services.start_assessment(
        manager,
        case,
        child_services.AssessmentInput(
            stage="arrival",
            priority="high",
            started_on=today,
            child_participated=True,
            hearing_method="play",
            recommendation="reunification",
            complete=True,
            **texts,
        ),
    )
    child_services.approve_assessment(supervisor, bia, note=m("children.BestInterestsAssessment.approval_note"))
    # Indicators are codes the service checks; the marker proves the column is encrypted all the same.
    BestInterestsAssessment.objects.filter(pk=bia.pk).update(
        risk_indicators=[m("children.BestInterestsAssessment.risk_indicators")]
    )
    member: dict[str, Any] = {"no_conflict_declared": True, "confidentiality_declared": True}
    child_services.save_determination(
        manager,
        case,
        child_services.DeterminationInput(
            convened_on=today,
            members=[
                child_services.PanelMemberInput(role="case_manager", user_id=manager.pk, **member),
                child_services.PanelMemberInput(role="chair", user_id=supervisor.pk, **member),
                child_services.PanelMemberInput(
                    role="authority",
                    name=m("children.PanelMember.name"),
                    conflict_note=m("children.PanelMember.conflict_note"),
                    **member,
                ),
            ],
            decision="further_tracing",
            reasons=m("children.BestInterestsDetermination.reasons"),
            decided_on=today,
            review_on=today + timedelta(days=90),
        ),
    )
    child_services.record_participation(
        manager,
        case,
        decision="plan",
        method="in_person",
        views=m("children.ChildParticipation.views"),
        recorded_on=today,
    )


def raw_text_of_every_table() -> str:
    """Every value of every table, as stored, lower-cased (search columns are normalised)."""
    qn = connection.ops.quote_name
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {qn(table)}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                chunks.extend(str(value) for value in row if value is not None)
    return "\n".join(chunks).lower()


def stored_value(label: str) -> list[Any]:
    app_label, model_name, field = label.split(".")
    model = apps.get_model(app_label, model_name)
    # Dates as ISO text, the form their NOT_MARKERS values take.
    return [_as_text(getattr(obj, field)) for obj in model.objects.all()]


def _as_text(value: Any) -> Any:
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return ",".join(value)  # a list of codes
    return value.isoformat() if isinstance(value, date) else value


def _child_plan_records(org: Organisation, manager: User) -> None:
    """A child's case with its child plan, a child follow-up and the closure checklist (child plan)."""
    from reintegra.children import plan_services
    from reintegra.children import services as child_services

    today = timezone.localdate()
    child = factories.returnee(manager, given_names="Zqnina", birth_date=today.replace(year=today.year - 15))
    case = factories.case(manager, child)
    case_services.record_assessment(manager, case, {"assessed_on": today})
    case_services.save_plan(
        manager,
        case,
        goals="",
        motivations="",
        items=[case_services.PlanItemInput(dimension="social", approach="Escuela", assistance_form="in_kind")],
    )
    item = case.plan.items.get()
    plan_services.save_child_plan(
        manager,
        case,
        [
            plan_services.ChildPlanItemInput(
                item_id=item.pk,
                timeframe="months",
                duration=6,
                target="community",
                sector="education",
                community_actor="community_committee",
                community_actor_name=m("children.ChildPlanItem.community_actor_name"),
            )
        ],
    )
    bia = child_services.start_assessment(
        manager,
        case,
        child_services.AssessmentInput(
            stage="arrival",
            priority="low",
            started_on=today,
            participation_note="Zq",
            family_situation="Zq",
            safety_risks="Zq",
            recommendation="stay_with_family",
            recommendation_reasons="Zq",
            complete=True,
        ),
    )
    child_services.approve_assessment(factories.user(org, Role.SUPERVISOR, username="supervisora-plan-zq"), bia)
    child_services.record_participation(
        manager, case, decision="plan", method="not_heard", views="Zq", recorded_on=today
    )
    case_services.agree_plan(manager, case, agreed_on=today)
    plan_services.record_child_follow_up(
        manager,
        case,
        {"visited_on": today, "mode": "in_person"},
        plan_services.ChildFollowUpInput(
            monitoring_frequency="monthly",
            vulnerabilities=[expected("children.ChildFollowUp.vulnerabilities")],
            vulnerability_note=m("children.ChildFollowUp.vulnerability_note"),
        ),
    )
    notes = {
        name: m(f"children.ChildClosureChecklist.{name}")
        for name in (
            "safe_care_note",
            "school_note",
            "health_note",
            "psychosocial_note",
            "family_economy_note",
            "child_view_note",
            "good_practice",
        )
    }
    plan_services.save_closure_checklist(
        manager,
        case,
        plan_services.ClosureChecklistInput(
            safe_care="met",
            school="met",
            health="met",
            psychosocial="met",
            family_economy="met",
            child_view="agrees",
            complete=True,
            **notes,
        ),
    )


def _community_session(programme_manager: User) -> None:
    from reintegra.community import perception_services
    from reintegra.community import services as community_services
    from reintegra.places.models import AdminArea

    area = AdminArea.objects.create(country="MX", level=2, code="MX-ZQ-01", name="Zacualpan")
    community = community_services.save_community(
        programme_manager, community_services.CommunityInput(municipality=area.pk)
    )
    community_services.record_session(
        programme_manager,
        community,
        community_services.SessionInput(
            kind="focus_group",
            held_on=timezone.localdate(),
            participants={"returnee:male:adult": 2, "non_migrant:female:adult": 3},
            tensions=m("community.ParticipatorySession.tensions"),
        ),
    )
    # Migration community/0005 ships the survey; a transactional test's flush may have taken it away since.
    shipped = Path(perception_services.__file__).with_name("instruments") / "community_perception.yaml"
    sustainability_services.load_instrument(None, yaml.safe_load(shipped.read_text(encoding="utf-8")), publish=True)
    perception_services.record_response(
        programme_manager,
        community,
        perception_services.PerceptionInput(
            timezone.localdate(),
            {
                "respondent_group": "non_migrant",
                "respondent_sex": "female",
                "respondent_age_band": "older",
                **dict.fromkeys(("stigma_discrimination", "stigma_failure", "safety_feel"), "agree"),
                "needs_comment": m("community.PerceptionResponse.answers"),
            },
        ),
    )
    project = community_services.save_project(
        programme_manager,
        community_services.ProjectInput(
            title="Huerto", approach="new_community", dimensions=["economic"], communities=[community.pk]
        ),
    )
    project = community_services.change_project_status(
        programme_manager, project, community_services.StatusInput("active"), expected_version=project.revision
    )
    community_services.record_visit(
        programme_manager,
        project,
        community_services.VisitInput(timezone.localdate(), findings=m("community.ProjectVisit.findings")),
    )


def _jobseeker(manager: User, case: Case) -> None:
    """employment: a jobseeker profile (consented) whose work abroad, certificate and notes carry markers."""
    from reintegra.employment import isco
    from reintegra.employment import services as employment
    from reintegra.employment.models import Occupation
    from reintegra.places.models import AdminArea
    from reintegra.protection import services as protection

    if not Occupation.objects.exists():  # a transactional test before this one flushed what the migration loaded
        isco.load(Occupation)
    today = timezone.localdate()
    protection.record_consent(manager, case.returnee, "employment", "signed", today, recipient_description="Bolsa")
    state = AdminArea.objects.create(country="MX", level=1, code="MX-ZQJM", name="Zacatecas")
    muni = AdminArea.objects.create(country="MX", level=2, code="MX-ZQJM-01", name="Fresnillo", parent=state)
    employment.save_profile(
        manager,
        case,
        employment.ProfileInput(
            education_level="2",
            travel_reach="admin1",
            availability="immediate",
            municipality_id=muni.pk,
            experience=[
                {
                    "isco": "7112",
                    "years": 3,
                    "abroad": True,
                    "country": "US",
                    "sector": m("employment.JobseekerProfile.experience"),
                }
            ],
            skills=[{"name": "Albañilería", "evidence": "certified"}],
            certifications=[
                {
                    "issuer": "conocer",
                    "standard": m("employment.JobseekerProfile.certifications"),
                    "issued_on": today.isoformat(),
                    "expires_on": "",
                }
            ],
            notes=m("employment.JobseekerProfile.notes"),
        ),
    )


def _public_records(programme_manager: User, manager: User, case: Case) -> None:
    """Feedback with its handling note and response, a question from abroad with its answer, and a case's
    satisfaction survey with the person's comment (public)."""
    from django.core import signing

    from reintegra.public import services as public_services
    from reintegra.public import spam

    assert programme_manager.organisation_id is not None
    programme = Programme.objects.filter(organisation_id=programme_manager.organisation_id).order_by("pk").first()
    assert programme is not None
    public_services.save_settings(
        programme_manager, programme, public_services.SettingsInput(True, "Apoyo", "Retornados", 3, 1, 30, 6)
    )
    item = public_services.record_feedback(
        programme_manager,
        public_services.FeedbackInput(
            programme.pk, "complaint", "phone", m("public.Feedback.text"), contact=m("public.Feedback.contact")
        ),
    )
    public_services.acknowledge_feedback(programme_manager, item, note=m("public.FeedbackEvent.note"))
    public_services.respond_feedback(programme_manager, item, response=m("public.Feedback.response"))
    challenge = spam.new_challenge()
    answer = str(signing.loads(challenge.token, salt=spam.SALT)["s"])
    request = public_services.submit_information_request(
        spam.Submission("192.0.2.50", challenge.token, answer),
        public_services.InformationRequestInput(
            programme.pk,
            "migrant",
            m("public.InformationRequest.question"),
            contact=m("public.InformationRequest.contact"),
        ),
    )
    public_services.answer_request(programme_manager, request, answer=m("public.InformationRequest.answer"))
    public_services.record_satisfaction_survey(
        manager,
        case,
        public_services.SatisfactionInput(
            timezone.localdate(), "yes", "yes", "partly", "yes", comment=m("public.SatisfactionSurvey.comment")
        ),
    )


def _export_job(manager: User) -> None:
    from reintegra.access.models import ExportJob

    ExportJob.objects.create(
        requested_by=manager, kind="cases", params={"search": m("access.ExportJob.params")}, fmt="csv", language="es"
    )


def build_everything() -> dict[str, Any]:
    """Every kind of record, with markers; returns the case and the TOTP device being set up."""
    org = factories.organisation("oim-zq", "MX")
    other_org = factories.organisation("ong-zq", "GT")
    team = factories.team(org, "Equipo Zq")
    manager = factories.user(org, Role.CASE_MANAGER, team=team, username="gestora-zq")
    psychologist = factories.user(
        org, Role.CASE_MANAGER, team=team, username="psicologa-zq", is_mental_health_professional=True
    )
    programme_manager = factories.user(org, Role.PROGRAMME_MANAGER, username="gerente-zq")
    returnee, case = _returnee_and_case(manager)
    _case_records(manager, case)
    _consent_and_sharing(manager, psychologist, returnee, case, other_org)
    _referral(manager, programme_manager, case)
    _survey_round(manager, programme_manager, case)
    _tracing(manager, case)  # tracing
    _child_records(manager, org)  # core
    _jobseeker(manager, case)  # employment
    _closure_and_reopening(manager, case)
    _child_plan_records(org, manager)  # child plan
    _handover(manager, case, other_org)
    _community_session(programme_manager)  # community
    _public_records(programme_manager, manager, case)  # public
    _export_job(manager)
    device = two_factor.start_enrolment(manager)
    return {"case": case, "device": device}
