"""`reintegra demo`'s children's path: oim-gt's child cases in every stage, seen by the demo users."""

from datetime import date

from django.test import Client
from django.urls import reverse

from reintegra.access.models import Programme, User
from reintegra.cases.choices import CaseStatus
from reintegra.cases.models import Case
from reintegra.children.choices import BiaPriority, BiaStatus, CareStatus
from reintegra.children.models import (
    BestInterestsAssessment,
    BestInterestsDetermination,
    ChildParticipation,
    ChildProfile,
    FamilyMemberFound,
    ReunificationAssessment,
    ReunificationFollowUp,
    TracingAction,
    TracingRequest,
)
from reintegra.children.plan_models import ChildClosureChecklist, ChildFollowUp, ChildPlanItem
from reintegra.children.tracing_choices import TracingStatus
from reintegra.demo.levels import DemoContext, children
from reintegra.reminders.models import Reminder


def test_demo_children_content(demo_site: str):
    """The shared demo (the slow part: the demo_site fixture), every check on it."""
    assert "Children: 6 child cases" in demo_site and "1 opened from a parent's case" in demo_site
    # (The unaccompanied child the reception demo records at the desk has a child case too: not one of these.)
    profiles = (
        ChildProfile.objects.filter(case__organisation__code="oim-gt", case__intakes__isnull=True)
        .select_related("case__returnee")
        .distinct()
    )
    assert profiles.count() == 7
    for check in (_stages, _unaccompanied, _reunified, _closed, _family_group, _loads_once, _pages):
        check(profiles)


def _stages(profiles):
    bias = BestInterestsAssessment.objects.filter(case__in=[p.case for p in profiles])
    assert any(not BestInterestsAssessment.objects.filter(case=p.case).exists() for p in profiles)
    assert bias.filter(status=BiaStatus.SUBMITTED).exists()
    overdue = bias.filter(status=BiaStatus.IN_PROGRESS, priority=BiaPriority.HIGH, due_on__lt=date.today())
    assert overdue.count() == 1
    assert Reminder.objects.filter(kind="bia_overdue", recipient__username="gestora").exists()


def _unaccompanied(profiles):
    (profile,) = [p for p in profiles if p.care_status == CareStatus.UNACCOMPANIED]
    case = profile.case
    age = case.return_date.year - case.returnee.birth_date.year
    age -= (case.return_date.month, case.return_date.day) < (
        case.returnee.birth_date.month,
        case.returnee.birth_date.day,
    )
    assert age == 15 and case.host_country == "MX" and case.returnee.return_country == "GT"
    assert "terrestre" in case.reception_place
    assert BestInterestsAssessment.objects.filter(case=case, status=BiaStatus.APPROVED).exists()
    bid = BestInterestsDetermination.objects.get(case=case)
    members = list(bid.members.all())
    assert bid.decision and len(members) == 3
    assert all(m.no_conflict_declared and m.confidentiality_declared for m in members)
    requests = TracingRequest.objects.filter(case=case)
    assert requests.filter(status=TracingStatus.OPEN).exists()
    assert TracingAction.objects.filter(request__case=case).count() >= 2
    assert FamilyMemberFound.objects.filter(request__case=case).exists()


def _reunified(profiles):
    assessment = ReunificationAssessment.objects.exclude(reunified_on=None).get(case__in=[p.case for p in profiles])
    visits = ReunificationFollowUp.objects.filter(case=assessment.case)
    assert visits.exclude(done_on=None).count() >= 2
    assert visits.filter(done_on=None).exists()
    assert Reminder.objects.filter(kind="reunification_follow_up_due", recipient__username="gestora").exists()
    # Her plan was agreed after she took part, with the child's measures; a child-focused visit; a draft
    # closure checklist (the case is still followed).
    case = assessment.case
    assert case.plan.agreed_on is not None
    assert ChildPlanItem.objects.filter(item__plan__case=case).count() == 3
    assert ChildFollowUp.objects.get(visit__case=case).vulnerabilities == ["family_hardship"]
    assert not ChildClosureChecklist.objects.get(case=case).is_completed


def _closed(profiles):
    (case,) = [p.case for p in profiles if p.case.status == CaseStatus.CLOSED]
    assert ChildClosureChecklist.objects.get(case=case).is_completed
    assert ChildParticipation.objects.filter(case=case, decision="closure").exists()


def _family_group(profiles):
    (profile,) = [p for p in profiles if p.household_member_id is not None]
    child, parent = profile.case, Case.objects.get(household_id=profile.case.household_id, child_profile__isnull=True)
    assert child.household_id is not None and child.returnee_id != parent.returnee_id
    assert profile.household_member.given_names == child.returnee.given_names == "Josué David"
    # The youngest returned too and still waits for her own case: the case manager can open it in one step.
    manager = Client()
    manager.force_login(User.objects.get(username="gestora"))
    page = manager.get(reverse("children:case", args=[parent.pk]))
    assert [m.given_names for m in page.context["minors"]] == ["Mayra Alejandra"]
    assert page.context["family_group"] == [child]


def _loads_once(profiles):
    users = {u.username: u for u in User.objects.filter(username__in=["gestora", "supervisora"])}
    context = DemoContext({p.organisation.code: p.organisation for p in Programme.objects.all()}, users, 1)
    assert "already" in children.load(context)
    assert ChildProfile.objects.filter(case__intakes__isnull=True).distinct().count() == profiles.count()


def _pages(profiles):
    supervisor, manager = Client(), Client()
    supervisor.force_login(User.objects.get(username="supervisora"))
    manager.force_login(User.objects.get(username="gestora"))
    for profile in profiles:
        for client in (supervisor, manager):
            assert client.get(reverse("children:case", args=[profile.case.pk])).status_code == 200
    awaiting = BestInterestsAssessment.objects.get(status=BiaStatus.SUBMITTED, case__in=[p.case for p in profiles])
    queue = supervisor.get(reverse("children:queue"))
    assert queue.status_code == 200
    assert awaiting.case.case_number in queue.content.decode()
    overdue = BestInterestsAssessment.objects.get(status=BiaStatus.IN_PROGRESS, case__in=[p.case for p in profiles])
    assert overdue.case.case_number in queue.content.decode()
    unaccompanied = next(p.case for p in profiles if p.care_status == CareStatus.UNACCOMPANIED)
    tracing = manager.get(reverse("children:tracing", args=[unaccompanied.pk]))
    assert tracing.status_code == 200 and "Catarina" in tracing.content.decode()
