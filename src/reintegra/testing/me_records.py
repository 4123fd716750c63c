"""Records of the levels above the case (referrals, RSS rounds with scores, stakeholders, agreements,
trainings) written straight to the database in bulk, random but reproducible: for the M&E engine's tests
and benchmark (`reintegra seed` writes cases and what hangs from them, not these). Not through the services:
this is synthetic data for counting, not a user's journey."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from reintegra.access.models import Organisation, Programme, User
from reintegra.referrals.models import Referral, ReferralPathway, Service, ServiceProvider
from reintegra.structural import choices as sc
from reintegra.structural.models import Agreement, CapacityPlan, Stakeholder, Training
from reintegra.sustainability import round_facts
from reintegra.sustainability.models import InstrumentVersion, RoundScore, SurveyRound

OUTCOMES = ("service_delivered", "no_show", "referred_onward")
ROUND_MONTHS = (0, 6, 12, 18)  # the 18-month round as the follow-up closes (about 3.1 rounds a case)


@dataclass(frozen=True)
class CaseRow:
    id: int
    programme_id: int
    organisation_id: int
    return_date: date


@dataclass
class Written:
    referrals: int = 0
    rounds: int = 0
    stakeholders: int = 0
    agreements: int = 0
    trainings: int = 0


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(8, 18), rng.randrange(60)), tzinfo=UTC)


def _pathways(organisation_ids: Iterable[int], user: User) -> dict[int, ReferralPathway]:
    """One provider, service and SOP per referring organisation (created once, found again after)."""
    found = {}
    for org in Organisation.objects.filter(pk__in=set(organisation_ids)):
        code = f"me-bench-{org.pk}"
        service = Service.objects.filter(code=code).select_related("provider").first()
        if service is None:
            provider = ServiceProvider.objects.create(
                name=f"Proveedor {org.code}", organisation_type="ngo", country=str(org.country), owner=org
            )
            service = Service.objects.create(
                provider=provider,
                code=code,
                name="Empleo",
                dimension="economic",
                sector="employment",
                country=str(org.country),
            )
        pathway = ReferralPathway.objects.filter(service=service).first() or ReferralPathway.objects.create(
            referring_organisation=org,
            provider=service.provider,
            service=service,
            title="POE empleo",
            approved_on=date(2020, 1, 1),
            created_by=user,
        )
        found[org.pk] = pathway
    return found


def _referral(case: CaseRow, pathway: ReferralPathway, user: User, rng: random.Random) -> Referral:
    created = _moment(case.return_date + timedelta(days=rng.randrange(0, 200)), rng)
    sent = created + timedelta(hours=rng.randrange(0, 72))
    values: dict[str, Any] = {"status": "sent"}
    answer = rng.random()
    if answer < 0.7:  # accepted, some with an outcome
        # Answers timed to the second, as the services stamp them (not whole hours: a median of durations has
        # about as many distinct values as referrals).
        values.update(status="accepted", answered_at=sent + timedelta(seconds=rng.randrange(3600, 24 * 20 * 3600)))
        if rng.random() < 0.6:
            outcome = rng.choice(OUTCOMES)
            at = values["answered_at"] + timedelta(days=rng.randrange(1, 60))
            values.update(status=outcome, outcome=outcome, outcome_at=at)
    elif answer < 0.85:
        values.update(
            status="declined",
            answered_at=sent + timedelta(seconds=rng.randrange(3600, 240 * 3600)),
            decline_reason="no_capacity",
        )
    return Referral(
        case_id=case.id,
        organisation_id=case.organisation_id,
        referring_organisation_id=case.organisation_id,
        provider_id=pathway.provider_id,
        service=pathway.service,  # cached on the pathway after the first referral
        pathway=pathway,
        referred_by=user,
        level=rng.choice(("local", "national")),
        created_at=created,
        sent_at=sent,
        **values,
    )


def _rounds(case: CaseRow, version: InstrumentVersion, user: User, rng: random.Random) -> list[SurveyRound]:
    rounds = []
    for month in ROUND_MONTHS:
        if month and rng.random() < 0.3:  # not every follow-up round happens
            continue
        taken = case.return_date + timedelta(days=month * 30 + rng.randrange(0, 20))
        rounds.append(
            SurveyRound(
                case_id=case.id,
                organisation_id=case.organisation_id,
                version=version,
                taken_on=taken,
                round_month=month,
                recorded_by=user,
            )
        )
    return rounds


def _score(survey_round: SurveyRound, user: User, rng: random.Random) -> RoundScore:
    scores = {name: round(rng.random(), 3) for name in ("economic", "social", "psychosocial")}
    # Some rounds have too few answers for a composite (NULL), as the scorer leaves them.
    composite = None if rng.random() < 0.05 else round(sum(scores.values()) / 3, 3)
    return RoundScore(
        round=survey_round,
        organisation_id=survey_round.organisation_id,
        version=survey_round.version,
        composite=composite,
        computed_by=user,
        is_current=True,
        **scores,
    )


def add_case_records(cases: Sequence[CaseRow], user: User, *, seed: int = 1, batch: int = 5000) -> Written:
    """Referrals (0 to 2 a case) and RSS rounds (baseline, 6, 12 and 18 months, some missing) with scores."""
    rng = random.Random(seed)
    pathways = _pathways((c.organisation_id for c in cases), user)
    version = InstrumentVersion.objects.filter(instrument__programme=None, status="published").first()
    written = Written()
    for start in range(0, len(cases), batch):
        chunk = cases[start : start + batch]
        with transaction.atomic():
            referrals = [
                _referral(case, pathways[case.organisation_id], user, rng)
                for case in chunk
                for _ in range(rng.choice((0, 0, 1, 1, 2)))
            ]
            Referral.objects.bulk_create(referrals, batch_size=1000)
            written.referrals += len(referrals)
            if version is not None:
                rounds = [r for case in chunk for r in _rounds(case, version, user, rng)]
                SurveyRound.objects.bulk_create(rounds, batch_size=1000)
                RoundScore.objects.bulk_create([_score(r, user, rng) for r in rounds], batch_size=1000)
                # A bulk write sends no signal: the rounds' fact rows of these cases, set-based.
                round_facts.refresh({r.case_id for r in rounds})
                written.rounds += len(rounds)
    return written


def add_structural_records(
    programme: Programme, *, seed: int = 1, stakeholders: int = 30, start: date, end: date, written: Written
) -> None:
    """Stakeholders of random interest and influence, agreements between some of them, trainings."""
    rng = random.Random(seed * 7919 + programme.pk)
    span = (end - start).days

    def day() -> date:
        return start + timedelta(days=rng.randrange(span + 1))

    made = [
        Stakeholder.objects.create(
            programme=programme,
            name=f"Actor {i}",
            category=rng.choice(sc.StakeholderCategory.values),
            level=rng.choice(("national", "local")),
            country="MX",
            interest=rng.randint(1, 5),
            influence=rng.randint(1, 5),
        )
        for i in range(stakeholders)
    ]
    for stakeholder in made:  # auto_now_add: the registration date is set after
        Stakeholder.objects.filter(pk=stakeholder.pk).update(created_at=_moment(day(), rng))
    for i in range(stakeholders // 3):
        starts = day()
        agreement = Agreement.objects.create(
            programme=programme,
            title=f"Acuerdo {i}",
            kind=rng.choice(sc.AgreementKind.values),
            status=rng.choice(sc.AgreementStatus.values),
            starts_on=starts,
            ends_on=None if rng.random() < 0.3 else starts + timedelta(days=rng.randrange(30, 700)),
        )
        Agreement.objects.filter(pk=agreement.pk).update(created_at=_moment(starts, rng))
        agreement.parties.set(rng.sample(made, k=min(len(made), rng.randint(1, 3))))
    written.stakeholders += len(made)
    written.agreements += stakeholders // 3
    plan = CapacityPlan.objects.create(programme=programme, title="Plan de capacidades")
    trainings = [
        Training(programme=programme, plan=plan, title=f"Taller {i}", held_on=day(), participants=rng.randint(0, 40))
        for i in range(stakeholders // 2)
    ]
    Training.objects.bulk_create(trainings)
    written.trainings += len(trainings)
