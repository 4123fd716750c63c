"""The form of one community perception response: its date, the household survey session it belongs to and one
field per question of the survey's version (built by the engine's `add_answer_fields`, as a round's form is).
It only parses: the rules are `perception_services.record_response`'s."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reintegra.community.models import ParticipatorySession
from reintegra.community.perception_services import PerceptionInput
from reintegra.sustainability.choices import Dimension
from reintegra.sustainability.definition import Definition
from reintegra.sustainability.forms import add_answer_fields, answer_names, answers_of
from reintegra.sustainability.models import InstrumentVersion
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput


class PerceptionForm(forms.Form):
    taken_on = marked_required(
        forms.DateField(label=_("Survey date"), widget=DateInput(), initial=timezone.localdate, required=False)
    )
    session = forms.TypedChoiceField(
        label=_("Household survey session"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Optional: the household survey of this community the answer was collected in."),
    )

    def __init__(
        self, *args: Any, version: InstrumentVersion, sessions: QuerySet[ParticipatorySession], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.version = version
        self.definition: Definition = version.parsed()
        field = self.fields["session"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", "—"), *((s.pk, str(s)) for s in sessions)]
        self.question_fields = add_answer_fields(self, self.definition, get_language() or "es")

    def service_names(self) -> dict[str, str]:
        return answer_names(self.definition)

    def sections(self) -> list[dict[str, Any]]:
        """The questions grouped: who answers first, then each dimension, then what is not scored."""
        names = dict(Dimension.choices)
        profile = [n for n in self.question_fields.get("other", []) if n.startswith("q_respondent_")]
        rest = [n for n in self.question_fields.get("other", []) if n not in profile]
        sections = [{"key": "profile", "label": _("Who answers (anonymous)"), "fields": [self[n] for n in profile]}]
        for key, fields in self.question_fields.items():
            if key != "other":
                sections.append({"key": key, "label": names.get(key, key), "fields": [self[n] for n in fields]})
        sections.append({"key": "other", "label": _("What the community needs"), "fields": [self[n] for n in rest]})
        return [s for s in sections if s["fields"]]

    def to_input(self) -> PerceptionInput:
        return PerceptionInput(
            taken_on=self.cleaned_data.get("taken_on"),
            session=self.cleaned_data.get("session"),
            version=self.version.number,
            answers=answers_of(self, self.definition),
        )
