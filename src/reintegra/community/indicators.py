"""What an M&E indicator may count of the community level (monitoring.registry): community projects (by
dimension), their participants (returnees linked to cases, non-migrant residents as counts, by sex), and the
returns to the organisation's communities with whether a started project serves that municipality."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Programme
from reintegra.cases.choices import Sex
from reintegra.cases.models import Case
from reintegra.community.choices import Dimension, ParticipantKind, ParticipantSex, ProjectStatus
from reintegra.community.models import Community, CommunityProject, ProjectParticipant
from reintegra.monitoring import registry


def _covers(dimension: str) -> registry.ExpressionFactory:
    """The project lists the dimension. The JSON list is matched as text: '"social"' is not inside
    '"psychosocial"' (the quotes are part of the match), on SQLite and PostgreSQL alike."""

    def expression(start: date, end: date) -> Any:
        return Q(dimensions__icontains=f'"{dimension}"')

    return expression


def _participant_sex(start: date, end: date) -> Any:
    return Q(sex=ParticipantSex.FEMALE) | Q(case__returnee__sex=Sex.FEMALE)


def _in_community(start: date, end: date) -> Any:
    return Exists(
        Community.objects.filter(
            organisation_id=OuterRef("organisation_id"), municipality_id=OuterRef("returnee__municipality_id")
        )
    )


def _reached(start: date, end: date) -> Any:
    """A project of the case's organisation, started by the period's end, serves the municipality of return."""
    return Exists(
        CommunityProject.objects.filter(
            organisation_id=OuterRef("organisation_id"),
            communities__municipality_id=OuterRef("returnee__municipality_id"),
            starts_on__lte=end,
        ).exclude(status=ProjectStatus.PLANNED)
    )


def _programme(organisation_path: str) -> Any:
    """A project belongs to its organisation, not to one programme: its records are counted under the
    organisation's first programme (one row each, never once per programme)."""
    first = Programme.objects.filter(organisation_id=OuterRef(organisation_path)).order_by("id").values("id")[:1]
    return Subquery(first)


def register_populations() -> None:
    registry.register(
        registry.Population(
            key="community_projects",
            label=_("Community projects"),
            rows=lambda: CommunityProject.objects.exclude(status=ProjectStatus.PLANNED).annotate(
                programme_id=_programme("organisation_id")
            ),
            programme_path="programme_id",
            organisation_path="organisation_id",
            case_path=None,
            app="community",
            units={"record": registry.Unit(_("projects"), "pk")},
            dates={"starts_on": registry.DateField(_("start"), "starts_on")},
            fields={
                f"covers_{code}": registry.Flag(label, expression=_covers(code)) for code, label in Dimension.choices
            },
        )
    )
    registry.register(
        registry.Population(
            key="community_project_participants",
            label=_("Participants of community projects"),
            rows=lambda: ProjectParticipant.objects.exclude(project__status=ProjectStatus.PLANNED).annotate(
                programme_id=_programme("project__organisation_id")
            ),
            programme_path="programme_id",
            organisation_path="project__organisation_id",
            case_path=None,
            app="community",
            units={"record": registry.Unit(_("participant records"), "pk")},
            dates={"added_at": registry.DateField(_("joined on"), "added_at", datetime=True)},
            fields={
                "kind": registry.Choice(_("participant"), "kind", ParticipantKind.choices),
                "women": registry.Flag(_("women or girls"), expression=_participant_sex),
                "people": registry.Number(_("number of people"), "count"),
            },
        )
    )
    registry.register(
        registry.Population(
            key="community_returns",
            label=_("Returns to the organisation's communities"),
            rows=lambda: Case.objects.filter(_in_community(date.min, date.max)),
            programme_path="programme_id",
            organisation_path="organisation_id",
            case_path="",
            app="community",
            units={
                "person": registry.Unit(_("people (distinct returnees)"), "returnee_id"),
                "case": registry.Unit(_("cases"), "pk"),
            },
            dates={"return_date": registry.DateField(_("return date"), "return_date")},
            fields={
                "reached_by_project": registry.Flag(
                    _("a started community project serves their municipality"), expression=_reached, periodic=True
                )
            },
        )
    )
