"""M&E case rows at scale: the k-anonymous release (`/api/v1/analytics/cases/`) against the rows as they
were built before it (every case's full row in Python).

    .venv/bin/python bench/bench_me_rows.py                  # 20k cases in one organisation, temporary SQLite
    BENCH_CASES=100000 BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/bench_me_rows.py

Seeds one organisation with `reintegra seed`'s generator, then times (median and p95 milliseconds):
- `release_cold`: counting the quasi-identifiers in SQL and searching the generalisation (no cache);
- `release_warm`: the same counts with the generalisation already known (pages after the first);
- `api_page`: one JSON page of 25 rows through the API (middleware, auth, serializer), warm;
- `csv_download`: every released row as streamed CSV, through the API;
- `previous_full_rows`: what the endpoint did before, for every request: each case's full row (counts of
  assessments and follow-ups, plan dimensions) built in Python and sorted.
Also prints the release's k, rows released and withheld and the smallest class.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def timed(function, runs: int) -> dict:
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        values.append((time.perf_counter() - started) * 1000)
    ordered = sorted(values)
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1),
    }


def previous_full_rows(organisation_id: int) -> list[dict]:
    """The rows as the endpoint built them before the k-anonymous release (for comparison only)."""
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    from reintegra.access import crypto
    from reintegra.cases.models import Assessment, Case, FollowUpVisit, PlanItem

    def count_of(model):
        rows = model.objects.filter(case=OuterRef("pk")).order_by().values("case").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    columns = (
        "id",
        "returnee_id",
        "organisation__code",
        "returnee__sex",
        "returnee__birth_date",
        "returnee__estimated_birth_year",
        "returnee__nationality",
        "returnee__return_country",
        "returnee__admin1__name",
        "returnee__municipality__name",
        "returnee__attention_flags",
        "return_date",
        "return_type",
        "causes_of_migration",
        "status",
        "closure_category",
    )
    cases = Case.objects.filter(organisation_id=organisation_id)
    sources = list(
        cases.annotate(a=count_of(Assessment), f=count_of(FollowUpVisit)).values(*columns, "a", "f").order_by()
    )
    dimensions = defaultdict(list)
    for case_id, dimension in PlanItem.objects.filter(plan__case__in=cases).values_list("plan__case_id", "dimension"):
        dimensions[case_id].append(dimension)
    rows = []
    for s in sources:
        birth = s["returnee__birth_date"]
        rows.append(
            {
                "pid": crypto.pseudonym("returnee", s["returnee_id"]),
                "case_pid": crypto.pseudonym("case", s["id"]),
                "birth_year": birth.year if birth else s["returnee__estimated_birth_year"],
                "municipality": s["returnee__municipality__name"],
                "return_month": s["return_date"].replace(day=1) if s["return_date"] else None,
                "attention_flags": sorted(s["returnee__attention_flags"] or []),
                "assessments": s["a"],
                "follow_ups": s["f"],
                "plan_dimensions": sorted(dimensions.get(s["id"], [])),
            }
        )
    rows.sort(key=lambda row: row["case_pid"])
    return rows


def main() -> None:
    size = int(os.environ.get("BENCH_CASES", "20000"))
    database_url = os.environ.get("BENCH_DATABASE_URL")
    scratch = None
    if not database_url:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        database_url = f"sqlite:///{scratch.name}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reintegra.settings")
    os.environ.setdefault("REINTEGRA_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from reintegra.access.roles import Role
    from reintegra.demo import seeding, staff
    from reintegra.monitoring import analytics
    from reintegra.testing import factories

    call_command("migrate", verbosity=0)
    organisation = staff.default_organisations()[0]
    started = time.perf_counter()
    seeding.seed(size, seed=1, organisations=[organisation], weights=[1.0])
    seed_seconds = round(time.perf_counter() - started, 1)
    officer = factories.user(organisation, Role.ME_OFFICER)
    api = APIClient()
    api.force_authenticate(officer)

    def cold() -> None:
        analytics._RELEASES.clear()
        analytics.pseudonymised_release(officer)

    def csv_download() -> None:
        response = api.get("/api/v1/analytics/cases/", {"format": "csv"})
        for _chunk in response.streaming_content:
            pass

    release = analytics.pseudonymised_release(officer)
    result = {
        "database": "postgresql" if database_url.startswith("postgres") else "sqlite",
        "cases": size,
        "seed_seconds": seed_seconds,
        "release": release.summary,
        "release_cold": timed(cold, 5),
        "release_warm": timed(lambda: analytics.pseudonymised_release(officer), 5),
        "api_page": timed(lambda: api.get("/api/v1/analytics/cases/", {"page": 3}), 5),
        "csv_download": timed(csv_download, 5),
        "previous_full_rows": timed(lambda: previous_full_rows(organisation.pk), 5),
    }
    print(json.dumps(result))
    if scratch is not None:
        Path(scratch.name).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
