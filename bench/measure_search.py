"""Measures one seeded database (run by bench/run.py with DATABASE_URL set); prints raw timings as JSON."""

import json
import random
import time
import unicodedata

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reintegra.access import api_tokens  # noqa: E402
from reintegra.access.models import RoleAssignment, User  # noqa: E402
from reintegra.cases.models import Case, Returnee  # noqa: E402


def accentless(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def main() -> None:
    case = Case.objects.order_by("id").first()
    # A supervisor sees the whole organisation: the widest scope, the slowest search.
    user, _ = User.objects.get_or_create(
        username="bench-supervisor", defaults={"organisation_id": case.organisation_id}
    )
    RoleAssignment.objects.get_or_create(user=user, role="supervisor")
    _token, secret = api_tokens.issue(user, name="bench", second_factor=True)
    client = Client(HTTP_AUTHORIZATION=f"Token {secret}")
    rng = random.Random(7)
    people = list(
        Returnee.objects.filter(organisation_id=case.organisation_id)
        .order_by("id")
        .values_list("given_names", "first_family_name", "second_family_name", "birth_date", "pk")[:20000]
    )
    sample = rng.sample(people, 60)
    numbers = list(
        Case.objects.filter(organisation_id=case.organisation_id).values_list("case_number", flat=True)[:2000]
    )
    terms = (
        [p[1] for p in sample[:20]]  # a surname
        + [f"{p[0].split()[0]} {p[1]}" for p in sample[20:40]]  # given name + surname
        + [accentless(p[1][:5]).lower() for p in sample[40:50]]  # a prefix typed without accents
        + rng.sample(numbers, 10)  # case numbers
    )
    for term in terms[:5]:
        client.get("/api/v1/cases/", {"search": term})  # warm-up

    api_ms: list[float] = []
    sql_ms: list[float] = []
    hits: list[int] = []
    for term in terms:
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get("/api/v1/cases/", {"search": term})
            api_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        hits.append(response.json()["count"])
        # The same statements the API ran against the case tables, re-executed raw.
        statements = [q["sql"] for q in ctx.captured_queries if "cases_case" in q["sql"]]
        start = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()
        sql_ms.append((time.perf_counter() - start) * 1000)

    dup_ms: list[float] = []
    found = 0
    # Recall of search: the person a name term was made from is among the cases it finds.
    from reintegra.cases import selectors

    owners = [p[4] for p in sample[:50]]
    search_found = sum(
        selectors.search_cases(user, selectors.CaseFilters(search=term)).filter(returnee_id=owner).exists()
        for term, owner in zip(terms[:50], owners, strict=True)
    )
    for given, first, second, birth, _pk in sample:
        # Perturbed as people re-register: no accents, upper case, surnames swapped.
        body = {
            "given_names": accentless(given).upper(),
            "family_names": f"{second} {first}".strip(),
            "birth_date": birth.isoformat() if birth else None,
        }
        start = time.perf_counter()
        response = client.post("/api/v1/returnees/duplicates/", body, content_type="application/json")
        dup_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:300]
        found += bool(response.json()["candidates"])
    print(
        json.dumps(
            {
                "api_ms": api_ms,
                "sql_ms": sql_ms,
                "hits": hits,
                "dup_ms": dup_ms,
                "dup_found": found,
                "dup_queries": len(sample),
                "search_found": search_found,
                "search_name_queries": len(owners),
            }
        )
    )


if __name__ == "__main__":
    main()
