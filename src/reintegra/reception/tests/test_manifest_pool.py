"""The scoring workers of a manifest import (`manifest_pool`): the same scores as `score_pair` in-process,
and the same matches on the fixed dataset of `test_manifest_matches_fixed.py` with two worker processes."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reintegra.access import crypto
from reintegra.cases import matching, name_index
from reintegra.cases.models import Returnee
from reintegra.demo import seeding
from reintegra.reception import manifest_core as core
from reintegra.reception import manifest_pool, manifest_writer
from reintegra.reception import manifest_services as services
from reintegra.reception.manifest_choices import ManifestStatus
from reintegra.reception.manifest_models import ManifestMapping
from reintegra.reception.models import ReceptionPoint
from reintegra.reception.tests import test_manifest_matches_fixed as fixed
from reintegra.testing import factories as f

NAMES = st.sampled_from(["Ana María", "José", "Maria Jose", "Juan Carlos", "Jose", "Ana", "Marta", "Ingrid"])
SURNAMES = st.sampled_from(["López", "Lopez", "Pérez", "Perez", "García", "Xol", "Choc", ""])
PEOPLE = st.builds(
    matching.PersonRecord,
    id=st.integers(1, 10**9),
    given_names=NAMES,
    first_family_name=SURNAMES,
    second_family_name=SURNAMES,
    birth_date=st.none() | st.dates(date(1950, 1, 1), date(2020, 12, 31)),
    birth_year=st.none() | st.integers(1950, 2020),
    document_keys=st.frozensets(st.sampled_from(["a", "b", "c"]), max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(PEOPLE, min_size=1, max_size=6, unique_by=lambda p: p.id), st.lists(PEOPLE, min_size=1, max_size=4))
def test_scores_are_those_of_score_pair(
    register: list[matching.PersonRecord], rows: list[matching.PersonRecord]
) -> None:
    records = {p.id: manifest_pool.as_tuple(p) for p in register}
    # Each row also against the rows before it (a chunk's earlier rows, sent as records, not ids).
    tuples = [manifest_pool.as_tuple(row) for row in rows]
    jobs = [(tuples[n], [p.id for p in register], tuples[:n]) for n in range(len(rows))]
    scored = manifest_pool.score(records, jobs)
    expected = [[matching.score_pair(row, p) for p in [*register, *rows[:n]]] for n, row in enumerate(rows)]
    assert scored == [[(m.id, m.score, m.reasons) for m in found] for found in expected]


@settings(max_examples=60, deadline=None)
@given(st.lists(PEOPLE, min_size=1, max_size=6, unique_by=lambda p: p.id), st.lists(PEOPLE, min_size=1, max_size=4))
def test_pairs_below_the_floor_are_not_scored_and_none_above(
    register: list[matching.PersonRecord], rows: list[matching.PersonRecord]
) -> None:
    """With a floor (the import's: `core.UNCERTAIN`), a pair is either scored as `score_pair` scores it or
    marked BELOW, and only when `score_pair` would score it under the floor: the scores the writer keeps are
    the same."""
    records = {p.id: manifest_pool.as_tuple(p) for p in register}
    tuples = [manifest_pool.as_tuple(row) for row in rows]
    jobs = [(tuples[n], [p.id for p in register], tuples[:n]) for n in range(len(rows))]
    scored = manifest_pool.score(records, jobs, core.UNCERTAIN)
    for n, (row, found) in enumerate(zip(rows, scored, strict=True)):
        for other, (pk, value, reasons) in zip([*register, *rows[:n]], found, strict=True):
            expected = matching.score_pair(row, other)
            assert pk == expected.id
            if value == manifest_pool.BELOW:
                assert expected.score < core.UNCERTAIN and reasons == ()
            else:
                assert (value, reasons) == (expected.score, expected.reasons)


WORDS = st.sampled_from(["Ana María", "José", "Núñez", "de la Cruz", "Xol", "O'Brien", "", "Ma. Guadalupe"])
ROWS = st.tuples(
    WORDS.filter(bool),
    WORDS.filter(bool),
    WORDS,
    st.none() | st.dates(date(1950, 1, 1), date(2020, 12, 31)),
    st.none() | st.integers(1950, 2020),
    st.sampled_from(["", "+50255512345"]),
    st.sampled_from(["", "P-123 456"]),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(ROWS, min_size=1, max_size=4), st.integers(1, 10**6))
def test_prepared_rows_are_what_the_writer_would_compute(rows: list[manifest_pool.Person], organisation: int) -> None:
    """The worker's digests and ciphertexts: `name_index.identity_index`'s, the blocking keys the register is
    searched by, and `crypto.encrypt`'s cipher (decrypted with the configured keys)."""
    indexer = name_index.indexer()
    prepared = manifest_pool.Preparer(manifest_writer.secrets(organisation)).prepare(rows)
    for row, done in zip(rows, prepared, strict=True):
        given_names, first, second, born, year, phone, document = row
        estimated = None if born else year
        index = name_index.identity_index(indexer, organisation, given_names, first, second, born, estimated)
        person = matching.PersonRecord(0, given_names, first, second, born, estimated)
        assert list(done.query_keys) == indexer.blocking_keys(organisation, matching.query_keys(person))
        assert list(zip(done.token_kinds, done.token_digests, strict=True)) == index.tokens
        assert list(done.match_keys) == index.match_keys
        assert (done.birth_year, done.birth_date_index) == (index.birth_year, index.birth_date_index)
        clear = {name: crypto.decrypt(value) for name, value in done.columns.items()}
        values = (given_names, first, second, born.isoformat() if born else "", phone, index.match_record)
        expected = dict(zip(manifest_pool.ENCRYPTED, values, strict=True))
        assert clear == {name: value for name, value in expected.items() if value}
        assert (crypto.decrypt(done.document) if done.document else "") == document


def test_a_worker_that_fails_fails_the_import_without_a_value() -> None:
    """A job the worker cannot do is reported by the exception's type only, and raised in the import."""
    person = matching.PersonRecord(id=7, given_names="Ana", first_family_name="López")
    threads = threading.active_count()
    with manifest_pool.Scorer(1, manifest_writer.secrets(1)) as scorer:
        assert scorer.pool is not None and scorer.workers == 1
        prepared = scorer.prepare([("Ana", "López", "", None, 1990, "", "")])
        record = manifest_pool.as_tuple(person)
        # The first: a person the worker cannot read.
        failed = scorer.submit(manifest_pool.Known(plain=[record[:6]]), [(record[:1], [7], []), (record, [7], [])])
        assert prepared()[0].columns.keys() == {"given_names", "first_family_name", "match_record"}
        with pytest.raises(RuntimeError, match=r"\(TypeError\)$"):
            failed()
        process = scorer.pool[0].process
    assert process.poll() is not None and threading.active_count() == threads  # no worker, no thread left


def test_a_scorer_without_workers_scores_when_asked() -> None:
    person = matching.PersonRecord(id=7, given_names="Ana", first_family_name="López", birth_date=date(1990, 1, 2))
    with manifest_pool.Scorer(0) as scorer:
        assert scorer.pool is None
        record = manifest_pool.as_tuple(person)
        results = scorer.submit(manifest_pool.Known(plain=[record[:6]]), [(record, [7], [])])()
    assert results[0][0][0] == 7 and results[0][0][1] == matching.score_pair(person, person).score


def test_small_files_are_scored_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REINTEGRA_MANIFEST_WORKERS", raising=False)
    assert manifest_pool.scorer_for(manifest_pool.POOL_FROM - 1).workers == 0
    monkeypatch.setenv("REINTEGRA_MANIFEST_WORKERS", "0")
    assert manifest_pool.scorer_for(manifest_pool.POOL_FROM * 10).workers == 0


@pytest.mark.django_db
def test_two_workers_give_the_recorded_matches(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixed dataset imported with two worker processes (forced for its 900 rows, while the import's
    process keeps its open connection and transaction): the matches recorded in-process."""
    from reintegra.demo import staff
    from reintegra.places.services import load_gazetteer

    load_gazetteer(countries=["GT"])
    organisation = staff.ensure_organisation("oim-gt")
    seeding.seed(400, seed=3, organisations=[organisation], as_of=fixed.AS_OF, workers=0)
    user = f.user(organisation, "programme_manager")
    point = ReceptionPoint.objects.create(
        organisation=organisation, code="fag", name="Centro de Recepción FAG", country="GT", kind="airport"
    )
    mapping = ManifestMapping.objects.create(
        organisation=organisation, name="fija", columns=fixed.COLUMNS, return_type="forced", created_by=user
    )
    known = sorted(Returnee.objects.filter(organisation=organisation), key=fixed._person)
    before = {r.pk for r in known}
    content = fixed._manifest(known, 900)
    monkeypatch.setattr(services, "CHUNK", 150)
    monkeypatch.setattr(manifest_writer, "CHUNK", 150)
    monkeypatch.setattr(manifest_pool, "POOL_FROM", 0)
    monkeypatch.setenv("REINTEGRA_MANIFEST_WORKERS", "2")
    used: list[int] = []
    real = manifest_pool.scorer_for

    def spy(rows: int, secrets: manifest_pool.Secrets | None = None) -> manifest_pool.Scorer:
        scorer = real(rows, secrets)
        used.append(scorer.workers if scorer.pool is not None else 0)
        return scorer

    monkeypatch.setattr(manifest_pool, "scorer_for", spy)
    record = services.import_file(organisation, point=point, mapping=mapping, source=content, file_name="fija.csv")
    assert record.status == ManifestStatus.DONE, record.report
    assert used == [2]
    outcome = fixed._outcome(record, before)
    expected = json.loads(fixed.EXPECTED.read_text(encoding="utf-8"))
    assert outcome["counts"] == expected["counts"]
    assert outcome["intakes"] == expected["intakes"]
    assert outcome["reviews"] == expected["reviews"]


def _sealed(person: matching.PersonRecord) -> tuple[int, str, int | None]:
    """The person as the register stores it: the match record encrypted as the model's field encrypts it."""
    born = person.birth_date.isoformat() if person.birth_date else None
    text = json.dumps([person.given_names, person.first_family_name, person.second_family_name, born])
    return person.id, crypto.encrypt(text), None if person.birth_date else person.birth_year


@pytest.mark.parametrize("workers", [0, 1])
def test_the_scorer_opens_the_register_records_and_keeps_them_between_parts(workers: int) -> None:
    """The writer sends a register person's match record once, sealed as stored; the scorer opens it
    (`fernet_columns`, the keys of `crypto`), keeps it for later parts, and drops what it is told to forget after
    the parts sent before have been scored with it."""
    ana = matching.PersonRecord(id=7, given_names="Ana", first_family_name="López", birth_date=date(1990, 1, 2))
    jose = matching.PersonRecord(id=9, given_names="José", first_family_name="Pérez", birth_year=1985)
    new = matching.PersonRecord(id=11, given_names="Ana", first_family_name="Lopez", birth_date=date(1990, 1, 2))
    row = manifest_pool.as_tuple(matching.PersonRecord(id=0, given_names="Ana", first_family_name="López"))
    with manifest_pool.Scorer(workers, manifest_writer.secrets(1)) as scorer:
        first = scorer.submit(manifest_pool.Known(sealed=[_sealed(ana), _sealed(jose)]), [(row, [7, 9], [])])
        # Ana again without her record (kept), José forgotten, a new person of this import sent as it is.
        again = scorer.submit(
            manifest_pool.Known(forget=[9], plain=[manifest_pool.as_tuple(new)[:6]], held={7: frozenset({"d"})}),
            [(row, [7, 11], [])],
        )
        results = first() + again()
        if workers:
            with pytest.raises(RuntimeError, match=r"\(KeyError\)$"):
                scorer.submit(manifest_pool.Known(), [(row, [9], [])])()
    query = matching.PersonRecord(*row)
    held = matching.PersonRecord(*(*manifest_pool.as_tuple(ana)[:6], frozenset({"d"})))
    expected = [[ana, jose], [held, new]]
    scored = [[matching.score_pair(query, p) for p in people] for people in expected]
    assert results == [[(m.id, m.score, m.reasons) for m in found] for found in scored]


def test_a_register_record_the_keys_cannot_open_fails_the_import() -> None:
    person = matching.PersonRecord(id=7, given_names="Ana", first_family_name="López")
    pk, stored, year = _sealed(person)
    broken = stored[:-8] + ("A" * 8 if not stored.endswith("A" * 8) else "B" * 8)
    row = manifest_pool.as_tuple(person)
    with (
        manifest_pool.Scorer(1, manifest_writer.secrets(1)) as scorer,
        pytest.raises(RuntimeError, match=r"worker process failed"),
    ):
        scorer.submit(manifest_pool.Known(sealed=[(pk, broken, year)]), [(row, [7], [])])()
