"""Issue 17: the service provider an existing feedback item is about, named or changed afterwards by whoever
handles the item (`services.set_provider`): the web page and the API refuse alike, the handling history says
which provider, the audit trail keeps the change."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.public import services
from reintegra.public.models import Feedback
from reintegra.public.tests.conftest import Portal
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import ServiceProvider

pytestmark = pytest.mark.django_db


def _provider(portal: Portal, name: str, country: str = "GT") -> ServiceProvider:
    return referral_services.save_provider(
        portal.pm, referral_services.ProviderInput(name=name, organisation_type="ngo", country=country)
    )


def _item(portal: Portal, kind: str = "complaint") -> Feedback:
    return services.record_feedback(
        portal.case_manager,
        services.FeedbackInput(
            programme=portal.programme.pk,
            kind=kind,
            concern="fraud" if kind == "sensitive" else "",
            channel="phone",
            text="Me cobraron",
        ),
    )


def _codes(error: ValidationError) -> set[tuple[str, str]]:
    return {(field, e.code or "") for field, errors in error.error_dict.items() for e in errors}


def test_a_handler_names_then_changes_then_removes_the_provider(portal: Portal) -> None:
    clinic, school = _provider(portal, "Clínica San Juan"), _provider(portal, "Escuela Técnica")
    item = _item(portal)
    item = services.set_provider(portal.supervisor, item, provider=clinic.pk)
    assert Feedback.objects.get(pk=item.pk).provider == clinic
    item = services.set_provider(portal.supervisor, item, provider=school.pk)
    item = services.set_provider(portal.supervisor, item, provider=None)
    assert Feedback.objects.get(pk=item.pk).provider is None
    steps = [(e.step, e.note) for e in item.events.all()]
    assert steps[-3:] == [("provider", "Clínica San Juan"), ("provider", "Escuela Técnica"), ("provider", "")]
    changes = LogEntry.objects.get_for_object(item).filter(actor=portal.supervisor)
    assert changes.count() == 3 and all("provider" in (entry.changes_dict or {}) for entry in changes)


def test_the_service_refuses_providers_the_programme_may_not_name(portal: Portal) -> None:
    clinic = _provider(portal, "Clínica San Juan")
    abroad = _provider(portal, "Clinic of Tegucigalpa", "HN")
    item = _item(portal)
    for wrong in (abroad.pk, 999_999, -1):
        with pytest.raises(ValidationError) as refused:
            services.set_provider(portal.supervisor, item, provider=wrong)
        assert _codes(refused.value) == {("provider", "invalid_choice")}
    services.set_provider(portal.supervisor, item, provider=clinic.pk)
    with pytest.raises(ValidationError) as refused:
        services.set_provider(portal.supervisor, item, provider=clinic.pk)
    assert _codes(refused.value) == {("provider", "unchanged")}


def test_only_a_handler_of_the_item_may_change_it(portal: Portal) -> None:
    clinic = _provider(portal, "Clínica San Juan")
    item, sensitive = _item(portal), _item(portal, "sensitive")
    for user in (portal.other_handler, portal.me_officer):
        with pytest.raises(PermissionDenied):
            services.set_provider(user, item, provider=clinic.pk)
    with pytest.raises(PermissionDenied):  # a sensitive item: the focal point's only
        services.set_provider(portal.supervisor, sensitive, provider=clinic.pk)
    services.set_provider(portal.focal_point, sensitive, provider=clinic.pk)
    assert Feedback.objects.get(pk=sensitive.pk).provider == clinic


def test_the_page_and_the_api(portal: Portal, settings: object) -> None:
    clinic = _provider(portal, "Clínica San Juan")
    abroad = _provider(portal, "Clinic of Tegucigalpa", "HN")
    item = _item(portal)
    client = Client()
    client.force_login(portal.supervisor)
    url = reverse("public_staff:feedback", args=[item.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Clínica San Juan" in page and "Clinic of Tegucigalpa" not in page  # offered: the programme's country
    step = reverse("public_staff:feedback-step", args=[item.pk, "proveedor"])
    refused = client.post(step, {"provider": str(abroad.pk)}, HTTP_ACCEPT_LANGUAGE="es")
    assert refused.status_code == 200 and "Elija un valor de la lista" in refused.content.decode()
    assert client.post(step, {"provider": str(clinic.pk)}).status_code == 302
    history = client.get(url, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Cambió el proveedor de servicios señalado" in history

    api = APIClient()
    api.force_authenticate(portal.supervisor)
    endpoint = reverse("api:feedback-provider", args=[item.pk])
    answer = api.post(endpoint, {"provider": abroad.pk}, format="json")
    assert answer.status_code == 400
    assert ("provider", "invalid_choice") in {(e["field"], e["code"]) for e in answer.json()["errors"]}
    answer = api.post(endpoint, {"provider": None}, format="json")
    assert answer.status_code == 200 and answer.json()["provider"] is None
    other = APIClient()
    other.force_authenticate(portal.other_handler)
    assert other.post(endpoint, {"provider": clinic.pk}, format="json").status_code == 404
