"""Forms of the audit-trail page.

Forms only check shapes (dates, choices, lengths); the rules live in the services, whose
`ValidationError`s are put back onto the form's fields with `reintegra.web.forms.apply_service_errors`,
so the web UI and the API cannot disagree.
"""

from typing import Any

from django import forms
from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from reintegra.access import audit, selectors
from reintegra.access.models import AccessEvent
from reintegra.web.widgets import DateInput


def _blank(label: Any = None) -> tuple[str, Any]:
    return ("", label or _("— Choose —"))


# --- audit trail ---------------------------------------------------------------------------------


def object_type_choices() -> list[Any]:
    """The audited models by their translated names, grouped by app (the value stays "cases.case")."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for label in audit.audited_models():
        model = apps.get_model(label)
        app = str(capfirst(apps.get_app_config(model._meta.app_label).verbose_name))
        groups.setdefault(app, []).append((model._meta.label_lower, str(capfirst(model._meta.verbose_name))))
    return [
        _blank(_("Any")),
        *((app, sorted(models, key=lambda c: c[1])) for app, models in sorted(groups.items())),
    ]


def action_choices() -> list[Any]:
    changes = [("create", _("Created")), ("update", _("Changed")), ("delete", _("Deleted"))]
    return [
        _blank(_("Any")),
        (_("Changes"), changes),
        (_("Access"), list(AccessEvent.Action.choices)),
    ]


SOURCE_CHOICES = [
    ("", _("Changes and access")),
    (selectors.CHANGE, _("Changes only")),
    (selectors.ACCESS, _("Access only")),
]


class AuditFilterForm(forms.Form):
    source = forms.ChoiceField(label=_("Trail"), choices=SOURCE_CHOICES, required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=40, required=False)
    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)
    action = forms.ChoiceField(label=_("Action"), required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DateInput())
    until = forms.DateField(label=_("To"), required=False, widget=DateInput())
    flagged = forms.BooleanField(label=_("Only flagged events"), required=False)

    def __init__(self, *args: Any, users: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = object_type_choices()  # type: ignore[attr-defined]
        self.fields["action"].choices = action_choices()  # type: ignore[attr-defined]
        self.fields["user"].choices = [  # type: ignore[attr-defined]
            _blank(_("Anyone")),
            *((u.pk, f"{u.display_name()} ({u.username})" if u.get_full_name() else u.username) for u in users),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period cannot be before its start."))
        return data

    def filters(self) -> selectors.TrailFilters:
        data = self.cleaned_data
        return selectors.TrailFilters(
            source=data.get("source") or "",
            object_type=data.get("object_type") or "",
            object_id=(data.get("object_id") or "").strip(),
            user=data.get("user"),
            action=data.get("action") or "",
            since=data.get("since"),
            until=data.get("until"),
            flagged_only=bool(data.get("flagged")),
        )
