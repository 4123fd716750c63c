from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from reintegra.access.roles import Role
from reintegra.sustainability import definition
from reintegra.testing import factories

RSS_PATH = Path(definition.__file__).parent / "instruments" / "rss.yaml"


def rss_raw() -> dict[str, Any]:
    return yaml.safe_load(RSS_PATH.read_text(encoding="utf-8"))


def best_answers(raw: dict[str, Any] | None = None, best: bool = True) -> dict[str, Any]:
    parsed = definition.parse(raw or rss_raw())
    answers: dict[str, Any] = {}
    for q in parsed.scored_questions:
        if q.type == "number":
            answers[q.code] = q.points[0][0] if best else q.points[-1][0]
        else:
            scored = [o for o in q.options if not o.missing]
            chosen = max(scored, key=lambda o: o.score) if best else min(scored, key=lambda o: o.score)
            answers[q.code] = [chosen.code] if q.type == "multiple" else chosen.code
    return answers


class World:
    def __init__(self) -> None:
        self.org = factories.organisation("org-a")
        self.programme = self.org.programmes.get()
        self.other_org = factories.organisation("org-b")
        self.manager = factories.user(self.org, Role.CASE_MANAGER, username="gestora")
        self.colleague = factories.user(self.org, Role.CASE_MANAGER, username="gestor")
        self.supervisor = factories.user(self.org, Role.SUPERVISOR, username="supervisora")
        self.pm = factories.user(self.org, Role.PROGRAMME_MANAGER, username="gerente")
        self.me = factories.user(self.org, Role.ME_OFFICER, username="monitoreo")
        self.outsider = factories.user(self.other_org, Role.SUPERVISOR, username="fuera")
        self.case = factories.case(self.manager, case_manager=self.manager)


@pytest.fixture
def world(db: Any) -> World:
    return World()
