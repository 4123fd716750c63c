"""An instrument (questionnaire) as data: parse, validate and normalise a definition file. No Django import.

A definition is a dict (loaded from YAML or JSON) in the shape of `instruments/rss.yaml`:

    code, version, labels {es, en, fr}, description {...}, min_answered_share (0-1),
    bands: [{code, min, labels}]                  lower bound of each band, ascending from 0
    option_sets: {name: [option, ...]}            reusable answer lists (expanded on parse)
    questions: [{code, dimension, indicator, type, labels, options | scoring, weight, composite_weight}]
    option: {code, labels, score (0-1) | missing: true}   missing = "don't know" / "refuse"

Question types: single (one option), multiple (several options; `aggregate` mean | max | min of their
scores), number (scored by `scoring.points`, a piecewise-linear map value -> score), date and text
(recorded, never scored). A choice question with `scored: false` is recorded, never scored: it needs no
dimension and its options no score (a respondent's profile in an anonymous survey).

`subject` says whom a round is about: `case` (the default: a returnee's case, the RSS) or `community` (an
anonymous respondent of a community: the community app records those responses, docs/community.md); a case
round refuses a community instrument and the other way round.

The parsed definition is stored as JSON with every option set expanded, so a
stored version is self-contained and scores stay reproducible.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from reintegra.vocabulary.codes import DIMENSIONS

COMPOSITE = "composite"  # the score across all the dimensions (not a dimension of its own)
SCORES = (*DIMENSIONS, COMPOSITE)
LANGUAGES = ("es", "en", "fr")
QUESTION_TYPES = ("single", "multiple", "number", "date", "text")
SUBJECT_CASE = "case"
SUBJECT_COMMUNITY = "community"
SUBJECTS = (SUBJECT_CASE, SUBJECT_COMMUNITY)
SCORED_TYPES = ("single", "multiple", "number")
AGGREGATES = ("mean", "max", "min")
_CODE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class DefinitionError(ValueError):
    """The definition is not usable; `problems` lists every problem found (path: message)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def label(labels: dict[str, str] | str | None, language: str = "es") -> str:
    """The label in `language`, falling back to Spanish, English, then any."""
    if not labels:
        return ""
    if isinstance(labels, str):
        return labels
    short = (language or "es").split("-")[0]
    for lang in (short, "es", "en", "fr"):
        if labels.get(lang):
            return str(labels[lang])
    return str(next(iter(labels.values()), ""))


@dataclass(frozen=True)
class Option:
    code: str
    labels: dict[str, str]
    score: float | None  # None: counts as missing ("don't know", "refuse")

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass(frozen=True)
class Question:
    code: str
    dimension: str
    type: str
    labels: dict[str, str]
    indicator: str = ""
    options: tuple[Option, ...] = ()
    points: tuple[tuple[float, float], ...] = ()  # number scoring: (value, score), ascending value
    aggregate: str = "mean"
    weight: float = 1.0  # in its dimension's score
    composite_weight: float = 1.0  # in the composite score
    required: bool = False
    hint: dict[str, str] = field(default_factory=dict)
    unscored: bool = False  # `scored: false`: a choice recorded, never scored

    @property
    def scored(self) -> bool:
        return self.type in SCORED_TYPES and not self.unscored

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class Band:
    code: str
    min: float
    labels: dict[str, str]


@dataclass(frozen=True)
class Definition:
    code: str
    version: int
    labels: dict[str, str]
    questions: tuple[Question, ...]
    bands: tuple[Band, ...]
    min_answered_share: float = 0.5
    description: dict[str, str] = field(default_factory=dict)
    subject: str = SUBJECT_CASE

    def question(self, code: str) -> Question | None:
        return next((q for q in self.questions if q.code == code), None)

    @property
    def scored_questions(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.scored)

    def band_for(self, score: float | None) -> str | None:
        if score is None or math.isnan(score):
            return None
        chosen = None
        for band in self.bands:  # ascending `min`
            if score + 1e-12 >= band.min:
                chosen = band.code
        return chosen

    def band(self, code: str | None) -> Band | None:
        return next((b for b in self.bands if b.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        # `subject` only when not the default, so that a case instrument's stored definition stays as it was.
        subject = {"subject": self.subject} if self.subject != SUBJECT_CASE else {}
        return {
            **subject,
            "code": self.code,
            "version": self.version,
            "labels": dict(self.labels),
            "description": dict(self.description),
            "min_answered_share": self.min_answered_share,
            "bands": [{"code": b.code, "min": b.min, "labels": dict(b.labels)} for b in self.bands],
            "questions": [_question_dict(q) for q in self.questions],
        }


def _question_dict(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": q.code,
        "dimension": q.dimension,
        "indicator": q.indicator,
        "type": q.type,
        "labels": dict(q.labels),
        "weight": q.weight,
        "composite_weight": q.composite_weight,
    }
    if q.hint:
        data["hint"] = dict(q.hint)
    if q.required:
        data["required"] = True
    if q.unscored:
        data["scored"] = False
    if q.options:
        data["options"] = [{"code": o.code, "labels": dict(o.labels), **_option_score(q, o)} for o in q.options]
    if q.type == "multiple":
        data["aggregate"] = q.aggregate
    if q.points:
        data["scoring"] = {"points": [[x, s] for x, s in q.points]}
    return data


def _option_score(q: Question, o: Option) -> dict[str, Any]:
    if q.unscored:
        return {}
    return {"missing": True} if o.missing else {"score": o.score}


def _labels(raw: Any, where: str, problems: list[str], required: bool = True) -> dict[str, str]:
    if raw is None or raw == "":
        if required:
            problems.append(f"{where}: labels are missing")
        return {}
    if isinstance(raw, str):
        return {"es": raw}
    if not isinstance(raw, dict):
        problems.append(f"{where}: labels must be a mapping of language to text")
        return {}
    return {str(k): str(v) for k, v in raw.items() if v not in (None, "")}


def _number(raw: Any, where: str, problems: list[str], lo: float | None = None, hi: float | None = None) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems.append(f"{where}: {raw!r} is not a number")
        return 0.0
    if math.isnan(value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f" between {lo:g} and {hi:g}" if lo is not None and hi is not None else f" at least {lo:g}"
        problems.append(f"{where}: {raw!r} must be{bounds}")
    return value


def _option(raw: Any, where: str, problems: list[str], scored: bool = True) -> Option | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: an option must be a mapping")
        return None
    code = str(raw.get("code", ""))
    if not _CODE.match(code):
        problems.append(f"{where}: option code {code!r} is not a valid code (letters, digits, _)")
    labels = _labels(raw.get("labels", raw.get("label")), where, problems)
    if raw.get("missing") or not scored:
        return Option(code, labels, None)
    if raw.get("score") is None:
        problems.append(f"{where}: option {code!r} needs a score in [0, 1] or missing: true")
        return Option(code, labels, 0.0)
    return Option(code, labels, _number(raw["score"], f"{where}.score", problems, 0.0, 1.0))


def parse(raw: Any) -> Definition:
    """Validate a definition dict; raise DefinitionError with every problem found."""
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise DefinitionError(["the definition must be a mapping"])
    code = str(raw.get("code", ""))
    if not _CODE.match(code):
        problems.append(f"code: {code!r} is not a valid code")
    version = _version(raw.get("version", 1), problems)
    labels = _labels(raw.get("labels", raw.get("label")), "labels", problems)
    share = _number(raw.get("min_answered_share", 0.5), "min_answered_share", problems, 0.0, 1.0)
    option_sets: dict[str, list[Any]] = raw.get("option_sets") or {}
    if not isinstance(option_sets, dict):
        problems.append("option_sets: must be a mapping of name to a list of options")
        option_sets = {}
    questions = _questions(raw.get("questions") or [], option_sets, problems)
    bands = _bands(raw.get("bands") or [], problems)
    subject = str(raw.get("subject", SUBJECT_CASE))
    if subject not in SUBJECTS:
        problems.append(f"subject: {subject!r} is not one of {', '.join(SUBJECTS)}")
    if problems:
        raise DefinitionError(problems)
    return Definition(
        code=code,
        version=version,
        labels=labels,
        questions=tuple(questions),
        bands=tuple(bands),
        min_answered_share=share,
        description=_labels(raw.get("description"), "description", problems, required=False),
        subject=subject,
    )


def _version(raw: Any, problems: list[str]) -> int:
    try:
        version = int(raw)
        if version < 1:
            raise ValueError
    except (TypeError, ValueError):
        problems.append("version: must be a whole number from 1")
        return 1
    return version


def _questions(raw: Any, option_sets: dict[str, list[Any]], problems: list[str]) -> list[Question]:
    questions: list[Question] = []
    seen: set[str] = set()
    for i, q in enumerate(raw):
        if not isinstance(q, dict):
            problems.append(f"questions[{i}]: a question must be a mapping")
            continue
        questions.append(_question(q, i, option_sets, seen, problems))
    if not questions:
        problems.append("questions: the instrument has no questions")
    for dim in DIMENSIONS:
        if any(q.dimension == dim and q.scored for q in questions) and not any(
            q.dimension == dim and q.weight > 0 for q in questions
        ):
            problems.append(f"weights: every {dim} question has weight 0")
    return questions


def _question(
    q: dict[str, Any], i: int, option_sets: dict[str, list[Any]], seen: set[str], problems: list[str]
) -> Question:
    """The i-th question; `seen` holds the codes of the questions before it."""
    qcode = str(q.get("code", ""))
    where = f"questions[{i}] ({qcode})"
    if not _CODE.match(qcode):
        problems.append(f"{where}: code {qcode!r} is not a valid code")
    if qcode in seen:
        problems.append(f"{where}: code {qcode!r} is used twice")
    seen.add(qcode)
    qtype = str(q.get("type", "single"))
    if qtype not in QUESTION_TYPES:
        problems.append(f"{where}: type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}")
    dimension = str(q.get("dimension", ""))
    unscored = q.get("scored", True) is False
    if unscored and qtype not in ("single", "multiple"):
        problems.append(f"{where}: only a choice question can say scored: false")
    scored = qtype in SCORED_TYPES and not unscored
    if scored and dimension not in DIMENSIONS:
        problems.append(f"{where}: dimension {dimension!r} is not one of {', '.join(DIMENSIONS)}")
    options = _question_options(q.get("options") or [], qtype, where, option_sets, problems, scored)
    points = _points(q.get("scoring"), where, problems) if qtype == "number" else []
    aggregate = str(q.get("aggregate", "mean"))
    if aggregate not in AGGREGATES:
        problems.append(f"{where}: aggregate must be one of {', '.join(AGGREGATES)}")
    weight = _number(q.get("weight", 1.0 if scored else 0.0), f"{where}.weight", problems, 0.0)
    cweight = _number(q.get("composite_weight", 1.0 if scored else 0.0), f"{where}.composite_weight", problems, 0.0)
    return Question(
        code=qcode,
        dimension=dimension if dimension in DIMENSIONS else "",
        type=qtype,
        labels=_labels(q.get("labels", q.get("label")), where, problems),
        indicator=str(q.get("indicator", "")),
        options=tuple(options),
        points=tuple(points),
        aggregate=aggregate,
        weight=weight if scored else 0.0,
        composite_weight=cweight if scored else 0.0,
        required=bool(q.get("required", False)),
        hint=_labels(q.get("hint"), where, problems, required=False),
        unscored=unscored and qtype in ("single", "multiple"),
    )


def _question_options(
    raw: Any, qtype: str, where: str, option_sets: dict[str, list[Any]], problems: list[str], scored: bool = True
) -> list[Option]:
    """A question's options, listed or named by an option set."""
    if isinstance(raw, str):
        if raw not in option_sets:
            problems.append(f"{where}: option set {raw!r} is not defined")
        raw = option_sets.get(raw) or []
    options: list[Option] = []
    for j, o in enumerate(raw):
        option = _option(o, f"{where}.options[{j}]", problems, scored)
        if option:
            options.append(option)
    codes = [o.code for o in options]
    if len(set(codes)) != len(codes):
        problems.append(f"{where}: option codes repeat")
    if qtype in ("single", "multiple") and scored and not any(not o.missing for o in options):
        problems.append(f"{where}: a choice question needs at least one scored option")
    elif qtype in ("single", "multiple") and not options:
        problems.append(f"{where}: a choice question needs options")
    return options


def _points(scoring: Any, where: str, problems: list[str]) -> list[tuple[float, float]]:
    """A number question's scoring: (value, score) pairs, values strictly ascending."""
    raw_points = scoring.get("points") if isinstance(scoring, dict) else None
    if not raw_points or len(raw_points) < 2:
        problems.append(f"{where}: a number question needs scoring.points: [[value, score], ...] (two or more)")
        return []
    points: list[tuple[float, float]] = []
    for k, pair in enumerate(raw_points):
        try:
            x, s = pair
        except (TypeError, ValueError):
            problems.append(f"{where}.scoring.points[{k}]: must be [value, score]")
            continue
        points.append(
            (
                _number(x, f"{where}.scoring.points[{k}]", problems),
                _number(s, f"{where}.scoring.points[{k}]", problems, 0.0, 1.0),
            )
        )
    if [x for x, _s in points] != sorted({x for x, _s in points}):
        problems.append(f"{where}: scoring.points values must be strictly ascending")
    return points


def _bands(raw: Any, problems: list[str]) -> list[Band]:
    bands: list[Band] = []
    for i, b in enumerate(raw):
        if not isinstance(b, dict):
            problems.append(f"bands[{i}]: a band must be a mapping")
            continue
        bcode = str(b.get("code", ""))
        if not _CODE.match(bcode):
            problems.append(f"bands[{i}]: code {bcode!r} is not a valid code")
        bands.append(
            Band(
                bcode,
                _number(b.get("min", 0), f"bands[{i}].min", problems, 0.0, 1.0),
                _labels(b.get("labels"), f"bands[{i}]", problems),
            )
        )
    mins = [b.min for b in bands]
    if bands and (mins != sorted(set(mins)) or mins[0] != 0.0):
        problems.append("bands: lower bounds must be ascending, distinct and start at 0")
    return bands
