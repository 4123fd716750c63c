"""The survey rounds (RSS and other instruments) of the cases a user sees as a table (`access.exports.Table`):
the round's facts and its current scores on the 0-1 scale, never the answers (personal, encrypted), read
batch by batch in key order through `selectors.export_rounds`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from reintegra.access import exports
from reintegra.sustainability import selectors
from reintegra.sustainability.choices import RoundSource

if TYPE_CHECKING:
    from reintegra.access.models import User

Column = exports.Column

_FIELDS = (
    "case__case_number",
    "version__instrument__code",
    "version__number",
    "taken_on",
    "round_month",
    "source",
    "current__economic",
    "current__social",
    "current__psychosocial",
    "current__composite",
)


def round_columns() -> list[exports.Column]:
    return [
        Column("id", _("Round")),
        Column("case_number", _("Case number")),
        Column("instrument", _("Instrument")),
        Column("version", _("Version")),
        Column("taken_on", _("Date")),
        Column("round_month", _("Round (months after return)")),
        Column("source", _("Source"), RoundSource.choices),
        Column("economic", _("Economic score")),
        Column("social", _("Social score")),
        Column("psychosocial", _("Psychosocial score")),
        Column("composite", _("Composite score")),
    ]


def _rows(user: User) -> exports.ColumnBatches:
    return exports.ColumnBatches(exports.keyset_columns(selectors.export_rounds(user), _FIELDS))


def round_table(user: User) -> exports.Table:
    return exports.Table(
        "survey-rounds", round_columns(), _rows(user), "survey rounds", "sustainability.surveyround",
        sheet_title="rounds",
    )  # fmt: skip
