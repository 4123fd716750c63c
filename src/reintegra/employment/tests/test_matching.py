"""The matching core (pure Python): every factor in [0, 1], monotone in what the person brings, symmetric in
its two directions, and explained."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from reintegra.employment import matching as m

SKILLS = st.sampled_from(["albanileria", "soldadura", "lectura de planos", "atencion al cliente", "ingles", "excel"])
CODES = st.sampled_from(["7112", "7115", "7126", "7212", "5120", "4222", "9313", "711", "71", "7"])
LEVELS = st.sampled_from(list(m.LANGUAGE_RANK))


@st.composite
def seekers(draw: st.DrawFn) -> m.Seeker:
    return m.Seeker(
        id=draw(st.integers(1, 1000)),
        isco_codes=tuple(draw(st.lists(CODES, max_size=3))),
        skills=frozenset(draw(st.lists(SKILLS, max_size=6))),
        municipality_id=draw(st.sampled_from([1, 2, 3, None])),
        admin1_id=draw(st.sampled_from([10, 20, None])),
        reach=draw(st.sampled_from(["municipality", "admin1", "country"])),
        education=draw(st.one_of(st.none(), st.integers(0, 8))),
        languages=draw(st.dictionaries(st.sampled_from(["es", "en"]), LEVELS, max_size=2)),
        desired_wage=draw(st.one_of(st.none(), st.integers(0, 20000))),
        contracts=frozenset(draw(st.lists(st.sampled_from(["permanent", "seasonal", "fixed_term"]), max_size=2))),
        availability=draw(st.sampled_from(list(m.AVAILABILITY))),
    )


@st.composite
def jobs(draw: st.DrawFn) -> m.Job:
    return m.Job(
        id=draw(st.integers(1, 1000)),
        isco=draw(st.sampled_from(["7112", "7115", "5120", "4222", "9313"])),
        essential=frozenset(draw(st.lists(SKILLS, max_size=4))),
        optional=frozenset(draw(st.lists(SKILLS, max_size=2))),
        municipality_id=draw(st.sampled_from([1, 2, 3])),
        admin1_id=draw(st.sampled_from([10, 20])),
        education=draw(st.one_of(st.none(), st.integers(0, 8))),
        languages=draw(st.dictionaries(st.sampled_from(["es", "en"]), LEVELS, max_size=2)),
        wage_max=draw(st.one_of(st.none(), st.integers(0, 20000))),
        contract=draw(st.sampled_from(["permanent", "seasonal", "fixed_term", ""])),
    )


@given(jobs(), seekers())
def test_every_factor_and_the_score_are_in_0_1(job: m.Job, seeker: m.Seeker) -> None:
    result = m.match(job, seeker)
    assert set(result.factors) == set(m.FACTORS)
    for value in result.factors.values():
        assert 0.0 <= value <= 1.0
    assert 0.0 <= result.score <= 1.0


@given(jobs(), seekers())
def test_the_score_is_the_product_of_the_factors_shown(job: m.Job, seeker: m.Seeker) -> None:
    result = m.match(job, seeker)
    product = 1.0
    for value in result.factors.values():
        product *= value
    assert abs(result.score - product) < 1e-3


@given(jobs(), seekers(), SKILLS)
def test_adding_an_essential_skill_the_jobseeker_has_never_lowers_the_score(
    job: m.Job, seeker: m.Seeker, skill: str
) -> None:
    seeker = m.Seeker(**{**seeker.__dict__, "skills": seeker.skills | {skill}})
    before = m.match(job, seeker)
    after = m.match(m.Job(**{**job.__dict__, "essential": job.essential | {skill}}), seeker)
    assert after.factors["skills"] >= before.factors["skills"]
    assert after.score >= before.score


@given(jobs(), seekers(), SKILLS)
def test_acquiring_a_skill_never_lowers_the_score(job: m.Job, seeker: m.Seeker, skill: str) -> None:
    before = m.match(job, seeker)
    after = m.match(job, m.Seeker(**{**seeker.__dict__, "skills": seeker.skills | {skill}}))
    assert after.score >= before.score


@given(jobs(), seekers())
def test_travelling_further_never_lowers_the_location_factor(job: m.Job, seeker: m.Seeker) -> None:
    order = ["municipality", "admin1", "country"]
    values = [m.location_factor(job, m.Seeker(**{**seeker.__dict__, "reach": r})) for r in order]
    assert values == sorted(values)


@given(jobs(), st.lists(seekers(), max_size=8))
def test_both_directions_agree(job: m.Job, pool: list[m.Seeker]) -> None:
    pool = [m.Seeker(**{**s.__dict__, "id": i}) for i, s in enumerate(pool, start=1)]
    ranked = m.candidates(job, pool)
    assert [r.score for r in ranked] == sorted((r.score for r in ranked), reverse=True)
    for r in ranked:
        seeker = next(s for s in pool if s.id == r.seeker_id)
        assert m.vacancies_for(seeker, [job])[0].score == r.score


def test_occupation_proximity_by_shared_digits() -> None:
    job = m.Job(id=1, isco="7112")
    levels = {
        code: m.match(job, m.Seeker(id=1, isco_codes=(code,))).factors["occupation"]
        for code in ["7112", "7115", "7126", "7212", "5120"]
    }
    assert levels == {"7112": 1.0, "7115": 0.75, "7126": 0.5, "7212": 0.25, "5120": m.OCCUPATION_UNRELATED}


def test_the_explanation_names_matched_and_missing_skills() -> None:
    job = m.Job(
        id=1, isco="7112", essential=frozenset({"albanileria", "lectura de planos"}), optional=frozenset({"soldadura"})
    )
    seeker = m.Seeker(id=2, isco_codes=("7112",), skills=frozenset({"albanileria", "soldadura"}))
    result = m.match(job, seeker)
    assert result.matched_skills == ("albanileria",)
    assert result.missing_skills == ("lectura de planos",)
    assert result.optional_skills == ("soldadura",)
    assert result.factors["skills"] == 0.5


def test_skill_names_compare_without_accents_case_or_spacing() -> None:
    assert m.normalise_skill("  Albañilería   Básica ") == m.normalise_skill("albanileria basica")


def test_skills_gaps_count_demand_and_supply() -> None:
    jobs_ = [
        m.Job(id=1, isco="7112", essential=frozenset({"a", "b"})),
        m.Job(id=2, isco="7112", essential=frozenset({"a"})),
    ]
    people = [m.Seeker(id=1, skills=frozenset({"b"})), m.Seeker(id=2, skills=frozenset({"b", "c"}))]
    assert m.skills_gaps(jobs_, people) == [("a", 2, 0), ("b", 1, 2)]


@given(st.lists(jobs(), max_size=4), st.lists(seekers(), max_size=10))
def test_the_full_recompute_gives_each_vacancy_its_positive_candidates(
    pool_jobs: list[m.Job], pool: list[m.Seeker]
) -> None:
    pool_jobs = [m.Job(**{**j.__dict__, "id": i}) for i, j in enumerate(pool_jobs, start=1)]
    pool = [m.Seeker(**{**s.__dict__, "id": i}) for i, s in enumerate(pool, start=1)]
    ranked = m.rank_all(pool_jobs, pool, limit=100)
    for job in pool_jobs:
        expected = [r for r in m.candidates(job, pool) if r.score > 0]
        assert [(r.seeker_id, r.score) for r in ranked[job.id]] == [(r.seeker_id, r.score) for r in expected]
