"""RSS scoring at scale: batch-scoring throughput and programme-level score distributions.

    .venv/bin/python bench/bench_rss_scoring.py                     # 1M responses, 100k cases, temp SQLite
    BENCH_RSS_RESPONSES=200000 BENCH_RSS_CASES=20000 BENCH_DATABASE_URL=postgres://... .venv/bin/python bench/...

1. Batch scoring (pure NumPy, `scoring.Scorer.score_matrix`) of N synthetic responses to the shipped RSS
   (27 scored questions, ~10 % missing answers), against the lower bound of the same work: one bare
   NumPy matrix product of the same shape ((N x q) @ (q x 4)). Goals: >= 1,000,000 responses/s and
   <= 3x the bare product. Also timed: the same from raw option indices (the table lookup that turns
   answers into question scores), end to end.
2. Programme-level score distributions (the M&E page: `reports.distribution_data`) over the current
   scores of 100k cases' rounds in the database (rows written with bulk_create).
Prints JSON; best of several runs for the in-memory timings, p50/p95 for the database ones.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def best_of(fn, runs: int = 5) -> float:
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def percentiles(fn, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {"p50_ms": round(statistics.median(samples), 2), "p95_ms": round(samples[int(0.95 * (runs - 1))], 2)}


def batch_scoring(n: int) -> dict:
    import yaml

    from reintegra.sustainability import definition, scoring

    raw = yaml.safe_load((ROOT / "src/reintegra/sustainability/instruments/rss.yaml").read_text(encoding="utf-8"))
    parsed = definition.parse(raw)
    scorer = scoring.Scorer(parsed)
    q = len(scorer.questions)
    rng = np.random.default_rng(7)
    # Option indices per question (single-choice form of every question, numbers as 4 levels).
    tables = np.full((q, 8), np.nan)
    for j, question in enumerate(scorer.questions):
        if question.options:
            values = [np.nan if o.score is None else o.score for o in question.options][:8]
        else:
            values = [s for _x, s in question.points][:8]
        tables[j, : len(values)] = values
    counts = (~np.isnan(tables)).sum(axis=1)
    counts = np.maximum(counts, 1)
    indices = (rng.random((n, q)) * counts).astype(np.int64)
    matrix = tables[np.arange(q), indices]  # question scores, NaN where missing
    matrix[rng.random((n, q)) < 0.08] = np.nan  # and some unanswered questions
    missing_share = float(np.isnan(matrix).mean())

    weights = scorer.weights
    filled = np.nan_to_num(matrix)
    bare = best_of(lambda: filled @ weights)
    scored = best_of(lambda: scorer.score_matrix(matrix))
    end_to_end = best_of(lambda: scorer.score_matrix(tables[np.arange(q), indices]))
    result = scorer.score_matrix(matrix)
    return {
        "responses": n,
        "questions": q,
        "missing_share": round(missing_share, 3),
        "bare_matmul_s": round(bare, 4),
        "score_matrix_s": round(scored, 4),
        "responses_per_s": int(n / scored),
        "ratio_to_bare_matmul": round(scored / bare, 2),
        "from_option_indices_s": round(end_to_end, 4),
        "from_option_indices_responses_per_s": int(n / end_to_end),
        "reported_composite_share": round(float((~np.isnan(result[:, 3])).mean()), 3),
        "goal": ">= 1,000,000 responses/s and <= 3x the bare matrix product",
    }


def distributions(cases: int) -> dict:
    database_url = os.environ.get("BENCH_DATABASE_URL")
    scratch = None
    if not database_url:
        scratch = tempfile.NamedTemporaryFile(suffix=".sqlite3", delete=False)  # noqa: SIM115
        database_url = f"sqlite:///{scratch.name}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reintegra.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from reintegra.access.models import Organisation, Programme, User
    from reintegra.cases.models import Case, Returnee
    from reintegra.sustainability import scoring, services
    from reintegra.sustainability.models import Instrument, RoundScore, SurveyRound
    from reintegra.sustainability.reports import distribution_data

    started = time.perf_counter()
    org, _ = Organisation.objects.get_or_create(code="bench-rss", defaults={"name": "Bench RSS", "country": "GT"})
    programme, _ = Programme.objects.get_or_create(code="bench-rss", defaults={"organisation": org, "name": "Bench"})
    user, _ = User.objects.get_or_create(username="bench-rss", defaults={"organisation": org})
    version = services.load_default_instrument().version
    assert Instrument.objects.filter(pk=version.instrument_id).exists()
    scorer = scoring.Scorer(version.parsed())
    rng = np.random.default_rng(11)
    existing = Case.objects.filter(programme=programme).count()
    batch = 10000
    today = date(2026, 1, 1)
    with transaction.atomic():
        for start in range(existing, cases, batch):
            size = min(batch, cases - start)
            returnees = Returnee.objects.bulk_create(
                [
                    Returnee(
                        organisation=org,
                        given_names="Persona",
                        first_family_name=f"Bench{start + i}",
                        nationality="GT",
                        return_country="GT",
                    )
                    for i in range(size)
                ]
            )
            case_rows = Case.objects.bulk_create(
                [
                    Case(
                        case_number=f"BENCH-{start + i:07d}",
                        returnee=r,
                        organisation=org,
                        programme=programme,
                        return_date=today - timedelta(days=int(rng.integers(0, 700))),
                        return_type="forced",
                    )
                    for i, r in enumerate(returnees)
                ]
            )
            month = [0, 6, 12, 18]
            rounds = SurveyRound.objects.bulk_create(
                [
                    SurveyRound(
                        case=c,
                        organisation_id=c.organisation_id,
                        version=version,
                        taken_on=today,
                        round_month=month[i % 4],
                        answers={},
                        recorded_by=user,
                    )
                    for i, c in enumerate(case_rows)
                ]
            )
            values = scorer.score_matrix(rng.random((size, len(scorer.questions))))
            RoundScore.objects.bulk_create(
                [
                    RoundScore(
                        round=r,
                        organisation_id=r.organisation_id,
                        version=version,
                        economic=float(v[0]),
                        social=float(v[1]),
                        psychosocial=float(v[2]),
                        composite=float(v[3]),
                        bands={},
                        computed_by=user,
                    )
                    for r, v in zip(rounds, values, strict=True)
                ]
            )
    seeded = time.perf_counter() - started
    all_rounds = percentiles(lambda: distribution_data(programme, None), 7)
    baseline = percentiles(lambda: distribution_data(programme, 0), 7)
    check = distribution_data(programme, None)
    if scratch is not None:
        Path(scratch.name).unlink(missing_ok=True)
    return {
        "cases": cases,
        "database": database_url.split(":", 1)[0],
        "seed_s": round(seeded, 1),
        "distribution_all_rounds": all_rounds,
        "distribution_one_round": baseline,
        "rounds_counted": check["composite"]["n"],
    }


def main() -> None:
    responses = int(os.environ.get("BENCH_RSS_RESPONSES", "1000000"))
    cases = int(os.environ.get("BENCH_RSS_CASES", "100000"))
    result = {"rss_batch_scoring": batch_scoring(responses)}
    if cases:
        result["rss_distributions"] = distributions(cases)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
