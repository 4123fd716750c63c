"""`reintegra demo`'s monitoring and evaluation content: oim-gt's results framework, four submitted quarters
whose IPTT has values, the mid-term evaluation's management response and the lessons learned."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse

from reintegra.access.models import Programme, User
from reintegra.demo.levels import DemoContext, monitoring
from reintegra.monitoring import reports
from reintegra.monitoring.choices import NodeKind, PeriodStatus, ResponseDecision
from reintegra.monitoring.models import (
    Evaluation,
    Indicator,
    Lesson,
    Recommendation,
    ReportedValue,
    ReportingPeriod,
    ResultNode,
    ResultsFramework,
    Snapshot,
)
from reintegra.reminders.models import Reminder

pytestmark = pytest.mark.django_db

# Enough cases for every quarter of oim-gt's programme to count something.
CASES = "150"


def test_demo_monitoring_content():
    """One demo run (the slow part), every check on it."""
    call_command("demo", "--no-serve", "--cases", CASES, stdout=StringIO())
    framework = ResultsFramework.objects.select_related("programme").get(programme__organisation__code="oim-gt")
    for check in (_framework, _quarters, _evaluation_and_lessons, _loads_once, _pages):
        check(framework.programme)


def _path(names: list[str], *args: object) -> str:
    """The page's path under whichever of its names the URLconf has (the namespaces are being merged)."""
    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    raise AssertionError(f"none of {names} is a route")


def _framework(programme: Programme) -> None:
    framework = programme.results_framework
    assert framework.theory_of_change and framework.report_context and framework.is_public
    nodes = ResultNode.objects.filter(framework=framework)
    assert nodes.filter(kind=NodeKind.IMPACT).count() == 1
    outcomes = nodes.filter(kind=NodeKind.OUTCOME)
    assert sorted(outcomes.values_list("dimension", flat=True)) == ["economic", "psychosocial", "social"]
    for outcome in outcomes:
        assert 2 <= outcome.children.count() <= 3
    assert nodes.filter(kind=NodeKind.ACTIVITY).exists()
    indicators = Indicator.objects.filter(framework=framework)
    assert indicators.filter(standard__isnull=False).count() >= 10
    assert indicators.filter(is_computed=False).count() >= 2
    assert indicators.filter(is_kpi=True).exists() and indicators.filter(is_public=True).exists()
    assert indicators.exclude(lop_target=None).count() >= 10
    assert all(indicator.targets.exists() for indicator in indicators)


def _quarters(programme: Programme) -> None:
    submitted = ReportingPeriod.objects.filter(programme=programme, status=PeriodStatus.SUBMITTED)
    assert submitted.count() == 4 and all(period.narrative for period in submitted)
    indicators = Indicator.objects.filter(framework__programme=programme)
    assert Snapshot.objects.filter(period__in=submitted).count() == 4 * indicators.count()
    assert ReportedValue.objects.filter(period__in=submitted).count() >= 8
    report = reports.iptt_for(User.objects.get(username="gerente"), programme)
    quarters = [i for i, period in enumerate(report.periods) if period.status == PeriodStatus.SUBMITTED]
    assert len(quarters) == 4
    for i in quarters:
        counted = [
            row
            for row in report.rows
            if row.indicator.is_computed and row.columns[i].actual is not None and row.columns[i].actual.value
        ]
        assert len(counted) >= 3, report.periods[i].label
        assert all(row.columns[i].actual is not None for row in report.rows if not row.indicator.is_computed)
    statuses = {row.columns[i].status for row in report.rows for i in quarters}
    assert {reports.ON_TRACK, reports.AT_RISK, reports.OFF_TRACK} <= statuses


def _evaluation_and_lessons(programme: Programme) -> None:
    evaluation = Evaluation.objects.get(programme=programme)
    assert len(evaluation.ratings) == 6 and evaluation.findings
    recommendations = Recommendation.objects.filter(evaluation=evaluation)
    assert {r.decision for r in recommendations} == {
        ResponseDecision.ACCEPTED,
        ResponseDecision.PARTIALLY,
        ResponseDecision.REJECTED,
    }
    overdue = recommendations.filter(due_on__lt=date.today(), status__in=["not_started", "in_progress"])
    assert overdue.exclude(owner=None).exists()
    assert Reminder.objects.filter(kind="recommendation_action_due", recipient__username="gerente").exists()
    lessons = Lesson.objects.all()
    assert lessons.filter(programme=programme).exists()
    assert lessons.exclude(programme__organisation=programme.organisation).exists()
    assert lessons.filter(programme__organisation=programme.organisation).exclude(programme=programme).exists()
    assert all(lesson.level and lesson.dimension and lesson.country and lesson.themes for lesson in lessons)


def _loads_once(programme: Programme) -> None:
    users = {user.username: user for user in User.objects.filter(username__in=["gerente", "monitoreo"])}
    context = DemoContext({p.organisation.code: p.organisation for p in Programme.objects.all()}, users, 1)
    before = Indicator.objects.count(), Lesson.objects.count(), Snapshot.objects.count()
    assert "already" in monitoring.load(context)
    assert (Indicator.objects.count(), Lesson.objects.count(), Snapshot.objects.count()) == before


def _pages(programme: Programme) -> None:
    client = Client()
    client.force_login(User.objects.get(username="monitoreo"))
    evaluation = Evaluation.objects.get(programme=programme)
    iptt = client.get(_path(["monitoring_reports:iptt", "monitoring:iptt"], programme.pk) + "?por=sex")
    assert iptt.status_code == 200
    assert Indicator.objects.get(framework__programme=programme, code="ECO-1").name_es in iptt.content.decode()
    page = client.get(_path(["monitoring_learning:evaluation-detail", "monitoring:evaluation-detail"], evaluation.pk))
    assert page.status_code == 200 and evaluation.title in page.content.decode()
    public = Client().get(_path(["statistics:programme"], programme.pk))
    assert public.status_code == 200
