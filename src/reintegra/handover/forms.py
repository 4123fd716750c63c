"""Forms of the hand-over pages. They check shapes only; `handover.services` decides (one rule path with
the API), and its errors are put back on the fields with `web.forms.apply_service_errors`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.access.models import Organisation
from reintegra.access.text_limits import TextLimitsMixin
from reintegra.cases.models import Case
from reintegra.handover import models as text_model
from reintegra.handover import selectors
from reintegra.structural.models import CooperationFramework, Stakeholder

if TYPE_CHECKING:
    from reintegra.access.models import User

MAX_PACKAGE_BYTES = 1_000_000


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _blank() -> tuple[str, Any]:
    return ("", _("— Choose —"))


class HandOverForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.HandOver,)
    recipient_organisation = forms.TypedChoiceField(
        label=_("Recipient organisation (this installation)"), required=False, coerce=int, empty_value=None
    )
    partner = forms.TypedChoiceField(label=_("or partner installation"), required=False, coerce=int, empty_value=None)
    framework = forms.TypedChoiceField(label=_("Cooperation framework"), required=False, coerce=int, empty_value=None)
    recipient_party = forms.TypedChoiceField(
        label=_("Recipient party in the framework"), required=False, coerce=int, empty_value=None
    )
    reason = forms.CharField(
        label=_("Reason for the hand-over"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: User, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        orgs = Organisation.objects.filter(is_active=True).exclude(pk=case.organisation_id).order_by("name")
        _choices(self, "recipient_organisation").choices = [
            _blank(),
            *((o.pk, f"{o.name} ({o.country})") for o in orgs),
        ]
        _choices(self, "partner").choices = [
            _blank(),
            *((p.pk, p.name) for p in selectors.partners_for(user).filter(is_active=True)),
        ]
        frameworks = CooperationFramework.objects.filter(programme__organisation_id=case.organisation_id)
        _choices(self, "framework").choices = [_blank(), *((f.pk, f.title) for f in frameworks)]
        parties = Stakeholder.objects.filter(programme__organisation_id=case.organisation_id).order_by("name")
        _choices(self, "recipient_party").choices = [_blank(), *((s.pk, s.name) for s in parties)]


class AcceptForm(forms.Form):
    existing_returnee = forms.IntegerField(
        label=_("Link to an existing person (id), when the duplicate check found them"), required=False, min_value=1
    )
    distinct_from = forms.CharField(
        label=_("Ids of the possible duplicates you checked (a different person)"), required=False, max_length=200
    )

    def seen(self) -> list[str]:
        return [part.strip() for part in (self.cleaned_data.get("distinct_from") or "").split(",") if part.strip()]


class DeclineForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.HandOver,)
    reason = forms.CharField(
        label=_("Reason for declining"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Package file (.json.jwe)"), required=False)

    def token(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is None or upload.size > MAX_PACKAGE_BYTES:
            return ""
        content: bytes = upload.read()
        return content.decode("ascii", errors="replace").strip()


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    base_url = forms.CharField(label=_("Base URL"), max_length=300, required=False)
    public_jwks = forms.CharField(
        label=_("Public keys (JWK set)"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    framework = forms.TypedChoiceField(label=_("Cooperation framework"), required=False, coerce=int, empty_value=None)
    organisation = forms.TypedChoiceField(
        label=_("Organisation that stands for the partner"), required=False, coerce=int, empty_value=None
    )
    remote_organisation_code = forms.CharField(
        label=_("Organisation code at the partner"), max_length=32, required=False
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = user.organisation_id or 0
        frameworks = CooperationFramework.objects.filter(programme__organisation_id=own)
        _choices(self, "framework").choices = [_blank(), *((f.pk, f.title) for f in frameworks)]
        orgs = Organisation.objects.filter(is_active=True).exclude(pk=own).order_by("name")
        _choices(self, "organisation").choices = [_blank(), *((o.pk, o.name) for o in orgs)]

    def jwks(self) -> Any:
        import json

        try:
            return json.loads(self.cleaned_data.get("public_jwks") or "")
        except ValueError:
            return None
