"""The organisation key on the rows below a case or a returnee (docs/scaling.md, "sharding by organisation";
docs/ARCHITECTURE.md, "A key copied from the parent, kept equal by the database").

A row below a case (an event, an assessment, a survey round, a referral...) carries its own `organisation_id`,
a copy of its parent's, so that a distributed PostgreSQL can place it on the parent's shard. Three parts:

- the field (`organisation_key()`) and the parent it is copied from (`organisation_from = "case"` on the model);
- the copy on every ORM save (`fill_organisation`, a `pre_save` receiver): a row created without its
  organisation takes its parent's; `bulk_create`, COPY and raw inserts send no signal, so they set it themselves;
- the database keeps it equal (`keep_equal`, in each app's migration): on PostgreSQL a composite foreign key
  `(parent_id, organisation_id) -> parent(id, organisation_id)` with `ON UPDATE CASCADE`; on SQLite triggers that
  refuse a mismatching row and carry a parent's new organisation to its rows. A table written a million rows at a
  time (`organisation_per_statement = True` on the model) holds it on PostgreSQL by statement-level triggers
  instead (`statement_key_sql`): the same guarantees, checked once per statement rather than row by row at commit.

The migration adds the column nullable, fills it with one set-based statement per table (`fill_sql`), makes it
required, then calls `keep_equal`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


def organisation_key(
    *, db_index: bool = False, null: bool = False, db_constraint: bool = True
) -> models.ForeignKey[Any, Any]:
    """The copied key: required, never edited in a form, protected like the parent's own key. Not indexed by
    default: no query reads a child table by organisation (they go through the parent's indexed key)."""
    return models.ForeignKey(
        "access.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
        editable=False,
        db_index=db_index,
        null=null,
        db_constraint=db_constraint,
    )


@receiver(pre_save, dispatch_uid="reintegra.access.org_key.fill_organisation")
def fill_organisation(sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
    """An ORM save of a keyed row without its organisation: the parent's (read from the parent object when it is
    at hand, else one indexed query)."""
    path = getattr(sender, "organisation_from", None)
    if path is None or raw or getattr(instance, "organisation_id", None) is not None:
        return
    field = sender._meta.get_field(path)
    parent: Any = field.get_cached_value(instance, None)  # type: ignore[union-attr]
    if parent is not None:
        organisation_id = parent.organisation_id
    else:
        parent_id = getattr(instance, field.attname)  # type: ignore[union-attr]
        organisation_id = (
            field.related_model._base_manager.filter(pk=parent_id)  # type: ignore[union-attr]
            .values_list("organisation_id", flat=True)
            .first()
        )
    instance.organisation_id = organisation_id  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Link:
    """A keyed table and the parent whose organisation it copies: `child.column -> parent.id`."""

    child: str
    column: str
    parent: str
    per_statement: bool = False  # PostgreSQL: kept by `statement_key_sql`, not by a foreign key

    @property
    def constraint(self) -> str:
        return f"{self.child}_org_key_fk"[:63]

    def triggers(self) -> tuple[str, str, str]:
        """The SQLite triggers' names: refuse on insert, refuse on update, cascade from the parent."""
        return (f"{self.child}_org_key_ins", f"{self.child}_org_key_upd", f"{self.child}_org_key_cascade")

    def statement_triggers(self) -> tuple[str, str, str, str]:
        """`statement_key_sql`'s triggers: the rows inserted, the rows updated, the parent moved, the parent
        deleted."""
        return (*self.triggers(), f"{self.child}_org_key_del")

    def statement_functions(self) -> tuple[str, str, str]:
        """`statement_key_sql`'s trigger functions: check the rows written, carry a parent's change, refuse a
        parent's deletion."""
        return (f"{self.child}_org_key_check", f"{self.child}_org_key_carry", f"{self.child}_org_key_kept")


def links_of(models_: Iterable[type[models.Model]]) -> list[Link]:
    """The links of keyed models (those naming `organisation_from`), as the database holds them."""
    found = []
    for model in models_:
        path = getattr(model, "organisation_from", None)
        if path is None or model._meta.proxy:
            continue
        field: Any = model._meta.get_field(path)
        per_statement = getattr(model, "organisation_per_statement", False)
        found.append(Link(model._meta.db_table, field.column, field.related_model._meta.db_table, per_statement))
    return found


def fill_sql(link: Link, vendor: str) -> str:
    """One set-based statement copying every row's parent organisation (a join on PostgreSQL, a correlated
    subquery elsewhere: SQLite before 3.33 has no UPDATE ... FROM)."""
    c, col, p = link.child, link.column, link.parent
    if vendor == "postgresql":
        return f'UPDATE "{c}" SET organisation_id = p.organisation_id FROM "{p}" p WHERE p.id = "{c}"."{col}"'  # noqa: S608 (table names from the migrations)
    return f'UPDATE "{c}" SET organisation_id = (SELECT p.organisation_id FROM "{p}" p WHERE p.id = "{c}"."{col}")'  # noqa: S608


def keep_equal_sql(link: Link, vendor: str) -> list[str]:
    """The statements making the database hold `child.organisation_id = parent.organisation_id`."""
    c, col, p = link.child, link.column, link.parent
    if vendor == "postgresql":
        # DEFERRABLE like Django's own foreign keys (a writer may insert a row before its parent in a
        # transaction); the cascade itself is immediate.
        return [
            f'ALTER TABLE "{c}" ADD CONSTRAINT "{link.constraint}" FOREIGN KEY ("{col}", organisation_id) '
            f'REFERENCES "{p}" (id, organisation_id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED'
        ]
    if vendor != "sqlite":
        return []
    insert, update, cascade = link.triggers()
    # Table names from the migrations, never from input.
    refusal = f"RAISE(ABORT, 'organisation_id differs from its parent {p}')"
    parent = f'"{p}" WHERE id = NEW."{col}" AND organisation_id IS NOT NEW.organisation_id'
    mismatch = f"SELECT {refusal} WHERE EXISTS (SELECT 1 FROM {parent});"  # noqa: S608
    carry = f'UPDATE "{c}" SET organisation_id = NEW.organisation_id WHERE "{col}" = NEW.id;'  # noqa: S608
    return [
        f'CREATE TRIGGER "{insert}" BEFORE INSERT ON "{c}" BEGIN {mismatch} END',
        f'CREATE TRIGGER "{update}" BEFORE UPDATE OF "{col}", organisation_id ON "{c}" BEGIN {mismatch} END',
        f'CREATE TRIGGER "{cascade}" AFTER UPDATE OF organisation_id ON "{p}" '
        f"WHEN NEW.organisation_id IS NOT OLD.organisation_id BEGIN {carry} END",
    ]


def statement_key_sql(link: Link) -> list[str]:
    """PostgreSQL, for a table written a million rows at a time (the name-search tokens and blocking keys: a
    100,000-row manifest writes some two million): what `keep_equal_sql`'s composite foreign key guarantees, checked
    once per statement over the rows it wrote (a join on its transition table) instead of once per row at commit
    (about 4 µs a row, one core for seconds: docs/reception.md). Like the foreign key: a row whose parent does not
    exist with its organisation is refused, its parent is locked `FOR KEY SHARE` until the transaction ends, a
    parent's new organisation (or id) is carried to its rows, and a parent deleted while rows still name it is
    refused at commit. Unlike it, a row cannot precede its parent within a transaction: the check is at the end of the
    statement."""
    c, col, p = link.child, link.column, link.parent
    insert, update, cascade, delete = link.statement_triggers()
    check, carry, kept = link.statement_functions()
    refused = "USING ERRCODE = 'foreign_key_violation'"
    # Table names from the migrations, never from input.
    return [
        _trigger_function(
            check,
            f"""DECLARE wanted bigint; found bigint;
BEGIN
  SELECT count(*) INTO wanted FROM (SELECT DISTINCT "{col}", organisation_id FROM written) w;
  SELECT count(*) INTO found FROM (
    SELECT 1 FROM "{p}" p WHERE (p.id, p.organisation_id) IN (SELECT "{col}", organisation_id FROM written)
    FOR KEY SHARE OF p) f;
  IF found <> wanted THEN
    RAISE EXCEPTION 'a row of {c} names no {p} of its organisation' {refused};
  END IF;""",  # noqa: S608
        ),
        f'CREATE TRIGGER "{insert}" AFTER INSERT ON "{c}" REFERENCING NEW TABLE AS written '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{check}"()',
        f'CREATE TRIGGER "{update}" AFTER UPDATE ON "{c}" REFERENCING NEW TABLE AS written '
        f'FOR EACH STATEMENT EXECUTE FUNCTION "{check}"()',
        _trigger_function(
            carry,
            f"""BEGIN
  UPDATE "{c}" SET "{col}" = NEW.id, organisation_id = NEW.organisation_id WHERE "{col}" = OLD.id;""",  # noqa: S608
        ),
        f'CREATE TRIGGER "{cascade}" AFTER UPDATE OF id, organisation_id ON "{p}" FOR EACH ROW '
        f"WHEN ((NEW.id, NEW.organisation_id) IS DISTINCT FROM (OLD.id, OLD.organisation_id)) "
        f'EXECUTE FUNCTION "{carry}"()',
        _trigger_function(
            kept,
            f"""BEGIN
  IF EXISTS (SELECT 1 FROM "{c}" WHERE "{col}" = OLD.id) THEN
    RAISE EXCEPTION 'a row of {c} still names a deleted {p}' {refused};
  END IF;""",  # noqa: S608
        ),
        f'CREATE CONSTRAINT TRIGGER "{delete}" AFTER DELETE ON "{p}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW '
        f'EXECUTE FUNCTION "{kept}"()',
    ]


def _trigger_function(name: str, body: str) -> str:
    """A PL/pgSQL trigger function of `body` (its declarations and statements), returning nothing: an AFTER
    trigger's result is ignored."""
    return f'CREATE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$\n{body}\n  RETURN NULL;\nEND $$'


def drop_statement_key_sql(link: Link) -> list[str]:
    c, p = link.child, link.parent
    insert, update, cascade, delete = link.statement_triggers()
    return [
        *(f'DROP TRIGGER IF EXISTS "{name}" ON "{c}"' for name in (insert, update)),
        *(f'DROP TRIGGER IF EXISTS "{name}" ON "{p}"' for name in (cascade, delete)),
        *(f'DROP FUNCTION IF EXISTS "{name}"()' for name in link.statement_functions()),
    ]


def drop_sql(link: Link, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f'ALTER TABLE "{link.child}" DROP CONSTRAINT IF EXISTS "{link.constraint}"']
    if vendor != "sqlite":
        return []
    return [f'DROP TRIGGER IF EXISTS "{name}"' for name in link.triggers()]


def _run(schema_editor: Any, statements: Iterable[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def fill(*links: Link) -> Any:
    """A RunPython operation filling the keys of `links` (reversed: nothing to undo, the column goes)."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        _run(schema_editor, (fill_sql(link, schema_editor.connection.vendor) for link in links))

    return migrations.RunPython(forward, migrations.RunPython.noop, elidable=False)


def keep_equal(*links: Link) -> Any:
    """A RunPython operation adding the constraint or triggers of `links` (and dropping them, reversed)."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        _run(schema_editor, (s for link in links for s in keep_equal_sql(link, vendor)))

    def backward(apps: Any, schema_editor: Any) -> None:
        vendor = schema_editor.connection.vendor
        _run(schema_editor, (s for link in links for s in drop_sql(link, vendor)))

    return migrations.RunPython(forward, backward, elidable=False)


def keyed_per_statement(*links: Link) -> Any:
    """A RunPython operation moving `links` from the composite foreign key to `statement_key_sql` on PostgreSQL
    (and back, reversed); SQLite keeps its triggers."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            _run(
                schema_editor, (s for link in links for s in [*drop_sql(link, "postgresql"), *statement_key_sql(link)])
            )

    def backward(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            statements = (
                s for link in links for s in [*drop_statement_key_sql(link), *keep_equal_sql(link, "postgresql")]
            )
            _run(schema_editor, statements)

    return migrations.RunPython(forward, backward, elidable=False)


def key_target(name: str) -> models.UniqueConstraint:
    """On a parent: `(id, organisation)` unique, what the children's composite foreign keys reference."""
    return models.UniqueConstraint(fields=["id", "organisation"], name=name)


def operations(keyed: dict[str, Link], targets: dict[str, str]) -> list[Any]:
    """A migration's operations: `keyed` (model name -> link, parents before children) get the column nullable,
    filled, required; `targets` (model name -> constraint name) get their `(id, organisation)` unique
    constraint; then the database is made to keep the keys equal."""
    from django.db import migrations

    links = list(keyed.values())
    # The foreign key to the organisation comes with NOT NULL, after the fill: added before, PostgreSQL would queue
    # a deferred check per updated row (millions), and refuse the ALTER TABLE while they are pending.
    return [
        *[
            migrations.AddField(name, "organisation", organisation_key(null=True, db_constraint=False))
            for name in keyed
        ],
        fill(*links),
        *[migrations.AlterField(name, "organisation", organisation_key()) for name in keyed],
        *[migrations.AddConstraint(name, key_target(constraint)) for name, constraint in targets.items()],
        keep_equal(*links),
    ]
