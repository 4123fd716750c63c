"""The import's matches on a fixed register and a fixed file, compared with those recorded before the import
was made faster (`data/manifest_matches.json`): who is linked to whom, who is new, what waits for review
with which candidates and scores. Any change to the matcher's recall or decisions shows here.

The register is `reintegra seed`'s generator (fixed seed); the file is drawn from it as the benchmark draws
its own (register people with their birth date or only their age, rows repeated, new people with the
register's names recombined), in flights of 45 rows, imported in chunks of 150 rows so that people new in
one chunk are found by the next. Everything is described without database ids.

Regenerate (only when a change of the matcher is intended): REINTEGRA_RECORD_MATCHES=1 pytest this file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from reintegra.cases.models import Returnee
from reintegra.demo import seeding
from reintegra.reception import manifest_services as services
from reintegra.reception import manifest_writer
from reintegra.reception.manifest_choices import ManifestStatus
from reintegra.reception.manifest_models import ManifestImport, ManifestMapping, ManifestReview
from reintegra.reception.models import Intake, ReceptionPoint
from reintegra.testing import factories as f

EXPECTED = Path(__file__).parent / "data" / "manifest_matches.json"
AS_OF = date(2026, 6, 30)
HEADER = ["Nombres", "Primer apellido", "Segundo apellido", "Sexo", "Fecha de nacimiento", "Edad", "Documento",
          "Fecha de llegada", "Vuelo"]  # fmt: skip
COLUMNS = {
    "given_names": "Nombres",
    "first_family_name": "Primer apellido",
    "second_family_name": "Segundo apellido",
    "sex": "Sexo",
    "birth_date": "Fecha de nacimiento",
    "age": "Edad",
    "document_number": "Documento",
    "arrival_date": "Fecha de llegada",
    "means_number": "Vuelo",
}


def _person(returnee: Returnee) -> str:
    born = returnee.birth_date.isoformat() if returnee.birth_date else f"~{returnee.estimated_birth_year}"
    return f"{returnee.given_names}|{returnee.first_family_name}|{returnee.second_family_name}|{born}"


def _manifest(known: list[Returnee], rows: int) -> bytes:
    rng = random.Random(7)
    givens = [k.given_names for k in known]
    surnames = [k.first_family_name for k in known] + [k.second_family_name for k in known if k.second_family_name]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    written: list[list[str]] = []
    start = AS_OF - timedelta(days=20)
    for number in range(rows):
        day = start + timedelta(days=number // 45)
        flight = f"TA-{1000 + number // 45}"
        draw = rng.random()
        if draw < 0.03 and written:
            line = list(rng.choice(written))
        elif draw < 0.35:
            person = rng.choice(known)
            born = person.birth_date
            if born and rng.random() < 0.8:
                birth, age = born.strftime("%d/%m/%Y"), ""
            else:
                birth, age = "", str(day.year - (born.year if born else person.estimated_birth_year or 1990))
            sex = "F" if person.sex == "female" else "H"
            line = [person.given_names, person.first_family_name, person.second_family_name, sex, birth, age, "",
                    day.strftime("%d/%m/%Y"), flight]  # fmt: skip
        else:
            born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 45))
            document = f"P{rng.randrange(10**6):06d}" if rng.random() < 0.3 else ""
            line = [rng.choice(givens), rng.choice(surnames), rng.choice(surnames), rng.choice("FH"),
                    born.strftime("%d/%m/%Y"), "", document, day.strftime("%d/%m/%Y"), flight]  # fmt: skip
        writer.writerow(line)
        written.append(line)
    return out.getvalue().encode()


def _outcome(record: ManifestImport, before: set[int]) -> dict[str, Any]:
    def who(returnee: Returnee) -> str:
        return ("register " if returnee.pk in before else "new ") + _person(returnee)

    intakes = Counter(
        f"{intake.arrival.means_number} {'repeat' if intake.is_repeat_return else 'first'} {who(intake.returnee)}"
        for intake in Intake.objects.filter(arrival__organisation=record.organisation).select_related(
            "arrival", "returnee"
        )
    )
    people = {r.pk: r for r in Returnee.objects.filter(organisation=record.organisation)}
    reviews = [
        {
            "row": review.row,
            "new": _person(people[review.new_returnee_id]),
            "candidates": [
                [who(people[c["id"]]), round(c["score"], 4), sorted(c["reasons"])] for c in review.candidates
            ],
        }
        for review in ManifestReview.objects.filter(manifest_import=record).order_by("row")
    ]
    return {
        "counts": {
            name: getattr(record, name)
            for name in ("new_returnees", "repeat_returnees", "within_file_duplicates", "unchanged", "to_review")
        },
        "intakes": sorted(f"{n} x {line}" for line, n in intakes.items()),
        "reviews": reviews,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("cache", [manifest_writer.KNOWN, 300], ids=["default", "small-cache"])
def test_the_imports_matches_on_a_fixed_dataset_are_those_recorded(monkeypatch: pytest.MonkeyPatch, cache: int) -> None:
    """`cache`: how many decrypted match records the writer keeps between chunks (a small cache is emptied
    over and over: the matches stay the same)."""
    from reintegra.demo import staff
    from reintegra.places.services import load_gazetteer

    load_gazetteer(countries=["GT"])
    organisation = staff.ensure_organisation("oim-gt")
    seeding.seed(400, seed=3, organisations=[organisation], as_of=AS_OF, workers=0)
    user = f.user(organisation, "programme_manager")
    point = ReceptionPoint.objects.create(
        organisation=organisation, code="fag", name="Centro de Recepción FAG", country="GT", kind="airport"
    )
    mapping = ManifestMapping.objects.create(
        organisation=organisation, name="fija", columns=COLUMNS, return_type="forced", created_by=user
    )
    known = sorted(Returnee.objects.filter(organisation=organisation), key=_person)
    before = {r.pk for r in known}
    content = _manifest(known, 900)
    monkeypatch.setattr(services, "CHUNK", 150)
    monkeypatch.setattr(manifest_writer, "CHUNK", 150)
    monkeypatch.setattr(manifest_writer, "KNOWN", cache)
    record = services.import_file(organisation, point=point, mapping=mapping, source=content, file_name="fija.csv")
    assert record.status == ManifestStatus.DONE, record.report
    outcome = _outcome(record, before)
    if os.environ.get("REINTEGRA_RECORD_MATCHES") and cache == manifest_writer.KNOWN:
        EXPECTED.write_text(json.dumps(outcome, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert outcome["counts"] == expected["counts"]
    assert outcome["intakes"] == expected["intakes"]
    assert outcome["reviews"] == expected["reviews"]
    # The fixture exercises every path: links to the register, to earlier rows, reviews, repeats in the file.
    counts = expected["counts"]
    assert counts["repeat_returnees"] > 50 and counts["new_returnees"] > 300
    assert counts["within_file_duplicates"] > 10 and counts["to_review"] > 5
    again = services.import_file(organisation, point=point, mapping=mapping, source=content, file_name="fija.csv")
    assert again.unchanged + again.within_file_duplicates == again.rows_total
    assert again.new_returnees == again.repeat_returnees == again.to_review == 0
