"""Reintegration Sustainability Survey scores: the scoring core. Pure Python + NumPy, no Django import.

Rules (docs/domain-sustainability.md §2; IOM Handbook Annex 4): each answer maps to a value in [0, 1] (higher = better
reintegrated); "don't know" / "refuse" count as missing; a dimension score is the weighted mean of its
answered questions (weights renormalised over what was answered); the composite is the weighted mean of
all answered questions with the composite weights; a score is reported only when at least
`min_answered_share` of its (weighted) questions were answered, otherwise it is None (NaN in batches).

Two entry points share one definition of the rules:
- `score_response(definition, answers)` for one response (answers: question code -> option code(s) or value);
- `Scorer(definition).score_matrix(S)` for a batch: S is an (n x q) matrix of question scores with NaN
  for missing; two matrix products give every score of every response at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reintegra.sustainability.definition import SCORES, Definition, Question
from reintegra.vocabulary.codes import DIMENSIONS


class AnswerError(ValueError):
    """One answer does not fit its question (the message names the question code)."""

    def __init__(self, question: str, message: str) -> None:
        super().__init__(f"{question}: {message}")
        self.question = question
        self.message = message


@dataclass(frozen=True)
class Result:
    scores: dict[str, float | None]  # economic, social, psychosocial, composite
    bands: dict[str, str | None]
    answered_share: dict[str, float]


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        # ODK/Kobo export multiple choices as one space-separated cell.
        return [v for v in value.replace(",", " ").split() if v]
    if isinstance(value, Iterable):
        return [str(v) for v in value]
    return [str(value)]


def _number_score(points: tuple[tuple[float, float], ...], value: float) -> float:
    xs = [x for x, _s in points]
    ys = [s for _x, s in points]
    return float(np.interp(value, xs, ys))  # clamps outside the first/last point


def clean_answer(question: Question, value: Any) -> Any:
    """The stored form of one answer (option code, list of codes, number, ISO date, text); raise AnswerError."""
    if value is None or value == "" or value == []:
        return None
    clean: Callable[[Question, Any], Any] = _CLEANERS.get(question.type, _clean_text)
    return clean(question, value)


def _clean_single(question: Question, value: Any) -> str:
    code = str(value).strip()
    if question.option(code) is None:
        raise AnswerError(question.code, f"{code!r} is not one of its options")
    return code


def _clean_multiple(question: Question, value: Any) -> list[str]:
    codes = _as_list(value)
    unknown = [c for c in codes if question.option(c) is None]
    if unknown:
        raise AnswerError(question.code, f"{', '.join(unknown)} not among its options")
    return sorted(set(codes), key=codes.index)


def _clean_number(question: Question, value: Any) -> int | float:
    if isinstance(value, bool):
        raise AnswerError(question.code, "must be a number")
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise AnswerError(question.code, f"{value!r} is not a number") from None
    if math.isnan(number) or math.isinf(number):
        raise AnswerError(question.code, "must be a finite number")
    return int(number) if number.is_integer() else number


def _clean_date(question: Question, value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise AnswerError(question.code, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _clean_text(question: Question, value: Any) -> str:
    # Never cut here: a text over the limit is refused by the service (`max_length`), not silently shortened.
    return str(value).strip()


# How each question type's answer is cleaned (text: any other type).
_CLEANERS: dict[str, Callable[[Question, Any], Any]] = {
    "single": _clean_single,
    "multiple": _clean_multiple,
    "number": _clean_number,
    "date": _clean_date,
}


def question_score(question: Question, value: Any) -> float | None:
    """The score in [0, 1] of one (clean) answer, or None when missing / not scored."""
    if value is None or not question.scored:
        return None
    if question.type == "single":
        option = question.option(str(value))
        return None if option is None else option.score
    if question.type == "multiple":
        scores = [o.score for c in _as_list(value) if (o := question.option(c)) is not None and o.score is not None]
        if not scores:
            return None
        if question.aggregate == "max":
            return max(scores)
        if question.aggregate == "min":
            return min(scores)
        return sum(scores) / len(scores)
    return _number_score(question.points, float(value))


class Scorer:
    """The weight matrices of one definition, for scoring one response or a batch."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.questions = definition.scored_questions
        self.codes = [q.code for q in self.questions]
        q = len(self.questions)
        # Columns: economic, social, psychosocial, composite.
        weights = np.zeros((q, len(SCORES)), dtype=np.float64)
        for i, question in enumerate(self.questions):
            weights[i, DIMENSIONS.index(question.dimension)] = question.weight
            weights[i, 3] = question.composite_weight
        self.weights = weights
        self.weights32 = weights.astype(np.float32)
        totals = weights.sum(axis=0)
        self.totals = np.where(totals > 0, totals, np.nan)
        self.min_share = definition.min_answered_share

    # Rows scored per block: a block's temporaries stay in the CPU cache, so the big matrix is read from
    # memory about once (measured fastest between 4k and 16k rows; bench/bench_rss_scoring.py).
    BLOCK_ROWS = 8192

    def score_matrix(self, matrix: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
        """(n x q) question scores, NaN = missing -> (n x 4) scores, NaN where not reportable.

        The answered share is weighted: a question with weight 0 neither helps nor hurts the share.
        """
        s = np.asarray(matrix, dtype=np.float64)
        out = np.empty((s.shape[0], len(SCORES)), dtype=np.float64)
        for start in range(0, s.shape[0], self.BLOCK_ROWS):
            out[start : start + self.BLOCK_ROWS] = self._score_block(s[start : start + self.BLOCK_ROWS])
        return out

    def _score_block(self, s: NDArray[np.float64]) -> NDArray[np.float64]:
        # fmax(NaN, 0) is 0 and question scores are in [0, 1]: missing answers add nothing to the sums.
        numerator = np.fmax(s, 0.0) @ self.weights
        # The answered mask is 0/1: float32 is exact for it; the weight sums it gives are within 1e-7
        # (relative) of the float64 ones.
        answered = np.equal(s, s).astype(np.float32)
        denominator = (answered @ self.weights32).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores = numerator / denominator
            share = denominator / self.totals
        # `share` < min (or no weight answered at all) -> not reported; also guards float drift above 1.
        reportable = (denominator > 0) & (share >= self.min_share - 1e-12)
        return np.where(reportable, np.clip(scores, 0.0, 1.0), np.nan)

    def answer_matrix(self, responses: Iterable[Mapping[str, Any]]) -> NDArray[np.float64]:
        """Question-score matrix of clean responses (question code -> answer)."""
        rows = [[question_score(q, r.get(q.code)) for q in self.questions] for r in responses]
        return np.array([[np.nan if v is None else v for v in row] for row in rows], dtype=np.float64).reshape(
            len(rows), len(self.questions)
        )

    def shares(self, matrix: NDArray[np.floating[Any]]) -> NDArray[np.float64]:
        answered = (~np.isnan(np.asarray(matrix, dtype=np.float64))).astype(np.float64)
        return (answered @ self.weights) / np.where(np.isnan(self.totals), 1.0, self.totals)

    def result(self, row_scores: NDArray[np.float64], row_share: NDArray[np.float64]) -> Result:
        scores = {
            name: (None if math.isnan(v) else round(float(v), 6)) for name, v in zip(SCORES, row_scores, strict=True)
        }
        return Result(
            scores=scores,
            bands={name: self.definition.band_for(value) for name, value in scores.items()},
            answered_share={name: round(float(v), 4) for name, v in zip(SCORES, row_share, strict=True)},
        )


def score_response(definition: Definition, answers: Mapping[str, Any], scorer: Scorer | None = None) -> Result:
    """Scores and bands of one response (answers already cleaned with `clean_answer`)."""
    scorer = scorer or Scorer(definition)
    matrix = scorer.answer_matrix([answers])
    return scorer.result(scorer.score_matrix(matrix)[0], scorer.shares(matrix)[0])


def clean_answers(definition: Definition, raw: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """(clean answers, errors by question code). Unknown question codes are errors too."""
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    known = {q.code: q for q in definition.questions}
    for code, value in raw.items():
        question = known.get(code)
        if question is None:
            errors[code] = "not a question of this instrument"
            continue
        try:
            cleaned = clean_answer(question, value)
        except AnswerError as exc:
            errors[code] = exc.message
            continue
        if cleaned is not None:
            clean[code] = cleaned
    for question in definition.questions:
        if question.required and question.code not in clean and question.code not in errors:
            errors[question.code] = "an answer is required"
    return clean, errors


def distribution(scores: NDArray[np.floating[Any]], bins: int = 10) -> dict[str, Any]:
    """Programme-level distribution of one score column: counts per bin over [0, 1], quartiles, mean, n.

    NaN (not reportable) rows are counted apart as `missing`.
    """
    values = np.asarray(scores, dtype=np.float64)
    present = values[~np.isnan(values)]
    counts, edges = np.histogram(present, bins=bins, range=(0.0, 1.0))
    if present.size:
        q1, median, q3 = np.quantile(present, [0.25, 0.5, 0.75])
        mean = float(present.mean())
    else:
        q1 = median = q3 = mean = math.nan
    return {
        "n": int(present.size),
        "missing": int(values.size - present.size),
        "counts": counts.tolist(),
        "edges": [round(float(e), 4) for e in edges],
        "mean": None if math.isnan(mean) else round(mean, 4),
        "quartiles": None if not present.size else [round(float(v), 4) for v in (q1, median, q3)],
    }
