"""What the UI kit (`reintegra.web`) does for every app: service errors onto forms, ISO date pickers, the
dashboard and navigation assembled from what the apps register."""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from reintegra.access.roles import Role
from reintegra.access.transitions import TransitionError
from reintegra.access.versioning import StaleVersion
from reintegra.referrals.forms import AcceptForm, PathwayForm
from reintegra.testing import factories
from reintegra.web import dashboard, navigation
from reintegra.web.forms import ServiceErrorsMixin, apply_service_errors
from reintegra.web.pagination import page_of
from reintegra.web.steps import show_refused


class PersonForm(ServiceErrorsMixin, forms.Form):
    given_names = forms.CharField(required=False)
    taken_on = forms.DateField(required=False)


class ReturnForm(forms.Form):
    return_date = forms.DateField(required=False)


class ImportForm(forms.Form):
    file = forms.CharField(required=False)


def _bound(form_class):
    form = form_class(data={})
    assert form.is_valid()
    return form


def test_a_field_error_lands_on_its_field_with_its_code():
    form = _bound(PersonForm)
    apply_service_errors(ValidationError({"given_names": ValidationError("Too long.", code="max_length")}), form)
    assert form.errors == {"given_names": ["Too long."]}
    assert form.has_error("given_names", "max_length")


def test_an_error_about_no_field_of_the_form_is_shown_on_the_whole_form():
    form = _bound(PersonForm)
    apply_service_errors(ValidationError({"programme": ["Not yours."]}), form)
    assert form.non_field_errors() == ["Not yours."]


def test_a_refused_step_is_shown_as_a_message(rf):
    """A `TransitionError` (any app's status machine) is shown once, the same way: its reason on the page."""
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    show_refused(request, TransitionError("Only a sent referral can be accepted.", "invalid_transition"))
    assert [(m.level_tag, m.message) for m in get_messages(request)] == [
        ("error", "Only a sent referral can be accepted.")
    ]


def test_an_error_without_field_names_is_shown_on_the_whole_form():
    """A `StaleVersion` (or any plain ValidationError) has no `message_dict`: reading it crashed two views."""
    form = _bound(PersonForm)
    apply_service_errors(StaleVersion(None, 3), form)
    assert form.has_error(NON_FIELD_ERRORS, "stale")


def test_several_forms_each_get_their_own_fields_and_aliases_rename():
    person, ret = _bound(PersonForm), _bound(ReturnForm)
    error = ValidationError({"return_date": ["In the future."], "date": ["Before the return."], "x": ["Other."]})
    apply_service_errors(error, [None, person, ret], aliases={"date": "taken_on"})
    assert ret.errors == {"return_date": ["In the future."]}
    assert person.errors == {"taken_on": ["Before the return."], NON_FIELD_ERRORS: ["Other."]}


def test_onto_puts_every_message_on_one_field_and_limit_caps_them():
    form = _bound(ImportForm)
    error = ValidationError({"rows": [f"Row {n} is not valid." for n in range(1, 50)], "version": ["Not published."]})
    apply_service_errors(error, form, onto="file", limit=3)
    rows = ["Row 1 is not valid.", "Row 2 is not valid.", "Row 3 is not valid."]
    assert form.errors["file"] == [*rows, "Not published."]


def test_the_form_mixin_does_the_same():
    form = _bound(PersonForm)
    form.add_service_errors(ValidationError({"date": ["Before the return."]}), aliases={"date": "taken_on"})
    assert form.errors == {"taken_on": ["Before the return."]}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_referral_dates_are_shown_again_in_iso_in_every_language(language):
    """A date input cannot show "04/03/2025": the referral forms used Django's localised format, so the
    approval date of a SOP being revised (and any date shown again) came back empty in Spanish and French."""
    with translation.override(language):
        html = str(PathwayForm(initial={"approved_on": date(2025, 3, 4)})["approved_on"])
        accept = str(AcceptForm(initial={"outcome_due_on": date(2025, 3, 4)})["outcome_due_on"])
    assert 'type="date"' in html and 'value="2025-03-04"' in html
    assert 'value="2025-03-04"' in accept


def test_page_of_shows_the_nearest_page_for_a_bad_number():
    request = RequestFactory().get("/", {"page": "999"})
    page = page_of(request, list(range(30)), per_page=25)
    assert page.number == 2 and list(page.object_list) == list(range(25, 30))
    assert page_of(RequestFactory().get("/", {"page": "x"}), list(range(30)), per_page=25).number == 1


@pytest.fixture
def extra_panels():
    saved = dict(dashboard._PANELS)
    yield
    dashboard._PANELS.clear()
    dashboard._PANELS.update(saved)


@pytest.mark.django_db
def test_the_dashboard_shows_the_registered_panels_in_order_and_leaves_out_none(client, extra_panels):
    seen = []

    def hidden(request):
        seen.append(request.user.username)
        return None

    dashboard.register_panel("referrals/includes/dashboard_panel.html", hidden, order=5)
    user = factories.user(factories.organisation(), Role.CASE_MANAGER, username="panels")
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert seen == ["panels"]
    shown = [p["template"] for p in response.context["panels"]]
    assert shown[0] == "cases/includes/dashboard_panel.html"  # cases registers its panel like any app
    assert "referrals/includes/dashboard_panel.html" not in shown


@pytest.mark.django_db
def test_the_layout_names_no_app_the_apps_register_their_entries():
    """Cases, new registration, analytics and the audit trail were written into base.html; now they are
    registered entries, shown by capability like every other."""
    org = factories.organisation()
    keys = {e["key"] for e in navigation.items_for(factories.user(org, Role.CASE_MANAGER))}
    assert {"cases", "register"} <= keys and "audit" not in keys
    me = {e["key"] for e in navigation.items_for(factories.user(org, Role.ME_OFFICER))}
    assert "monitoring" in me and "register" not in me  # analytics: from monitoring's landing page


# --- The error summary of a refused form (web/includes/form_errors.html) ---------------------------------


class ChoiceForm(forms.Form):
    sex = forms.ChoiceField(choices=[("f", "F"), ("m", "M")], widget=forms.RadioSelect, required=False)
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _render_summary(**context):
    from django.template import engines

    template = engines["django"].from_string('{% include "web/includes/form_errors.html" %}')
    return template.render({"has_errors": True, **context})


def test_the_error_summary_lists_every_error_of_every_form_and_row_with_a_link_to_its_field():
    person = _bound(PersonForm)
    apply_service_errors(ValidationError({"given_names": ["Required."], "programme": ["Not yours."]}), person)
    choice = _bound(ChoiceForm)
    apply_service_errors(ValidationError({"sex": ["Choose one."], "revision": ["Changed meanwhile."]}), choice)
    rows = forms.formset_factory(ReturnForm, extra=0)(
        data={"form-TOTAL_FORMS": "2", "form-INITIAL_FORMS": "0", "form-0-return_date": "", "form-1-return_date": "x"}
    )
    assert not rows.is_valid()
    with translation.override("en"):
        html = _render_summary(form=person, other=choice, rows=rows, again=person)

    assert "data-error-summary" in html and 'tabindex="-1"' in html
    assert '<a href="#id_given_names">Given names: Required.</a>' in html
    assert "<li>Not yours.</li>" in html  # about no field: listed, without a link
    assert '<a href="#id_sex_0">Sex: Choose one.</a>' in html  # radio buttons: the first option
    assert "<li>Changed meanwhile.</li>" in html  # a hidden field has nothing to link to
    assert '<a href="#id_form-1-return_date">Row 2 · Return date: Enter a valid date.</a>' in html
    assert html.count("Given names: Required.") == 1  # a form given twice is listed once


def test_the_error_summary_says_nothing_was_saved_even_without_a_form_in_the_context():
    with translation.override("es"):
        html = _render_summary()
    assert "Todavía no se guardó nada" in html and "<ul>" not in html
    assert _render_summary(has_errors=False).strip() == ""


# --- Durations (web.durations): one way to show a measured duration ----------------------------------------


@pytest.mark.parametrize(
    ("hours", "spanish", "english"),
    [
        (None, "—", "—"),
        (0.25, "15 min", "15 min"),
        (2, "2 h", "2 h"),
        (36.5, "36,5 h", "36.5 h"),
        (60, "2,5 días", "2.5 days"),
        (1080.0, "45 días", "45 days"),
        (24 * 400, "400 días", "400 days"),
        (24 * 1500, "1\xa0500 días", "1,500 days"),
    ],
)
def test_a_duration_reads_in_minutes_hours_or_days_in_the_readers_format(hours, spanish, english):
    from reintegra.web import durations

    with translation.override("es"):
        assert durations.describe_hours(hours) == spanish
    with translation.override("en"):
        assert durations.describe_hours(hours) == english
    if hours is not None:
        with translation.override("en"):
            assert durations.describe_days(hours / 24) == english
