from __future__ import annotations

from typing import Any

import pytest

from reintegra.access.roles import Role
from reintegra.testing import factories
from reintegra.testing.survey import RSS_PATH, as_cells, best_answers, economic_answers, rss_raw, submissions_csv  # noqa: F401


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
