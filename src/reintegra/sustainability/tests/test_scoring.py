"""The scoring core on its own: the rules of docs/domain-sustainability.md §2 and the properties the issue asks for."""

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.sustainability import definition, scoring
from reintegra.sustainability.definition import DIMENSIONS, SCORES

RSS = definition.parse(
    yaml.safe_load((Path(definition.__file__).parent / "instruments" / "rss.yaml").read_text(encoding="utf-8"))
)
SCORER = scoring.Scorer(RSS)


def _extreme(best: bool) -> dict:
    answers = {}
    for q in RSS.scored_questions:
        if q.type == "number":
            xs = [x for x, s in q.points]
            scores = [s for x, s in q.points]
            target = max(scores) if best else min(scores)
            answers[q.code] = xs[scores.index(target)]
        else:
            scored = [o for o in q.options if not o.missing]
            chosen = max(scored, key=lambda o: o.score) if best else min(scored, key=lambda o: o.score)
            answers[q.code] = [chosen.code] if q.type == "multiple" else chosen.code
    return answers


def test_the_shipped_rss_has_three_dimensions_and_equal_weights():
    counts = {d: sum(q.dimension == d for q in RSS.scored_questions) for d in DIMENSIONS}
    assert all(n >= 8 for n in counts.values()), counts
    assert {q.weight for q in RSS.scored_questions} == {1.0}
    assert {q.composite_weight for q in RSS.scored_questions} == {1.0}
    for q in RSS.questions:
        assert set(q.labels) == {"es", "en", "fr"}


def test_best_answers_give_one_and_worst_give_zero():
    best = scoring.score_response(RSS, _extreme(True))
    worst = scoring.score_response(RSS, _extreme(False))
    assert best.scores == dict.fromkeys(SCORES, 1.0)
    assert worst.scores == dict.fromkeys(SCORES, 0.0)
    assert best.bands["composite"] == "high" and worst.bands["composite"] == "low"


def test_weights_are_renormalised_over_answered_questions():
    raw = {
        "code": "t",
        "labels": "T",
        "min_answered_share": 0.0,
        "bands": [{"code": "low", "min": 0, "labels": "L"}],
        "questions": [
            {
                "code": "a",
                "dimension": "economic",
                "type": "single",
                "labels": "A",
                "weight": 3,
                "options": [
                    {"code": "y", "score": 1, "labels": "y"},
                    {"code": "n", "score": 0, "labels": "n"},
                    {"code": "dk", "missing": True, "labels": "dk"},
                ],
            },
            {
                "code": "b",
                "dimension": "economic",
                "type": "number",
                "labels": "B",
                "weight": 1,
                "composite_weight": 2,
                "scoring": {"points": [[0, 0], [10, 1]]},
            },
        ],
    }
    d = definition.parse(raw)
    assert scoring.score_response(d, {"a": "y", "b": 5}).scores["economic"] == pytest.approx((3 * 1 + 0.5) / 4)
    assert scoring.score_response(d, {"a": "y", "b": 5}).scores["composite"] == pytest.approx((1 + 2 * 0.5) / 3)
    # "don't know" is missing: only b counts, with all of the weight.
    assert scoring.score_response(d, {"a": "dk", "b": 5}).scores["economic"] == pytest.approx(0.5)
    assert scoring.score_response(d, {}).scores["economic"] is None


def test_nothing_is_reported_below_the_minimum_answered_share():
    answers = _extreme(True)
    economic = [q.code for q in RSS.scored_questions if q.dimension == "economic"]
    # Keep 4 of 8 economic answers: 50 % < 60 %.
    for code in economic[4:]:
        answers.pop(code)
    result = scoring.score_response(RSS, answers)
    assert result.scores["economic"] is None and result.bands["economic"] is None
    assert result.scores["social"] == 1.0
    assert result.answered_share["economic"] == pytest.approx(0.5)


def test_bad_answers_are_reported_by_question():
    clean, errors = scoring.clean_answers(
        RSS, {"eco_satisfaction": "maybe", "eco_borrowing_times": "many", "nope": "x", "eco_can_borrow": "yes"}
    )
    assert set(errors) == {"eco_satisfaction", "eco_borrowing_times", "nope"}
    assert clean == {"eco_can_borrow": "yes"}


_DATE = definition.Question(code="visited", dimension="", type="date", labels={"es": "Fecha"})
_TEXT = definition.Question(code="notes", dimension="", type="text", labels={"es": "Notas"})


@pytest.mark.parametrize(
    ("question", "value", "clean"),
    [
        ("eco_can_borrow", " yes ", "yes"),
        ("eco_income_sources", "casual_work salaried,casual_work", ["casual_work", "salaried"]),
        ("eco_income_sources", ("remittances",), ["remittances"]),
        ("eco_borrowing_times", " 3,0 ", 3),
        ("eco_borrowing_times", 2.5, 2.5),
        ("eco_borrowing_times", [], None),
        (_DATE, date(2024, 3, 1), "2024-03-01"),
        (_DATE, "2024-03-01T09:30", "2024-03-01"),
        (_TEXT, "  " + "x" * 2100, "x" * 2100),
        (_TEXT, "", None),
    ],
)
def test_each_answer_type_has_one_stored_form(question, value, clean):
    question = RSS.question(question) if isinstance(question, str) else question
    assert scoring.clean_answer(question, value) == clean


@pytest.mark.parametrize(
    ("question", "value", "message"),
    [
        ("eco_can_borrow", "maybe", "'maybe' is not one of its options"),
        ("eco_income_sources", "salaried lottery", "lottery not among its options"),
        ("eco_borrowing_times", True, "must be a number"),
        ("eco_borrowing_times", "many", "'many' is not a number"),
        ("eco_borrowing_times", "1e400", "must be a finite number"),
        (_DATE, "2024-13-01", "'2024-13-01' is not a date (YYYY-MM-DD)"),
    ],
)
def test_each_answer_type_refuses_what_does_not_fit(question, value, message):
    question = RSS.question(question) if isinstance(question, str) else question
    with pytest.raises(scoring.AnswerError) as refused:
        scoring.clean_answer(question, value)
    assert (refused.value.question, refused.value.message) == (question.code, message)


@st.composite
def responses(draw):
    """A random response: each question unanswered, missing, or answered with any of its values."""
    answers = {}
    for q in RSS.scored_questions:
        kind = draw(st.sampled_from(["skip", "answer", "answer", "answer"]))
        if kind == "skip":
            continue
        if q.type == "number":
            answers[q.code] = draw(st.floats(min_value=-5, max_value=50, allow_nan=False))
        elif q.type == "multiple":
            answers[q.code] = draw(st.lists(st.sampled_from([o.code for o in q.options]), min_size=1, max_size=3))
        else:
            answers[q.code] = draw(st.sampled_from([o.code for o in q.options]))
    return answers


@settings(max_examples=200, deadline=None)
@given(responses())
def test_scores_are_always_in_0_1(answers):
    result = scoring.score_response(RSS, answers)
    for value in result.scores.values():
        assert value is None or 0.0 <= value <= 1.0


@settings(max_examples=200, deadline=None)
@given(responses(), st.data())
def test_improving_one_answer_never_lowers_a_score(answers, data):
    answered = [q for q in RSS.scored_questions if q.type == "single" and q.code in answers]
    if not answered:
        return
    q = data.draw(st.sampled_from(answered))
    current = q.option(answers[q.code])
    better = [o for o in q.options if not o.missing and (current.missing or o.score >= current.score)]
    if current.missing or not better:
        return
    improved = dict(answers, **{q.code: data.draw(st.sampled_from(better)).code})
    before = scoring.score_response(RSS, answers).scores
    after = scoring.score_response(RSS, improved).scores
    for name in SCORES:
        if before[name] is not None:
            assert after[name] is not None and after[name] >= before[name] - 1e-12


@settings(max_examples=50, deadline=None)
@given(st.lists(responses(), min_size=1, max_size=20))
def test_the_batch_gives_the_same_scores_as_one_by_one(batch):
    clean = [scoring.clean_answers(RSS, a)[0] for a in batch]
    matrix = SCORER.score_matrix(SCORER.answer_matrix(clean))
    for row, answers in zip(matrix, clean, strict=True):
        single = scoring.score_response(RSS, answers).scores
        for value, name in zip(row, SCORES, strict=True):
            assert (single[name] is None) == bool(np.isnan(value))
            if single[name] is not None:
                assert value == pytest.approx(single[name], abs=1e-6)


def test_definition_problems_are_all_listed():
    with pytest.raises(definition.DefinitionError) as info:
        definition.parse(
            {
                "code": "bad code",
                "labels": "x",
                "bands": [{"code": "hi", "min": 0.5, "labels": "h"}],
                "questions": [
                    {
                        "code": "q",
                        "dimension": "money",
                        "type": "single",
                        "labels": "q",
                        "options": [{"code": "a", "score": 2, "labels": "a"}],
                    },
                    {"code": "q", "dimension": "social", "type": "number", "labels": "n"},
                ],
            }
        )
    text = " | ".join(info.value.problems)
    for expected in ("code:", "money", "between 0 and 1", "used twice", "scoring.points", "start at 0"):
        assert expected in text


def test_distribution_counts_every_reported_score():
    values = np.array([0.05, 0.5, 0.95, np.nan])
    result = scoring.distribution(values, bins=10)
    assert result["n"] == 3 and result["missing"] == 1 and sum(result["counts"]) == 3


def test_blocks_of_a_large_batch_score_like_the_plain_formula():
    """Across block boundaries (BLOCK_ROWS) every row gets the weighted mean of its answered questions."""
    rng = np.random.default_rng(7)
    n = scoring.Scorer.BLOCK_ROWS * 2 + 17
    matrix = rng.random((n, len(RSS.scored_questions)))
    matrix[rng.random(matrix.shape) < 0.3] = np.nan
    got = SCORER.score_matrix(matrix)
    answered = ~np.isnan(matrix)
    numerator = np.nan_to_num(matrix) @ SCORER.weights
    denominator = answered.astype(np.float64) @ SCORER.weights
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = numerator / denominator
    reportable = (denominator > 0) & (denominator / SCORER.totals >= SCORER.min_share - 1e-12)
    expected = np.where(reportable, expected, np.nan)
    assert np.array_equal(np.isnan(got), np.isnan(expected))
    assert np.allclose(got[~np.isnan(got)], expected[~np.isnan(expected)], atol=1e-6)
