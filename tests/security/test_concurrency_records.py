"""Issue 10, item 6 (lost updates) beyond the individual case: programme settings, users in the admin, the
service directory, referral pathways and transitions, the regional catalogue, every structural record and
the sustainability drafts and grid. Two readers, two writers: the second write from the old read is refused
(API 412, form conflict) and what the first wrote is kept.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import Programme, User
from reintegra.access.roles import Role
from reintegra.access.transitions import TransitionError
from reintegra.access.versioning import StaleVersion
from reintegra.conftest import _english_outside_requests  # noqa: F401 - English outside requests
from reintegra.protection import services as protection_services
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import ReferralPathway, Service, ServiceProvider
from reintegra.regional import services as regional_services
from reintegra.structural import services as structural_services
from reintegra.structural.models import CooperationFramework, DataExchangeRule
from reintegra.structural.tests.conftest import build_world
from reintegra.structural.tests.test_permissions import API_RECORDS
from reintegra.sustainability import services as sustainability_services
from reintegra.sustainability.models import FeasibilityApproach, InstrumentVersion
from reintegra.sustainability.tests.conftest import rss_raw
from reintegra.testing import factories
from reintegra.testing.html_forms import form_values

pytestmark = pytest.mark.django_db

STALE = "Someone else changed this record while you were editing it."


def api_for(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def web_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def page_form(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    return form_values(response.content, "revision")


@pytest.fixture
def organisation(db: Any) -> Any:
    return factories.organisation("oim-gt", country="GT")


@pytest.fixture
def manager(organisation: Any) -> User:
    return factories.user(organisation, Role.PROGRAMME_MANAGER, username="gerente", first_name="Eva", last_name="Ruiz")


@pytest.fixture
def manager_b(organisation: Any) -> User:
    return factories.user(organisation, Role.PROGRAMME_MANAGER, username="gerente-b")


# --- access ----------------------------------------------------------------------------------------


def test_programme_settings_api(manager: User, manager_b: User) -> None:
    programme = Programme.objects.get(organisation=manager.organisation)
    url = f"/api/v1/programmes/{programme.pk}/"
    read_a, read_b = api_for(manager).get(url), api_for(manager_b).get(url)
    assert read_a["ETag"] == f'"{read_a.json()["version"]}"'
    ok = api_for(manager).patch(url, {"stakeholder_high_threshold": 3}, format="json", HTTP_IF_MATCH=read_a["ETag"])
    assert ok.status_code == 200, ok.content
    stale = api_for(manager_b).patch(url, {"stakeholder_review_months": 6}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert stale.status_code == 412 and stale.json()["code"] == "stale"
    assert api_for(manager_b).patch(url, {"stakeholder_review_months": 6}, format="json").status_code == 428
    programme.refresh_from_db()
    assert (programme.stakeholder_high_threshold, programme.stakeholder_review_months) == (3, 3)


def test_programme_settings_form(manager: User, manager_b: User) -> None:
    programme = Programme.objects.get(organisation=manager.organisation)
    url = reverse("programmes:edit", args=[programme.pk])
    form_a, form_b = page_form(web_for(manager).get(url)), page_form(web_for(manager_b).get(url))
    form_a["stakeholder_high_threshold"] = "3"
    assert web_for(manager).post(url, form_a).status_code == 302
    form_b["name"] = "Programa renombrado"
    html = web_for(manager_b).post(url, form_b).content.decode()
    assert STALE in html and "Programa renombrado" in html
    assert "High interest/influence threshold" in html  # the field A changed, listed with both values
    programme.refresh_from_db()
    assert (programme.stakeholder_high_threshold, programme.name) == (3, form_a["name"])
    # B reconciles (takes A's threshold, keeps the new name) and saves again.
    again = form_values(html, "revision")
    assert again["name"] == "Programa renombrado" and again["stakeholder_high_threshold"] == "4"
    again["stakeholder_high_threshold"] = "3"
    assert web_for(manager_b).post(url, again).status_code == 302
    programme.refresh_from_db()
    assert (programme.stakeholder_high_threshold, programme.name) == (3, "Programa renombrado")


def test_user_changed_by_two_administrators(organisation: Any) -> None:
    admin_a = User.objects.create_superuser("admin-a", "a@example.org", "pw-a-123456789")
    admin_b = User.objects.create_superuser("admin-b", "b@example.org", "pw-b-123456789")
    person = factories.user(organisation, Role.CASE_MANAGER, username="persona", email="old@example.org")
    url = reverse("admin:access_user_change", args=[person.pk])
    a, b = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="en")
    a.force_login(admin_a)
    b.force_login(admin_b)
    form_a, form_b = page_form(a.get(url)), page_form(b.get(url))
    form_a["email"] = "new@example.org"
    assert a.post(url, form_a).status_code == 302
    form_b["first_name"] = "Nombre"
    response = b.post(url, form_b)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this record" in html and "new@example.org" in html
    person.refresh_from_db()
    assert (person.email, person.first_name) == ("new@example.org", "")
    # The re-displayed form carries the current version: saving again keeps B's values.
    assert b.post(url, form_values(html, "revision")).status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Nombre"


def test_signing_in_does_not_make_an_open_admin_form_stale(organisation: Any) -> None:
    person = factories.user(organisation, Role.CASE_MANAGER, username="persona")
    before = person.revision
    assert Client().login(username="persona", password="correct-horse-battery")
    person.refresh_from_db()
    assert person.revision == before


def test_consents_are_append_only_and_a_second_withdrawal_changes_nothing(organisation: Any) -> None:
    from reintegra.protection.choices import ConsentMethod, ConsentPurpose

    supervisor = factories.user(organisation, Role.SUPERVISOR)
    returnee = factories.returnee(supervisor, return_country="GT", nationality="GT")
    today = timezone.localdate()
    consent = protection_services.record_consent(
        supervisor, returnee, ConsentPurpose.ASSISTANCE, ConsentMethod.SIGNED, today
    )
    protection_services.withdraw_consent(supervisor, consent, note="first")
    with pytest.raises(Exception, match="already withdrawn"):
        protection_services.withdraw_consent(supervisor, consent, note="second")
    consent.refresh_from_db()
    assert consent.withdrawal_note == "first"


def test_two_revocations_of_a_share_record_one(organisation: Any) -> None:
    """Both users opened the share while it was active; the second revocation changes nothing."""
    from reintegra.cases.models import CaseEvent
    from reintegra.protection.choices import ConsentMethod, ConsentPurpose
    from reintegra.protection.models import CaseShare

    case_manager = factories.user(organisation, Role.CASE_MANAGER)
    case = factories.case(case_manager, factories.returnee(case_manager, return_country="GT", nationality="GT"))
    partner = factories.organisation("ong-gt", country="GT")
    protection_services.record_consent(
        case_manager,
        case.returnee,
        ConsentPurpose.DATA_SHARING,
        ConsentMethod.SIGNED,
        timezone.localdate(),
        recipient_organisation=partner,
    )
    share = protection_services.share_case(case_manager, case, partner, "Salud")
    seen_by_a, seen_by_b = CaseShare.objects.get(pk=share.pk), CaseShare.objects.get(pk=share.pk)
    protection_services.revoke_share(case_manager, seen_by_a)
    first = CaseShare.objects.get(pk=share.pk).revoked_at
    protection_services.revoke_share(case_manager, seen_by_b)
    assert CaseShare.objects.get(pk=share.pk).revoked_at == first
    revoked = [e for e in CaseEvent.objects.filter(case=case) if e.data.get("what") == "share_revoked"]
    assert len(revoked) == 1


# --- referrals -------------------------------------------------------------------------------------


@pytest.fixture
def provider(organisation: Any) -> ServiceProvider:
    provider = ServiceProvider.objects.create(
        name="Centro A", organisation_type="ngo", country="GT", owner=organisation
    )
    provider.contacts.create(name="Ana")
    return provider


def test_provider_api_and_its_contacts(manager: User, manager_b: User, provider: ServiceProvider) -> None:
    url = f"/api/v1/service-providers/{provider.pk}/"
    read_a, read_b = api_for(manager).get(url), api_for(manager_b).get(url)
    assert read_a["ETag"] == f'"{read_a.json()["version"]}"'
    contacts = [{"name": "Ana"}, {"name": "Beto"}]
    ok = api_for(manager).patch(url, {"contacts": contacts}, format="json", HTTP_IF_MATCH=read_a["ETag"])
    assert ok.status_code == 200, ok.content
    stale = api_for(manager_b).patch(url, {"phone": "+502 1"}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert stale.status_code == 412
    assert api_for(manager_b).patch(url, {"phone": "+502 1"}, format="json").status_code == 428
    assert sorted(provider.contacts.values_list("name", flat=True)) == ["Ana", "Beto"]


def test_provider_form(manager: User, manager_b: User, provider: ServiceProvider) -> None:
    url = reverse("referrals:provider-edit", args=[provider.pk])
    form_a, form_b = page_form(web_for(manager).get(url)), page_form(web_for(manager_b).get(url))
    form_a["contacts-1-name"] = "Beto"
    assert web_for(manager).post(url, form_a).status_code == 302
    form_b["phone"] = "+502 2222 0000"
    response = web_for(manager_b).post(url, form_b)
    html = response.content.decode()
    assert STALE in html and "Beto" in html and "+502 2222 0000" in html
    provider.refresh_from_db()
    assert provider.phone == ""
    assert sorted(provider.contacts.values_list("name", flat=True)) == ["Ana", "Beto"]


def test_service_api_and_form(manager: User, manager_b: User, provider: ServiceProvider) -> None:
    service = Service.objects.create(
        provider=provider,
        code="centro-a-empleo",
        name="Empleo",
        dimension="economic",
        sector="employment",
        country="GT",
    )
    url = f"/api/v1/services/{service.pk}/"
    read_b = api_for(manager_b).get(url)
    form_b = page_form(web_for(manager_b).get(reverse("referrals:service-edit", args=[service.pk])))
    ok = api_for(manager).patch(url, {"capacity_per_month": 5}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert ok.status_code == 200
    assert (
        api_for(manager_b)
        .patch(url, {"opening_hours": "8-16"}, format="json", HTTP_IF_MATCH=read_b["ETag"])
        .status_code
        == 412
    )
    form_b["opening_hours"] = "8-16"
    html = web_for(manager_b).post(reverse("referrals:service-edit", args=[service.pk]), form_b).content.decode()
    assert STALE in html and "8-16" in html
    service.refresh_from_db()
    assert (service.capacity_per_month, service.opening_hours) == (5, "")


def test_pathways_are_versioned_by_design(manager: User, provider: ServiceProvider) -> None:
    """SOP versions are never edited: two new versions from the same one, the second is refused."""
    v1 = referral_services.save_pathway(
        manager,
        referral_services.PathwayInput(
            provider=provider, title="POE", approved_on=timezone.localdate(), transferred_fields=["case_number"]
        ),
    )
    new = referral_services.PathwayInput(
        provider=provider, title="POE", approved_on=timezone.localdate(), transferred_fields=["full_name"]
    )
    referral_services.save_pathway(manager, new, previous=v1)
    with pytest.raises(Exception, match="A newer version of this SOP exists"):
        referral_services.save_pathway(manager, new, previous=v1)
    assert list(ReferralPathway.objects.filter(title="POE").values_list("version", "is_current")) == [
        (2, True),
        (1, False),
    ]


def test_a_stale_provider_answer(db: Any) -> None:
    """Transitions lock the referral and re-check its state: an accept from a page read before a decline fails."""
    from reintegra.protection.choices import ConsentMethod, ConsentPurpose
    from reintegra.referrals.models import Referral
    from reintegra.referrals.tests.conftest import make_provider

    org = factories.organisation("oim-test", "GT")
    case_manager = factories.user(org, Role.CASE_MANAGER)
    pm = factories.user(org, Role.PROGRAMME_MANAGER)
    case = factories.case(case_manager, factories.returnee(case_manager, return_country="GT", nationality="GT"))
    provider_org = factories.organisation("prov-a", "GT")
    provider, service = make_provider(provider_org, "Centro A", code="centro-a-empleo")
    staff_a = factories.user(provider_org, Role.SERVICE_PROVIDER)
    staff_b = factories.user(provider_org, Role.SERVICE_PROVIDER)
    referral_services.save_pathway(
        pm,
        referral_services.PathwayInput(
            provider=provider, title="POE", approved_on=timezone.localdate(), transferred_fields=["case_number"]
        ),
    )
    protection_services.record_consent(
        case_manager,
        case.returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate(),
        recipient_organisation=provider_org,
    )
    protection_services.record_consent(
        case_manager,
        case.returnee,
        ConsentPurpose.DATA_SHARING,
        ConsentMethod.SIGNED,
        timezone.localdate(),
        recipient_organisation=provider_org,
    )
    referral = referral_services.create_referral(case_manager, case, service, reason="Empleo")
    referral_services.send_referral(case_manager, referral)
    seen_by_b = Referral.objects.get(pk=referral.pk)  # B opened the referral while it was still "sent"
    referral_services.decline_referral(staff_a, Referral.objects.get(pk=referral.pk), reason="no_capacity")
    with pytest.raises(TransitionError):  # "Only a sent referral can be accepted; this one is Declined."
        referral_services.accept_referral(staff_b, seen_by_b)
    referral.refresh_from_db()
    assert referral.status == "declined"


# --- regional --------------------------------------------------------------------------------------


def test_regional_action_api_and_form(manager: User, manager_b: User) -> None:
    action = regional_services.create_action(
        manager,
        regional_services.ActionInput(country="GT", title="Empleo", levels=["structural"], dimensions=["social"]),
    )
    url = f"/api/v1/regional-actions/{action.pk}/"
    form_url = reverse("regional:edit", args=[action.pk])
    read_b = api_for(manager_b).get(url)
    form_b = page_form(web_for(manager_b).get(form_url))
    ok = api_for(manager).patch(url, {"description": "De A"}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert ok.status_code == 200, ok.content
    assert (
        api_for(manager_b)
        .put(
            url,
            {"country": "GT", "title": "Empleo B", "levels": ["structural"], "dimensions": ["social"]},
            format="json",
            HTTP_IF_MATCH=read_b["ETag"],
        )
        .status_code
        == 412
    )
    assert api_for(manager_b).patch(url, {"title": "x"}, format="json").status_code == 428
    form_b["title"] = "Empleo B"
    html = web_for(manager_b).post(form_url, form_b).content.decode()
    assert STALE in html and "De A" in html and "Empleo B" in html
    action.refresh_from_db()
    assert (action.title, action.description) == ("Empleo", "De A")


# --- structural ------------------------------------------------------------------------------------


@pytest.fixture
def records(manager: User) -> dict[str, Any]:
    return build_world(manager.organisation, manager)


KIND_OF_RECORD = {"process_action": "actionitem", "stakeholder2": "stakeholder"}


@pytest.mark.parametrize("basename", sorted(API_RECORDS))
def test_every_structural_api_record(basename: str, manager: User, manager_b: User, records: dict[str, Any]) -> None:
    record = records[API_RECORDS[basename]]
    url = reverse(f"api:{basename}-detail", args=[record.pk])
    read_a, read_b = api_for(manager).get(url), api_for(manager_b).get(url)
    assert read_a["ETag"] == read_b["ETag"] == f'"{read_a.json()["version"]}"'
    ok = api_for(manager).patch(url, {}, format="json", HTTP_IF_MATCH=read_a["ETag"])
    assert ok.status_code == 200, ok.content
    assert ok["ETag"] != read_a["ETag"]
    stale = api_for(manager_b).patch(url, {}, format="json", HTTP_IF_MATCH=read_b["ETag"])
    assert stale.status_code == 412, stale.content
    assert stale.json()["current_version"] == ok.json()["version"]
    assert api_for(manager_b).put(url, read_b.json(), format="json").status_code in (400, 428)
    assert api_for(manager_b).patch(url, {}, format="json").status_code == 428


@pytest.mark.parametrize(
    "key",
    sorted(
        k
        for k in (
            "stakeholder",
            "contact",
            "interaction",
            "product",
            "review",
            "agreement",
            "document",
            "mechanism",
            "member",
            "meeting",
            "actionitem",
            "assessment",
            "plan",
            "activity",
            "training",
            "indicator",
            "framework",
            "process",
            "opportunity",
            "step",
        )
    ),
)
def test_every_structural_form(key: str, manager: User, manager_b: User, records: dict[str, Any]) -> None:
    record = records[key]
    url = reverse(f"structural:{KIND_OF_RECORD.get(key, key)}-edit", args=[record.pk])
    form_b = page_form(web_for(manager_b).get(url))
    before = type(record).objects.get(pk=record.pk).revision
    # Someone else saves the record meanwhile.
    structural_services.save_record(manager, type(record).objects.get(pk=record.pk), expected_version=before)
    response = web_for(manager_b).post(url, form_b)
    html = response.content.decode()
    assert response.status_code == 400, response.status_code
    assert STALE in html
    assert type(record).objects.get(pk=record.pk).revision == before + 1  # B's save did not happen
    # Saving again from the re-displayed form goes through.
    assert web_for(manager_b).post(url, form_values(html, "revision")).status_code == 302


def test_a_documents_own_version_is_not_the_concurrency_counter(
    manager: User, manager_b: User, records: dict[str, Any]
) -> None:
    """Documents have a version label of their own ("2"): it is edited as before and never counted up."""
    document = records["document"]
    url = reverse("structural:document-edit", args=[document.pk])
    form = page_form(web_for(manager).get(url))
    assert (form["version"], form["revision"]) == ("1", "1")
    form["version"] = "2b"
    assert web_for(manager).post(url, form).status_code == 302
    document.refresh_from_db()
    assert (document.version, document.revision) == ("2b", 2)


def test_structural_form_shows_the_other_change(manager: User, manager_b: User, records: dict[str, Any]) -> None:
    stakeholder = records["stakeholder"]
    url = reverse("structural:stakeholder-edit", args=[stakeholder.pk])
    form_a, form_b = page_form(web_for(manager).get(url)), page_form(web_for(manager_b).get(url))
    form_a["concerns"] = "Presupuesto insuficiente"
    assert web_for(manager).post(url, form_a).status_code == 302
    form_b["expectations"] = "Convenio firmado"
    html = web_for(manager_b).post(url, form_b).content.decode()
    assert STALE in html and "Presupuesto insuficiente" in html and "Convenio firmado" in html
    stakeholder.refresh_from_db()
    assert (stakeholder.concerns, stakeholder.expectations) == ("Presupuesto insuficiente", "")


def test_exchange_matrix_is_part_of_its_framework(manager: User, manager_b: User, records: dict[str, Any]) -> None:
    framework: CooperationFramework = records["framework"]
    party = records["stakeholder"]
    detail = reverse("structural:framework-detail", args=[framework.pk])
    url = reverse("structural:framework-exchange", args=[framework.pk])
    page_b = form_values(web_for(manager_b).get(detail).content, "revision")
    assert page_b["revision"] == str(framework.revision)
    a_cells = {f"cell:{party.pk}:services:enter": "on", "revision": page_b["revision"]}
    web_for(manager).post(url, a_cells)
    assert DataExchangeRule.objects.filter(framework=framework, category="services", may_enter=True).exists()
    b_cells = {f"cell:{party.pk}:monitoring:consult": "on", "revision": page_b["revision"]}
    response = web_for(manager_b).post(url, b_cells, follow=True)
    html = response.content.decode()
    assert STALE in html
    assert "Monitoring data · consult: Yes" in html  # B's choice is kept in the message
    rules = DataExchangeRule.objects.filter(framework=framework)
    assert list(rules.values_list("category", flat=True)) == ["services"]
    with pytest.raises(StaleVersion):
        structural_services.set_exchange_matrix(manager_b, framework, set(), expected_version=int(page_b["revision"]))


# --- sustainability --------------------------------------------------------------------------------


@pytest.fixture
def draft(manager: User) -> InstrumentVersion:
    programme = Programme.objects.get(organisation=manager.organisation)
    raw = rss_raw() | {"code": "propio", "version": 1}
    return sustainability_services.load_instrument(manager, raw, programme=programme).version


def test_draft_definition_form(manager: User, manager_b: User, draft: InstrumentVersion) -> None:
    url = reverse("sustainability:version-edit", args=[draft.pk])
    form_a, form_b = page_form(web_for(manager).get(url)), page_form(web_for(manager_b).get(url))
    data_a = yaml.safe_load(form_a["definition"])
    data_a["labels"] = {"es": "Encuesta de A"}
    form_a["definition"] = yaml.safe_dump(data_a, allow_unicode=True, sort_keys=False)
    assert web_for(manager).post(url, form_a).status_code == 302
    data_b = yaml.safe_load(form_b["definition"])
    data_b["labels"] = {"es": "Encuesta de B"}
    form_b["definition"] = yaml.safe_dump(data_b, allow_unicode=True, sort_keys=False)
    html = web_for(manager_b).post(url, form_b).content.decode()
    assert STALE in html and "Encuesta de A" in html and "Encuesta de B" in html
    draft.refresh_from_db()
    assert draft.definition["labels"] == {"es": "Encuesta de A"}


def test_publishing_a_draft_changed_since_it_was_reviewed(
    manager: User, manager_b: User, draft: InstrumentVersion
) -> None:
    page = web_for(manager_b).get(reverse("sustainability:instrument", args=[draft.instrument_id])).content
    seen = form_values(page, "revision")["revision"]
    sustainability_services.update_draft(manager, draft, draft.definition | {"labels": {"es": "Otra"}})
    response = web_for(manager_b).post(
        reverse("sustainability:version-publish", args=[draft.pk]), {"revision": seen}, follow=True
    )
    assert STALE in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published


def test_grid_row_form_and_removal(manager: User, manager_b: User) -> None:
    programme = Programme.objects.get(organisation=manager.organisation)
    row = sustainability_services.save_approach(manager, programme, {"dimension": "social", "approach": "Vivienda"})
    url = reverse("sustainability:grid-edit", args=[row.pk])
    form_a, form_b = page_form(web_for(manager).get(url)), page_form(web_for(manager_b).get(url))
    form_a["useful_for"] = "Familias con niños"
    assert web_for(manager).post(url, form_a).status_code == 302
    form_b["approach"] = "Vivienda temporal"
    html = web_for(manager_b).post(url, form_b).content.decode()
    assert STALE in html and "Familias con niños" in html and "Vivienda temporal" in html
    row.refresh_from_db()
    assert (row.approach, row.useful_for) == ("Vivienda", "Familias con niños")
    # Removing the row from a page read before that change does not remove it.
    removal = web_for(manager_b).post(
        reverse("sustainability:grid-delete", args=[row.pk]), {"revision": form_b["revision"]}, follow=True
    )
    assert STALE in removal.content.decode()
    assert FeasibilityApproach.objects.filter(pk=row.pk).exists()
    web_for(manager_b).post(reverse("sustainability:grid-delete", args=[row.pk]), {"revision": str(row.revision)})
    assert not FeasibilityApproach.objects.filter(pk=row.pk).exists()
