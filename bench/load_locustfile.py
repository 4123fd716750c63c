"""The users `bench/bench_load.py` sends against `reintegra serve` (locust, headless).

Each simulated user is a supervisor of the seeded organisation (one account per user, from the fixture file the
bench wrote: names, passwords, API tokens, case ids, surnames). It signs in through the login page, then, with
one to three seconds of thinking between requests, does what a supervisor's day is made of: the case list, a
search by surname, a case page, the API's case list and a case, the home page, and now and then a write (a
counselling session recorded through the API). Any answer other than 2xx/3xx is a failure.

The users are locust's FastHttpUser (geventhttpclient, cookies kept per user like a browser's): the load generator
shares the two cores with the server it measures, and python-requests' client cost several times its CPU a request.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, task

FIXTURE: dict[str, Any] = json.loads(Path(os.environ["BENCH_LOAD_FIXTURE"]).read_text(encoding="utf-8"))
ACCOUNTS = itertools.cycle(FIXTURE["accounts"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Supervisor(FastHttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        account = next(ACCOUNTS)
        self.token = account["token"]
        self.rng = random.Random(account["username"])
        page = self.client.get("/login/", name="login page")
        found = CSRF.search(page.text)
        token = found.group(1) if found else ""
        self.client.post(
            "/login/",
            {"username": account["username"], "password": account["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/login/"},
            name="sign in (then home)",
        )

    def _api(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}", "Accept": "application/json"}

    @task(4)
    def case_list(self) -> None:
        self.client.get(f"/casos/?page={self.rng.randint(1, FIXTURE['list_pages'])}", name="case list")

    @task(3)
    def search(self) -> None:
        self.client.get("/casos/", params={"q": self.rng.choice(FIXTURE["surnames"])}, name="case search")

    @task(4)
    def case_page(self) -> None:
        self.client.get(f"/casos/{self.rng.choice(FIXTURE['case_ids'])}/", name="case page")

    @task(2)
    def api_case_list(self) -> None:
        page = self.rng.randint(1, FIXTURE["api_pages"])
        self.client.get(f"/api/v1/cases/?page={page}", headers=self._api(), name="API case list")

    @task(2)
    def api_case(self) -> None:
        self.client.get(f"/api/v1/cases/{self.rng.choice(FIXTURE['case_ids'])}/", headers=self._api(), name="API case")

    @task(1)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(1)
    def record_counselling(self) -> None:
        case_id = self.rng.choice(FIXTURE["open_case_ids"])
        with self.client.post(
            f"/api/v1/cases/{case_id}/counselling-sessions/",
            json={
                # Yesterday: the installation's day may not have reached this machine's (UTC) date yet.
                "held_on": (date.today() - timedelta(days=1)).isoformat(),
                "mode": "phone",
                "duration_minutes": 20,
                "topics": "Seguimiento telefónico (prueba de carga)",
                "notes": "",
            },
            headers=self._api(),
            name="API write: counselling session",
            catch_response=True,
        ) as answer:
            if answer.status_code != 201:  # the refusal's reason (codes only, no personal data) in the failures
                answer.failure(f"{answer.status_code} {answer.text[:300]}")
