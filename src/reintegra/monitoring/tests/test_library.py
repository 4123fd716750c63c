"""The standard library: every entry parses, loads through the migration and computes on a small dataset of
every population; a few are checked against the same number counted in Python from the rows."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.cases.models import FollowUpVisit
from reintegra.monitoring import definition, dimensions, engine, library
from reintegra.monitoring.choices import Measure, TimeAggregation
from reintegra.monitoring.models import StandardIndicator
from reintegra.referrals.models import Referral
from reintegra.structural.models import Agreement, Stakeholder, Training
from reintegra.sustainability.models import RoundScore
from reintegra.testing import factories as f
from reintegra.testing import me_records

YEAR_START = date(2026, 1, 1)
QUARTERS = [
    (date(2026, 1, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 6, 30)),
    (date(2026, 7, 1), date(2026, 9, 30)),
    (date(2026, 10, 1), date(2026, 12, 31)),
]
ENTRIES = {entry["code"]: entry for entry in library.entries()}


def test_every_entry_fits_its_columns():
    # SQLite does not enforce max_length; PostgreSQL refuses the migration that loads a too-long value.
    too_long = []
    for entry in ENTRIES.values():
        for name, value in library.fields(entry).items():
            limit = getattr(StandardIndicator._meta.get_field(name), "max_length", None)
            if limit and isinstance(value, str) and len(value) > limit:
                too_long.append((entry["code"], name, len(value), limit))
    assert too_long == []


def test_every_entry_parses_and_the_library_is_big_enough():
    assert len(ENTRIES) >= 15
    for code, entry in ENTRIES.items():
        parsed = definition.parse(entry["definition"], entry["measure"])
        assert parsed.population.key == entry["definition"]["population"], code
        for text in (entry["name"], entry["description"]):
            assert set(text) == set(library.LANGUAGES) and all(text.values()), code
        assert entry["time_aggregation"] in TimeAggregation.values


def test_the_documentation_describes_every_entry():
    page = (Path(__file__).resolve().parents[4] / "docs" / "monitoring-indicators.md").read_text(encoding="utf-8")
    for code, entry in ENTRIES.items():
        assert f"{entry['name']['en']} (`{code}`)" in page, code
        assert entry["description"]["en"] in page, code


@pytest.mark.django_db
def test_the_migration_loaded_the_library():
    loaded = {s.code: s for s in StandardIndicator.objects.all()}
    assert set(ENTRIES) <= set(loaded)
    entry = ENTRIES["plan-within-30-days"]
    assert loaded["plan-within-30-days"].definition == entry["definition"]
    assert loaded["plan-within-30-days"].name_fr == entry["name"]["fr"]


def _with_plan(manager, case, agreed_on):
    services.record_assessment(manager, case, {"assessed_on": case.return_date, "economic_need": "high"})
    case.refresh_from_db()
    services.save_plan(
        manager,
        case,
        goals="Negocio",
        motivations="Familia",
        items=[services.PlanItemInput(dimension="economic", approach="Negocio", assistance_form="in_kind")],
    )
    services.agree_plan(manager, case, agreed_on=agreed_on, late_reason="Acceso difícil")
    case.refresh_from_db()
    return case


@pytest.fixture
def dataset(db):
    org = f.organisation("lib")
    manager = f.user(org, Role.CASE_MANAGER)
    programme = org.programmes.get()
    cases = []
    for i, day in enumerate((date(2026, 1, 15), date(2026, 2, 20), date(2026, 5, 3), date(2026, 8, 9))):
        case = f.case(manager, return_date=day)
        if i % 2 == 0:  # a plan, agreed 10 or 45 days after the return
            case = _with_plan(manager, case, day + timedelta(days=10 if i == 0 else 45))
        cases.append(case)
        FollowUpVisit.objects.create(case=case, visited_on=day + timedelta(days=40), conducted_by=manager)
    type(cases[1]).objects.filter(pk=cases[1].pk).update(
        status="closed", closure_reason="no_longer_wants", closure_category="abrupt", closed_on=date(2026, 6, 1)
    )
    rows = [me_records.CaseRow(c.pk, programme.pk, org.pk, c.return_date) for c in cases] * 3
    me_records.add_case_records(rows, manager, seed=3)
    me_records.add_structural_records(
        programme, seed=3, stakeholders=24, start=date(2025, 6, 1), end=date(2026, 12, 31), written=me_records.Written()
    )
    return programme


def _periods(entry, programme_start=YEAR_START):
    if entry["time_aggregation"] == TimeAggregation.CUMULATIVE:
        return [(programme_start, end) for _start, end in QUARTERS]
    return QUARTERS


def _compute(code, programme, by=()):
    entry = ENTRIES[code]
    parsed = definition.parse(entry["definition"], entry["measure"])
    return engine.compute(
        parsed, entry["measure"], programme_ids=[programme.pk], periods=_periods(entry, date(2025, 1, 1)), by=by
    )


def test_every_indicator_computes_with_every_disaggregation(dataset):
    for code, entry in ENTRIES.items():
        parsed = definition.parse(entry["definition"], entry["measure"])
        by = tuple(dimensions.available(parsed.population))
        values = _compute(code, dataset, by=by)
        assert len(values) == len(QUARTERS), code
        if entry["measure"] in (Measure.COUNT, Measure.PERCENTAGE, Measure.SUM, Measure.MEAN):
            for period in values:
                for key in by:
                    parts = period.marginal(key, entry["measure"]).values()
                    assert sum(c.numerator for c in parts) == pytest.approx(period.total.numerator), (code, key)
                if entry["measure"] == Measure.PERCENTAGE:
                    assert period.total.numerator <= (period.total.denominator or 0), code


def _in(day, period):
    return period[0] <= day <= period[1]


def test_people_trained_is_the_sum_of_participants(dataset):
    values = _compute("people-trained", dataset)
    trainings = list(Training.objects.filter(programme=dataset))
    for period, value in zip(QUARTERS, values, strict=True):
        assert value.total.value == sum(t.participants for t in trainings if _in(t.held_on, period))


def test_days_to_acceptance_is_the_median_of_accepted_referrals(dataset):
    values = _compute("days-to-acceptance", dataset)
    referrals = Referral.objects.filter(case__programme=dataset, answered_at__isnull=False, decline_reason="")
    for period, value in zip(QUARTERS, values, strict=True):
        days = [
            (r.answered_at - r.sent_at).total_seconds() / 86400
            for r in referrals
            if _in(timezone.localdate(r.sent_at), period)
        ]
        expected = statistics.median(days) if days else None
        assert value.total.value == (pytest.approx(expected) if days else None)
        assert value.total.denominator == len(days)


def test_rss_change_is_paired_with_the_baseline_of_the_same_case(dataset):
    (_q1, _q2, q3, q4) = _compute("rss-change-12-months", dataset)
    scores = RoundScore.objects.filter(round__case__programme=dataset, is_current=True).select_related("round")
    baseline = {s.round.case_id: s.composite for s in scores if s.round.round_month == 0}
    latest: dict[int, tuple] = {}  # person -> (taken_on, round id, change) of their latest 12-month round
    for s in scores:
        if s.round.round_month == 12 and _in(s.round.taken_on, QUARTERS[3]):
            person = s.round.case.returnee_id
            change = None
            if s.composite is not None and baseline.get(s.round.case_id) is not None:
                change = s.composite - baseline[s.round.case_id]
            latest[person] = max(latest.get(person, (date.min, 0, None)), (s.round.taken_on, s.round.pk, change))
    changes = [c for _d, _pk, c in latest.values() if c is not None]
    assert q4.total.denominator == len(changes)
    assert q4.total.value == (pytest.approx(statistics.mean(changes)) if changes else None)
    assert q3.total.denominator is not None


def test_stakeholders_managed_closely_with_an_agreement_in_force(dataset):
    values = _compute("stakeholders-close-with-agreement", dataset)
    threshold = dataset.stakeholder_high_threshold
    for (_start, end), value in zip(QUARTERS, values, strict=True):
        expected = 0
        for s in Stakeholder.objects.filter(programme=dataset):
            if timezone.localdate(s.created_at) > end or min(s.interest, s.influence) < threshold:
                continue
            agreements = Agreement.objects.filter(parties=s, status__in=["in_force", "expired"])
            if any(a.starts_on <= end and (a.ends_on is None or a.ends_on >= end) for a in agreements):
                expected += 1
        assert value.total.value == expected


def test_a_field_of_the_period_is_computed_for_each_period(dataset):
    """Visits in the period: over four quarters at once, each quarter counts its own visits (the case returned
    on 20 February was visited on 1 April, in the second quarter), as when computed alone."""
    raw = {"population": "cases", "unit": "case", "date": "return_date", "value": "follow_ups"}
    parsed = definition.parse(raw, "mean")
    together = engine.compute(parsed, "mean", programme_ids=[dataset.pk], periods=QUARTERS)
    for period, value in zip(QUARTERS, together, strict=True):
        (alone,) = engine.compute(parsed, "mean", programme_ids=[dataset.pk], periods=[period])
        assert value.total == alone.total
    assert (together[0].total.numerator, together[0].total.denominator) == (1, 2)


def test_a_date_with_a_time_is_placed_by_its_local_date(dataset):
    """Sent at 03:00 UTC on 1 April is still 31 March in the programme's time zone: the first quarter."""
    referral = Referral.objects.filter(case__programme=dataset).first()
    moment = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)
    assert timezone.localdate(moment) == date(2026, 3, 31)  # the platform's zone is behind UTC
    Referral.objects.filter(case__programme=dataset).exclude(pk=referral.pk).delete()
    Referral.objects.filter(pk=referral.pk).update(sent_at=moment, created_at=moment)
    q1, q2, _q3, _q4 = _compute("referrals-sent", dataset)
    assert (q1.total.value, q2.total.value) == (1, 0)
