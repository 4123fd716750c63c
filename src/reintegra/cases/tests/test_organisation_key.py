"""The organisation key on the rows below a case or a returnee (issue 19, reintegra.access.org_key): filled by
every write path, refused when it differs from the parent's, carried when the parent moves, and guarded by the
database on SQLite (triggers) and PostgreSQL (composite foreign keys) alike (DATABASE_URL)."""

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from reintegra.access.org_key import Link, links_of
from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.cases.choices import CaseEventKind
from reintegra.cases.models import Case, CaseEvent, MatchKey, NameToken, PlanItem, ReintegrationPlan, Returnee
from reintegra.testing import factories
from reintegra.testing.personal_records import build_everything

pytestmark = pytest.mark.django_db

KEYED = [model for model in apps.get_models() if getattr(model, "organisation_from", None)]


def _parent_organisation(model, row):
    """The organisation of the row's parent, read through the parent (not the row's copy)."""
    parent = getattr(row, model.organisation_from)
    return parent.organisation_id


def _moved(manager):
    """A case with a plan and an item, an assessment and events, and a second organisation."""
    case = factories.agreed_case(manager)
    return case, factories.organisation("otra-org")


def test_every_keyed_row_written_by_the_services_holds_its_parents_organisation():
    build_everything()
    checked = set()
    for model in KEYED:
        rows = list(model._base_manager.all())
        for row in rows:
            assert row.organisation_id == _parent_organisation(model, row), (model._meta.label, row.pk)
        if rows:
            checked.add(model._meta.label)
    # The case tree, the person's search index, rounds and referrals at least are written by the services.
    assert {
        "cases.CaseEvent",
        "cases.NameToken",
        "cases.MatchKey",
        "cases.Assessment",
        "cases.ReintegrationPlan",
        "cases.PlanItem",
        "cases.FollowUpVisit",
        "sustainability.SurveyRound",
        "sustainability.RoundScore",
        "referrals.Referral",
    } <= checked


def test_an_orm_create_without_the_key_takes_the_parents():
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    case = factories.case(manager)
    event = CaseEvent.objects.create(case_id=case.pk, kind=CaseEventKind.UPDATED)  # the parent not at hand
    assert event.organisation_id == case.organisation_id


def _refused(make):
    """`make` is refused by the database: at once (SQLite's triggers) or at the deferred check (PostgreSQL)."""
    with pytest.raises(IntegrityError), transaction.atomic():
        make()
        connection.check_constraints()


def test_a_row_whose_key_differs_from_its_parents_is_refused():
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    case, other = _moved(manager)
    _refused(lambda: CaseEvent.objects.create(case=case, organisation=other, kind=CaseEventKind.UPDATED))
    token = NameToken(returnee=case.returnee, organisation=other, kind=1, digest=7)
    _refused(lambda: NameToken.objects.bulk_create([token]))
    _refused(lambda: MatchKey.objects.bulk_create([MatchKey(returnee=case.returnee, organisation=other, key=7)]))
    item = PlanItem.objects.filter(plan__case=case).first()
    assert item is not None
    _refused(lambda: PlanItem.objects.filter(pk=item.pk).update(organisation=other))
    # The row itself is untouched by the refusals.
    assert PlanItem.objects.get(pk=item.pk).organisation_id == case.organisation_id


def test_a_case_moving_organisation_carries_its_rows():
    """No service moves a case today (a hand-over opens a new case in the receiving organisation); the database
    still keeps the keys equal if one ever does."""
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    case, other = _moved(manager)
    Case.objects.filter(pk=case.pk).update(organisation=other)
    connection.check_constraints()
    plan = ReintegrationPlan.objects.get(case=case)
    assert plan.organisation_id == other.pk
    assert set(PlanItem.objects.filter(plan=plan).values_list("organisation_id", flat=True)) == {other.pk}
    assert set(CaseEvent.objects.filter(case=case).values_list("organisation_id", flat=True)) == {other.pk}
    assert case.assessments.get().organisation_id == other.pk


def test_a_returnee_moving_organisation_carries_its_search_index():
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    returnee = factories.returnee(manager)
    other = factories.organisation("otra-org")
    assert NameToken.objects.filter(returnee=returnee).exists()
    Returnee.objects.filter(pk=returnee.pk).update(organisation=other)
    connection.check_constraints()
    assert set(NameToken.objects.filter(returnee=returnee).values_list("organisation_id", flat=True)) == {other.pk}
    assert set(MatchKey.objects.filter(returnee=returnee).values_list("organisation_id", flat=True)) == {other.pk}


def test_a_returnee_whose_id_changes_carries_its_search_index_on_postgresql():
    """No service changes an id; on PostgreSQL the database carries it to the rows, as the composite key's
    `ON UPDATE CASCADE` did (SQLite's single-column key refuses the change instead)."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite refuses an id change its rows still name")
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    returnee = factories.returnee(manager)
    tokens = NameToken.objects.filter(returnee_id=returnee.pk).count()
    Returnee.objects.filter(pk=returnee.pk).update(id=987_654_321)
    connection.check_constraints()
    assert NameToken.objects.filter(returnee_id=987_654_321).count() == tokens > 0
    assert MatchKey.objects.filter(returnee_id=987_654_321).exists()
    assert not NameToken.objects.filter(returnee_id=returnee.pk).exists()


def _guards() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT conname FROM pg_constraint WHERE contype = 'f' "
                "UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def _expected(link: Link) -> set[str]:
    if connection.vendor != "postgresql":
        return set(link.triggers())
    return set(link.statement_triggers()) if link.per_statement else {link.constraint}


def test_every_keyed_table_is_guarded_by_the_database():
    """A later migration that rebuilds a table on SQLite (Django copies it) drops its triggers: this notices."""
    links = links_of(KEYED)
    assert len(links) == len(KEYED) >= 14
    missing = {link.child for link in links if not _expected(link) <= _guards()}
    assert not missing


def test_the_plan_of_a_new_case_is_saved_with_the_cases_organisation():
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    case = factories.assessed_case(manager)
    services.save_plan(
        manager,
        case,
        goals="Meta",
        motivations="Motivo",
        items=[services.PlanItemInput(dimension="economic", approach="Negocio", assistance_form="in_kind")],
    )
    plan = ReintegrationPlan.objects.get(case=case)
    assert plan.organisation_id == case.organisation_id
    assert plan.items.get().organisation_id == case.organisation_id
    assert plan.agreed_on is None and timezone.localdate()


def _foreign_keys(model) -> dict[tuple[str, ...], str]:
    """{columns: referenced table} of `model`'s table's foreign key constraints."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {tuple(c["columns"]): c["foreign_key"][0] for c in found.values() if c["foreign_key"]}


@pytest.mark.parametrize("model", [NameToken, MatchKey])
def test_the_search_index_tables_are_keyed_per_statement_on_postgresql(model):
    """cases.0017 and 0018: on PostgreSQL no foreign key is checked row by row at commit (two million rows a
    100,000-row manifest): the organisation key is checked once per statement (`org_key.statement_key_sql`).
    SQLite keeps its foreign keys: its composite guard is a trigger."""
    keys = _foreign_keys(model)
    if connection.vendor == "postgresql":
        assert keys == {}
        assert set(links_of([model])[0].statement_triggers()) <= _guards()
    else:
        assert keys == {("returnee_id",): "cases_returnee", ("organisation_id",): "access_organisation"}


@pytest.mark.parametrize("model", [NameToken, MatchKey])
def test_one_row_of_no_parent_refuses_the_whole_statement(model):
    """A statement's rows are checked together (PostgreSQL: one join over the rows it wrote): one bad row among
    good ones refuses them all."""
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    returnee = factories.returnee(manager)
    values = {"kind": 1, "digest": 7} if model is NameToken else {"key": 7}
    rows = [
        model(returnee_id=pk, organisation_id=returnee.organisation_id, **values)
        for pk in (returnee.pk, returnee.pk, 987_654_321)
    ]
    before = model.objects.count()
    _refused(lambda: model.objects.bulk_create(rows))
    assert model.objects.count() == before


@pytest.mark.parametrize("kept", [NameToken, MatchKey])
def test_a_returnee_deleted_while_its_search_index_names_it_is_refused(kept):
    """A raw delete (no Django cascade) of a person whose rows of `kept` remain is refused at commit, as the
    foreign key did; once they are gone, nothing else holds the person back."""
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    returnee = factories.returnee(manager)
    (MatchKey if kept is NameToken else NameToken).objects.filter(returnee_id=returnee.pk).delete()
    delete = Returnee.objects.filter(pk=returnee.pk)._raw_delete
    _refused(lambda: delete(connection.alias))
    assert Returnee.objects.filter(pk=returnee.pk).exists()
    kept.objects.filter(returnee_id=returnee.pk).delete()
    with transaction.atomic():
        delete(connection.alias)
        connection.check_constraints()
    assert not Returnee.objects.filter(pk=returnee.pk).exists()


@pytest.mark.parametrize("model", [NameToken, MatchKey])
def test_a_search_index_row_of_no_returnee_is_refused(model):
    organisation = factories.organisation("org-key")
    values = {"kind": 1, "digest": 7} if model is NameToken else {"key": 7}
    _refused(lambda: model.objects.bulk_create([model(returnee_id=987_654_321, organisation=organisation, **values)]))
    assert not model.objects.filter(returnee_id=987_654_321).exists()


def test_a_returnee_deleted_takes_its_search_index_with_it():
    manager = factories.user(factories.organisation("org-key"), Role.CASE_MANAGER)
    returnee = factories.returnee(manager)
    assert NameToken.objects.filter(returnee=returnee).exists() and MatchKey.objects.filter(returnee=returnee).exists()
    Returnee.objects.filter(pk=returnee.pk).delete()
    connection.check_constraints()
    assert not NameToken.objects.filter(returnee_id=returnee.pk).exists()
    assert not MatchKey.objects.filter(returnee_id=returnee.pk).exists()
