"""Benchmark of the duplicate-detection core (reintegra.cases.matching), without Django.

Generates N synthetic Hispanic person records deterministically, indexes them by blocking key in a
dict (standing in for the indexed key table), then times, per query, the whole check the app runs at
registration: query_keys + candidate retrieval + rank_candidates.

Half of the queries are perturbed copies of stored records (a typo, swapped surnames, a dropped
second surname, or accents stripped and upper-cased), half are newly generated people. Prints one
JSON object:

  recall               share of perturbed queries whose original is ranked first
  false_positive_rate  share of new-person queries with any candidate scoring >= 0.8

Names follow a skewed (Zipf-like) frequency, as real surnames do, so that blocks for García or
Hernández are as crowded as they are in practice.

Usage: python bench/bench_matching_core.py [--records N] [--queries Q] [--seed S]

Other benchmarks reuse the generator: ``generate_people(n, seed)`` gives the same records this one
indexes, and ``Generator`` also makes perturbed copies and new people for queries.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from reintegra.cases.matching import (
    PersonRecord,
    blocking_keys,
    query_keys,
    rank_candidates,
)

# Ordered roughly by frequency in Mexico and northern Central America; weights decay Zipf-like.
SURNAMES = [
    "Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez", "Sánchez",
    "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes", "Jiménez", "Torres", "Díaz",
    "Gutiérrez", "Ruiz", "Mendoza", "Aguilar", "Ortiz", "Moreno", "Castillo", "Romero", "Álvarez",
    "Méndez", "Chávez", "Rivera", "Juárez", "Ramos", "Domínguez", "Herrera", "Medina", "Castro",
    "Vargas", "Guzmán", "Velázquez", "Muñoz", "Rojas", "Contreras", "Salazar", "Luna", "Ortega",
    "Santiago", "Guerrero", "Bautista", "Estrada", "Cortés", "Soto", "Alvarado", "Espinoza", "Lara",
    "Ávila", "Ríos", "Cervantes", "Silva", "Delgado", "Vega", "Márquez", "Sandoval", "Fernández",
    "León", "Carrillo", "Mejía", "Solís", "Núñez", "Rosas", "Valdez", "Ibarra", "Campos", "Santos",
    "Camacho", "Navarro", "Peña", "Maldonado", "Rosales", "Acosta", "Miranda", "Trejo", "Valencia",
    "Nava", "Pacheco", "Robles", "Molina", "Rangel", "Salinas", "Huerta", "Fuentes", "Ceballos",
    "Quiroz", "Villalobos", "Escobar", "Zamora", "Orellana", "Bonilla", "Aguirre", "Cáceres", "Girón",
    "Barrios", "Paz", "Argueta", "Lemus", "Cabrera", "Zelaya", "Osorio", "Murillo", "Quintanilla",
    "Guillén", "Ayala", "Figueroa", "Benítez", "Padilla", "Cordero", "Xicará", "Yax", "Coc", "Tzul",
]  # fmt: skip

MALE_GIVEN = [
    "José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Francisco", "Jesús", "Antonio", "Alejandro",
    "Pedro", "Manuel", "Ricardo", "Fernando", "Roberto", "Javier", "Eduardo", "Daniel", "Mario",
    "Sergio", "Raúl", "Rafael", "Arturo", "Óscar", "Héctor", "Guillermo", "Víctor", "Alberto",
    "Jonathan", "Brayan", "Kevin", "Cristian", "Erick", "Édgar", "Wilmer", "Nelson", "Marvin",
    "Ángel", "Gerardo", "Hugo", "Rubén", "Ramón", "Salvador", "Enrique", "Gabriel", "Santiago",
    "Diego", "Emmanuel", "Abraham", "Josué", "Elmer", "Walter", "Osmin", "Byron", "Gustavo",
]  # fmt: skip

FEMALE_GIVEN = [
    "María", "Guadalupe", "Juana", "Ana", "Rosa", "Margarita", "Verónica", "Leticia", "Patricia",
    "Elizabeth", "Alejandra", "Gabriela", "Adriana", "Laura", "Claudia", "Martha", "Yolanda",
    "Silvia", "Sandra", "Karla", "Fernanda", "Daniela", "Jimena", "Ximena", "Yessica", "Jessica",
    "Karen", "Wendy", "Nayeli", "Lucía", "Sofía", "Valeria", "Andrea", "Paola", "Mónica", "Carmen",
    "Dulce", "Esperanza", "Reyna", "Yesenia", "Marisol", "Brenda", "Lorena", "Evelyn", "Ingrid",
    "Glenda", "Dayana", "Heidy", "Kimberly", "Lesly",
]  # fmt: skip

SECOND_MALE = ["Luis", "Antonio", "Manuel", "Carlos", "Ángel", "Alberto", "Miguel", "Francisco", "David"]
SECOND_FEMALE = ["José", "Guadalupe", "Fernanda", "Isabel", "del Carmen", "Elena", "Luisa", "de Jesús"]

_LETTERS = "abcdefghijklmnopqrstuvwxyz"

DEFAULT_SEED = 20240611


def _zipf_weights(n: int, exponent: float) -> list[float]:
    return [1.0 / (rank + 1) ** exponent for rank in range(n)]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        # Exponents chosen so the top entries land near their real shares (Hernández ~5% of surnames,
        # José ~9% of first given names of men).
        self.surname_cum = list(itertools.accumulate(_zipf_weights(len(SURNAMES), 0.6)))
        self.male_cum = list(itertools.accumulate(_zipf_weights(len(MALE_GIVEN), 0.6)))
        self.female_cum = list(itertools.accumulate(_zipf_weights(len(FEMALE_GIVEN), 0.6)))
        self.day0 = date(1955, 1, 1).toordinal()
        self.day_span = date(2008, 12, 31).toordinal() - self.day0

    def surname(self) -> str:
        return self.rng.choices(SURNAMES, cum_weights=self.surname_cum)[0]

    def person(self, pid: int) -> PersonRecord:
        rng = self.rng
        if rng.random() < 0.7:  # most returnees are men
            given = rng.choices(MALE_GIVEN, cum_weights=self.male_cum)[0]
            if rng.random() < 0.4:
                given = f"{given} {rng.choice(SECOND_MALE)}"
        else:
            given = rng.choices(FEMALE_GIVEN, cum_weights=self.female_cum)[0]
            if rng.random() < 0.5:
                given = f"{given} {rng.choice(SECOND_FEMALE)}"
        first = self.surname()
        second = self.surname() if rng.random() < 0.93 else ""
        birth = date.fromordinal(self.day0 + rng.randrange(self.day_span))
        roll = rng.random()
        if roll < 0.80:
            return PersonRecord(pid, given, first, second, birth_date=birth)
        if roll < 0.95:  # only an age was stated
            return PersonRecord(pid, given, first, second, birth_year=birth.year + rng.choice((-1, 0, 0, 1)))
        return PersonRecord(pid, given, first, second)

    def people(self, n: int) -> list[PersonRecord]:
        """n new people with ids 1..n, drawn in order from this generator's random stream."""
        return [self.person(pid) for pid in range(1, n + 1)]

    def typo(self, text: str) -> str:
        rng = self.rng
        chars = list(text)
        letters = [i for i, c in enumerate(chars) if c.isalpha()]
        if len(letters) < 3:
            return text
        i = rng.choice(letters)
        kind = rng.randrange(4)
        if kind == 0:
            chars[i] = rng.choice(_LETTERS)
        elif kind == 1:
            del chars[i]
        elif kind == 2:
            chars.insert(i, rng.choice(_LETTERS))
        elif i + 1 < len(chars) and chars[i + 1].isalpha():
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars[i] = rng.choice(_LETTERS)
        return "".join(chars)

    def perturb(self, p: PersonRecord) -> tuple[str, PersonRecord]:
        rng = self.rng
        kinds = ("typo", "swap", "drop_second", "accents") if p.second_family_name else ("typo", "accents")
        kind = rng.choice(kinds)
        given, first, second = p.given_names, p.first_family_name, p.second_family_name
        if kind == "typo":
            field = rng.randrange(3) if second else rng.randrange(2)
            if field == 0:
                given = self.typo(given)
            elif field == 1:
                first = self.typo(first)
            else:
                second = self.typo(second)
        elif kind == "swap":
            first, second = second, first
        elif kind == "drop_second":
            second = ""
        else:
            given, first, second = (_strip_accents(s).upper() for s in (given, first, second))
        return kind, PersonRecord(0, given, first, second, p.birth_date, p.birth_year)


def generate_people(n: int, seed: int = DEFAULT_SEED) -> list[PersonRecord]:
    """The n deterministic people (ids 1..n) this benchmark indexes for a given seed."""
    return Generator(seed).people(n)


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()

    gen = Generator(args.seed)
    t0 = time.perf_counter()
    records = {person.id: person for person in gen.people(args.records)}
    t_generate = time.perf_counter() - t0

    t0 = time.perf_counter()
    index: defaultdict[str, list[int]] = defaultdict(list)
    for pid, person in records.items():
        for key in blocking_keys(person):
            index[key].append(pid)
    t_index = time.perf_counter() - t0

    n_dup = args.queries // 2
    queries: list[tuple[int | None, str, PersonRecord]] = []
    for _ in range(n_dup):
        original = records[gen.rng.randrange(1, args.records + 1)]
        kind, perturbed = gen.perturb(original)
        queries.append((original.id, kind, perturbed))
    for _ in range(args.queries - n_dup):
        queries.append((None, "new", gen.person(0)))

    timings: list[float] = []
    n_candidates: list[int] = []
    hits = 0
    misses: dict[str, int] = defaultdict(int)
    false_positives = 0
    for original_id, kind, query in queries:
        start = time.perf_counter()
        ids: set[int] = set()
        for key in query_keys(query):
            ids.update(index.get(key, ()))
        ranked = rank_candidates(query, (records[i] for i in ids), threshold=0.5, limit=10)
        timings.append(time.perf_counter() - start)
        n_candidates.append(len(ids))
        if original_id is None:
            false_positives += any(m.score >= 0.8 for m in ranked)
        elif ranked and ranked[0].id == original_id:
            hits += 1
        else:
            misses[kind] += 1

    timings.sort()
    result = {
        "n_records": len(records),
        "n_queries": len(queries),
        "p50_ms": round(statistics.median(timings) * 1000, 3),
        "p95_ms": round(timings[min(len(timings) - 1, int(0.95 * len(timings)))] * 1000, 3),
        "mean_candidates": round(statistics.fmean(n_candidates), 1),
        "recall": round(hits / n_dup, 4) if n_dup else None,
        "false_positive_rate": round(false_positives / (len(queries) - n_dup), 4),
        "misses_by_kind": dict(sorted(misses.items())),
        "index_keys": len(index),
        "generate_s": round(t_generate, 2),
        "index_s": round(t_index, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
