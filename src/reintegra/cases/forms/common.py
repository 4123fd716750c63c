"""What the case forms share: choice lists (countries, municipalities, staff), list formsets, widgets."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from reintegra.access.models import User
from reintegra.access.roles import Capability, Role
from reintegra.places import selectors as places_selectors

# Member states of the Regional Conference on Migration (docs/domain-structural.md §7): first in country selects.
REGION_COUNTRIES = ("BZ", "CA", "CR", "SV", "US", "GT", "HN", "MX", "NI", "PA", "DO")


def blank_choice(label: Any = None) -> tuple[str, Any]:
    return ("", label or _("— Choose —"))


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, known to be a ChoiceField (`form.fields` is typed as plain Fields)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def country_choices(blank: Any = None) -> list[Any]:
    """Countries in the active language, the region's first (an optgroup each)."""
    region = sorted(((code, countries.name(code)) for code in REGION_COUNTRIES), key=lambda c: str(c[1]))
    others = [(c.code, c.name) for c in countries if c.code not in REGION_COUNTRIES]
    choices: list[Any] = [blank_choice(blank)] if blank is not False else []
    choices += [(_("Region"), region), (_("Other countries"), others)]
    return choices


def municipality_choices(country: str, blank: Any = None) -> list[Any]:
    """Municipalities (AdminArea level 2) of a country, grouped by state/department.

    A few thousand rows render in milliseconds, so the select works without JavaScript and without a lookup
    service; the rows themselves are read once per process and a few minutes (`places.selectors`).
    """
    choices: list[Any] = [blank_choice(blank or _("— Not recorded —"))]
    if not country:
        return choices
    choices += places_selectors.municipalities_by_state(country)
    return choices


def staff_choices(organisation_id: int | None, blank: Any = None) -> list[tuple[Any, Any]]:
    """Active users of the organisation who may hold cases (case managers and those above them)."""
    holders = [r.value for r in Role if Capability.VIEW_ASSIGNED_CASES in _role_caps(r)]
    # Without an organisation: the users without one (what organisation_id=None would match).
    in_organisation = (
        Q(organisation_id=organisation_id) if organisation_id is not None else Q(organisation__isnull=True)
    )
    users = (
        User.objects.filter(in_organisation, is_active=True, role_assignments__role__in=holders)
        .distinct()
        .order_by("first_name", "last_name", "username")
        .values_list("pk", "first_name", "last_name", "username")
    )
    choices: list[tuple[Any, Any]] = [blank_choice(blank)] if blank is not False else []
    # Columns, not a model instance per user: a national programme's staff is some hundreds, and the case list
    # renders this select on every page.
    choices += [(pk, User.name_from(first, last, username)) for pk, first, last, username in users]
    return choices


def _role_caps(role: Role) -> frozenset[Capability]:
    from reintegra.access.roles import ROLE_CAPABILITIES

    return ROLE_CAPABILITIES[role]


class BaseListFormSet[F: forms.Form](forms.BaseFormSet[F]):
    """A formset whose rows are added in the browser (static js) and removed with a DELETE box."""

    def kept_forms(self) -> list[F]:
        """Valid rows that are neither blank extra rows nor marked for removal (call after is_valid)."""
        # The DELETE test is BaseFormSet._should_delete_form's, which django-stubs does not declare.
        return [
            f
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not (self.can_delete and f.cleaned_data.get(DELETION_FIELD_NAME, False))
        ]


def list_formset_factory[F: forms.Form](
    form: type[F],
    formset: type[BaseListFormSet[F]] = BaseListFormSet,
    *,
    extra: int = 1,
    can_delete: bool = False,
    max_num: int | None = None,
) -> type[BaseListFormSet[F]]:
    """`formset_factory` for list formsets; the class it makes subclasses `formset`, which its stub cannot say."""
    return cast(
        "type[BaseListFormSet[F]]",
        forms.formset_factory(form, formset=formset, extra=extra, can_delete=can_delete, max_num=max_num),
    )


def textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})
