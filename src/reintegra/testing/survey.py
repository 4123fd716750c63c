"""Answers to the shipped RSS for tests: the best (or worst) answer to every scored question, the economic
dimension alone (enough for one score), and Kobo-style CSV exports of them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reintegra.sustainability import definition

RSS_PATH = Path(definition.__file__).parent / "instruments" / "rss.yaml"


def rss_raw() -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(RSS_PATH.read_text(encoding="utf-8"))
    return raw


def best_answers(raw: dict[str, Any] | None = None, best: bool = True) -> dict[str, Any]:
    parsed = definition.parse(raw or rss_raw())
    answers: dict[str, Any] = {}
    for q in parsed.scored_questions:
        if q.type == "number":
            answers[q.code] = q.points[0][0] if best else q.points[-1][0]
        else:
            scored = [o for o in q.options if not o.missing and o.score is not None]
            chosen = max(scored, key=lambda o: o.score or 0.0) if best else min(scored, key=lambda o: o.score or 0.0)
            answers[q.code] = [chosen.code] if q.type == "multiple" else chosen.code
    return answers


def economic_answers() -> dict[str, Any]:
    """The economic dimension answered (enough for its score; the round is not refused as too thin)."""
    return {k: v for k, v in best_answers().items() if k.startswith("eco_")}


def as_cells(answers: dict[str, Any]) -> dict[str, str]:
    """Answers as CSV/form cells: a multiple choice space-separated (as ODK/Kobo export it)."""
    return {k: " ".join(v) if isinstance(v, list) else str(v) for k, v in answers.items()}


def submissions_csv(rows: list[str]) -> bytes:
    """A Kobo-style export: `case_number,survey_date,eco_satisfaction,psy_safety,_uuid` as the row gives them,
    then the rest of the economic questions answered (so that a good row yields a score)."""
    rest = {k: v for k, v in as_cells(economic_answers()).items() if k != "eco_satisfaction"}
    header = ",".join(["case_number,survey_date,eco_satisfaction,psy_safety,_uuid", *rest])
    tail = ",".join(rest.values())
    return ("\n".join([header, *(f"{row},{tail}" for row in rows)]) + "\n").encode()
