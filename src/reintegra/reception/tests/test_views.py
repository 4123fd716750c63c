"""The reception pages: arrivals, the fast intake ("save and next", duplicates, routing), the assistance
checklist, reception points, the dashboard and its exports; another organisation's records are 404."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from reintegra.cases.models import Returnee
from reintegra.reception import forms, services
from reintegra.reception.choices import AssistanceKind
from reintegra.reception.models import Arrival, AssistanceGiven, Intake, ReceptionPoint
from reintegra.reception.tests.conftest import Desk, intake_input
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def intake_post(**overrides) -> dict:
    values = {
        "given_names": "Rosa Elvira",
        "family_names": "Chávez Ajú",
        "sex": "female",
        "birth_date": "1988-07-21",
        "nationality": "GT",
        "document_number": "",
        "phone": "",
        "assistance": ["food", "hygiene_kit"],
    }
    values.update(overrides)
    return values


def test_arrival_list_is_filtered_and_shows_only_the_organisations(desk: Desk) -> None:
    page = client_for(desk.manager).get(reverse("reception:arrivals"), {"point": desk.point.pk})
    assert page.status_code == 200
    assert list(page.context["page"].object_list) == [desk.arrival]
    assert "CAMR San Pedro Sula" not in page.content.decode()


def test_arrival_created_through_the_form_then_the_intake_page(desk: Desk) -> None:
    client = client_for(desk.manager)
    answer = client.post(
        reverse("reception:arrival-new"),
        {
            "point": desk.point.pk,
            "arrived_at": "2026-11-20T10:30",
            "means": "bus",
            "means_number": "B-12",
            "return_type": "forced",
            "host_country": "MX",
            "men": 30,
            "women": 10,
            "boys": 2,
            "girls": 1,
            "accompanied_minors": 3,
            "unaccompanied_minors": 0,
            "family_units": 2,
        },
    )
    arrival = Arrival.objects.exclude(pk=desk.arrival.pk).get(organisation=desk.org, means="bus")
    assert answer.status_code == 302 and answer["Location"] == reverse("reception:intake", args=[arrival.pk])
    assert (arrival.men, arrival.host_country.code, arrival.created_by_id) == (30, "MX", desk.manager.pk)


def test_arrival_form_redisplays_service_errors(desk: Desk) -> None:
    page = client_for(desk.manager).post(
        reverse("reception:arrival-new"),
        {
            "point": desk.point.pk,
            "arrived_at": "",
            "means": "flight",
            "return_type": "forced",
            "boys": 1,
            "unaccompanied_minors": 2,
        },
    )
    assert page.status_code == 200
    assert page.context["has_errors"]
    form = page.context["form"]
    assert form.errors["arrived_at"][0]  # the service's "required"
    assert Arrival.objects.filter(organisation=desk.org).count() == 1
    assert "Nothing was saved yet." in page.content.decode() or "Todavía no se guardó nada" in page.content.decode()


def test_intake_page_is_light_and_keyboard_first(desk: Desk) -> None:
    page = client_for(desk.manager).get(reverse("reception:intake", args=[desk.arrival.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "autofocus" in text
    assert "chart.umd" not in text and "<canvas" not in text
    visible = [name for name, field in page.context["form"].fields.items() if not field.widget.is_hidden]
    assert len(visible) <= 12


def test_save_and_next_records_and_comes_back_empty(desk: Desk) -> None:
    client = client_for(desk.manager)
    url = reverse("reception:intake", args=[desk.arrival.pk])
    answer = client.post(url, intake_post())
    assert answer.status_code == 302 and answer["Location"] == url
    intake = Intake.objects.get(arrival=desk.arrival)
    assert intake.returnee.given_names == "Rosa Elvira"
    assert sorted(AssistanceGiven.objects.filter(intake=intake).values_list("kind", flat=True)) == [
        "food",
        "hygiene_kit",
    ]
    finish = client.post(url, intake_post(given_names="Marta", birth_date="1990-01-02", finish="1"))
    assert finish["Location"] == reverse("reception:arrival", args=[desk.arrival.pk])


def test_intake_errors_are_shown_on_the_fields(desk: Desk) -> None:
    page = client_for(desk.manager).post(
        reverse("reception:intake", args=[desk.arrival.pk]),
        intake_post(given_names="", birth_date="", protection_flags=["unaccompanied_child"]),
    )
    assert page.status_code == 200
    errors = page.context["form"].errors
    assert "given_names" in errors and "birth_date" in errors
    assert not Intake.objects.exists()


def test_possible_duplicate_shows_candidates_then_links_the_chosen_person(desk: Desk) -> None:
    known = f.returnee(
        desk.manager,
        given_names="Rosa Elvira",
        first_family_name="Chávez",
        second_family_name="Ajú",
        birth_date=date(1988, 7, 22),
        nationality="GT",
        return_country="GT",
    )
    client = client_for(desk.manager)
    url = reverse("reception:intake", args=[desk.arrival.pk])
    page = client.post(url, intake_post())
    assert page.status_code == 200
    assert [c.returnee.pk for c in page.context["candidates"]] == [known.pk]
    assert not Intake.objects.exists()
    answer = client.post(url, intake_post(same_as=str(known.pk)))
    assert answer.status_code == 302
    intake = Intake.objects.get()
    assert intake.returnee_id == known.pk and intake.is_repeat_return


def test_possible_duplicate_confirmed_as_a_different_person(desk: Desk) -> None:
    known = f.returnee(
        desk.manager,
        given_names="Rosa Elvira",
        first_family_name="Chávez",
        second_family_name="Ajú",
        birth_date=date(1988, 7, 22),
        nationality="GT",
        return_country="GT",
    )
    client = client_for(desk.manager)
    url = reverse("reception:intake", args=[desk.arrival.pk])
    before = Returnee.objects.count()
    answer = client.post(url, intake_post(distinct="1", seen=str(known.pk)))
    assert answer.status_code == 302
    assert Returnee.objects.count() == before + 1
    assert Intake.objects.get().returnee_id != known.pk


def test_another_organisations_arrival_and_intake_are_404(desk: Desk) -> None:
    intake = services.record_intake(desk.manager, desk.arrival, intake_input())
    client = client_for(desk.other_manager)
    assert client.get(reverse("reception:arrival", args=[desk.arrival.pk])).status_code == 404
    assert client.get(reverse("reception:intake", args=[desk.arrival.pk])).status_code == 404
    assert client.post(reverse("reception:intake", args=[desk.arrival.pk]), intake_post()).status_code == 404
    assert client.get(reverse("reception:intake-detail", args=[intake.pk])).status_code == 404
    assert Intake.objects.count() == 1


def test_roles_without_the_capability_are_403(desk: Desk) -> None:
    client = client_for(desk.me_officer)
    assert client.get(reverse("reception:arrivals")).status_code == 403
    assert client.get(reverse("reception:arrival", args=[desk.arrival.pk])).status_code == 403
    assert client.get(reverse("reception:point-new")).status_code == 403


def test_assistance_checklist_records_who_gave_it(desk: Desk) -> None:
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["food"]))
    client = client_for(desk.supervisor)
    url = reverse("reception:intake-detail", args=[intake.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"assistance": ["food", "clothes"], "revision": 1})
    given = dict(AssistanceGiven.objects.filter(intake=intake).values_list("kind", "given_by"))
    assert given == {"food": desk.manager.pk, "clothes": desk.supervisor.pk}


def test_assistance_checklist_changed_meanwhile_is_not_overwritten(desk: Desk) -> None:
    """Versioned like the other editable records: the page carries the intake's version it was read at."""
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["food"]))
    url = reverse("reception:intake-detail", args=[intake.pk])
    page = client_for(desk.supervisor).get(url).content.decode()
    assert 'name="revision" value="1"' in page
    services.set_assistance(desk.manager, intake, ["food", "transport"], expected_version=1)  # someone else
    stale = client_for(desk.supervisor).post(url, {"assistance": ["clothes"], "revision": 1})
    assert stale.status_code == 200 and stale.context["conflict"].current_version == 2
    assert 'name="revision" value="2"' in stale.content.decode()  # saving again applies it knowingly
    assert set(AssistanceGiven.objects.filter(intake=intake).values_list("kind", flat=True)) == {"food", "transport"}
    assert client_for(desk.supervisor).post(url, {"assistance": ["clothes"], "revision": 2}).status_code == 302
    assert list(AssistanceGiven.objects.filter(intake=intake).values_list("kind", flat=True)) == ["clothes"]


def test_assistance_changed_meanwhile_shows_both_versions_side_by_side(desk: Desk) -> None:
    """The conflict panel of the case forms: what is stored now beside what was typed (translated labels, who
    changed it and when in the local format), the typed values kept in the form, and saving again applies them."""
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["food"]))
    url = reverse("reception:intake-detail", args=[intake.pk])
    services.set_assistance(desk.manager, intake, ["food", "transport"], expected_version=1)  # someone else
    client = client_for(desk.supervisor)
    client.cookies["django_language"] = "es"
    stale = client.post(url, {"assistance": ["clothes", "food"], "revision": 1}, HTTP_ACCEPT_LANGUAGE="es")
    page = stale.content.decode()
    conflict = stale.context["conflict"]
    by_label = {d.label: (d.theirs, d.mine) for d in conflict.differences}
    with translation.override("es"):
        label = str(forms.AssistanceForm.base_fields["assistance"].label)
        kinds = dict(AssistanceKind.choices)
        assert by_label[label] == (
            [", ".join(str(kinds[k]) for k in sorted(["food", "transport"]))],
            [", ".join(str(kinds[k]) for k in ["clothes", "food"])],
        )
        assert f"{kinds['transport']}" in page  # the stored item, shown by its label
        changed = date_format(timezone.localtime(conflict.changed_at), "SHORT_DATETIME_FORMAT")
    assert "data-conflict" in page and changed in page
    assert conflict.changed_at.date().isoformat() not in page  # a local date, not ISO
    # What was typed is still ticked; nothing was saved.
    assert stale.context["form"]["assistance"].value() == ["clothes", "food"]
    assert set(AssistanceGiven.objects.filter(intake=intake).values_list("kind", flat=True)) == {"food", "transport"}
    # Saving again over the version now stored applies the typed checklist.
    assert client.post(url, {"assistance": ["clothes", "food"], "revision": 2}).status_code == 302
    assert set(AssistanceGiven.objects.filter(intake=intake).values_list("kind", flat=True)) == {"clothes", "food"}


def test_programme_manager_creates_and_edits_points(desk: Desk) -> None:
    client = client_for(desk.programme_manager)
    answer = client.post(
        reverse("reception:point-new"),
        {"name": "Terminal de buses La Aurora", "code": "bus-aurora", "country": "GT", "kind": "bus_terminal"},
    )
    assert answer.status_code == 302
    point = ReceptionPoint.objects.get(code="bus-aurora")
    assert point.organisation_id == desk.org.pk and point.active is False  # unticked checkbox
    page = client.post(
        reverse("reception:point-edit", args=[point.pk]),
        {"name": "Terminal", "code": "fag", "country": "GT", "kind": "bus_terminal", "active": "on"},
    )
    assert page.status_code == 200 and "code" in page.context["form"].errors
    assert client_for(desk.manager).get(reverse("reception:point-edit", args=[point.pk])).status_code == 403
    other_pm = f.user(desk.other_org, "programme_manager")
    assert client_for(other_pm).get(reverse("reception:point-edit", args=[point.pk])).status_code == 404


def test_dashboard_counts_charts_and_exports(desk: Desk) -> None:
    services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["food"]))
    client = client_for(desk.manager)
    page = client.get(reverse("reception:dashboard"), {"period": "day"})
    assert page.status_code == 200
    stats = page.context["stats"]
    assert stats.exact and stats.arrivals.value == 1 and stats.intakes.value == 1
    assert "data-chart" in page.content.decode()
    sex = {r.code: r.shown.value for r in next(t for t in stats.tables if t.key == "sex").rows}
    assert sex["male"] == 1
    csv = client.get(reverse("reception:dashboard"), {"format": "csv"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    body = b"".join(csv.streaming_content).decode()
    assert "Juan" not in body  # counts only
    xlsx = client.get(reverse("reception:dashboard"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_dashboard_suppresses_small_counts_for_aggregate_readers(desk: Desk) -> None:
    services.record_intake(desk.manager, desk.arrival, intake_input())
    page = client_for(desk.me_officer).get(reverse("reception:dashboard"))
    assert page.status_code == 200
    stats = page.context["stats"]
    assert not stats.exact
    assert stats.intakes.suppressed
    people = [t for t in stats.tables if t.key in ("sex", "age", "repeat")]
    assert all(row.shown.suppressed or row.shown.value == 0 for t in people for row in t.rows)
    assert any(row.shown.suppressed for t in people for row in t.rows)
    announced = {r.code: r.shown.value for r in next(t for t in stats.tables if t.key == "announced").rows}
    assert announced["men"] == 80  # large counts stay
    # The arrivals are events, not people: exact for every reader, in total and per period.
    assert stats.arrivals.value == 1 and not stats.arrivals.suppressed
    assert [row.arrivals.value for row in stats.by_period] == [1]


def test_case_summary_lists_the_persons_returns(desk: Desk) -> None:
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(protection_flags=["risk_of_violence"]))
    page = client_for(desk.manager).get(reverse("cases:detail", args=[intake.case_id]))
    assert page.status_code == 200
    assert "reception-returns" in page.content.decode()


def test_checklist_names_the_institution_that_gave_each_item(desk: Desk) -> None:
    from reintegra.referrals.models import ServiceProvider

    red_cross = ServiceProvider.objects.create(
        name="Cruz Roja Guatemalteca", organisation_type="ngo", country="GT", owner=desk.other_org
    )
    abroad = ServiceProvider.objects.create(name="Red Cross", organisation_type="ngo", country="US", owner=desk.org)
    intake = services.record_intake(desk.manager, desk.arrival, intake_input(assistance=["food"]))
    client = client_for(desk.supervisor)
    url = reverse("reception:intake-detail", args=[intake.pk])
    page = client.get(url)
    assert "Cruz Roja Guatemalteca" in page.content.decode() and "El Paso" not in page.content.decode()
    # An institution outside the list is refused by the form, with the error summary.
    refused = client.post(url, {"assistance": ["food"], "institution_food": str(abroad.pk), "revision": 1})
    assert refused.status_code == 200 and "institution_food" in refused.context["form"].errors
    client.post(
        url, {"assistance": ["food", "hygiene_kit"], "institution_hygiene_kit": str(red_cross.pk), "revision": 1}
    )
    given = {a.kind: (a.institution_id, a.given_by_id) for a in AssistanceGiven.objects.filter(intake=intake)}
    assert given == {"food": (None, desk.manager.pk), "hygiene_kit": (red_cross.pk, desk.supervisor.pk)}
    # Shown on the intake, the arrival and the person's case page; the point remembers it for the next form.
    assert "Cruz Roja Guatemalteca" in client.get(url).content.decode()
    arrival_page = client.get(reverse("reception:arrival", args=[desk.arrival.pk])).content.decode()
    assert "(Cruz Roja Guatemalteca)" in arrival_page
    desk.point.refresh_from_db()
    assert desk.point.assistance_institutions == {"hygiene_kit": red_cross.pk}
