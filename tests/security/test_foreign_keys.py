"""Issue 10, item 2 (siblings): every foreign key a user can write is checked in the service against what
that user may touch.

The first tests are the holes found by the audit (each failed on the code before the fix); the last ones
pin the checks that already held, so that they keep holding (web, API and service alike).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import Programme
from reintegra.access.roles import Role
from reintegra.cases import services as case_services
from reintegra.cases.models import Case
from reintegra.regional import services as regional_services
from reintegra.structural import choices as c
from reintegra.structural import services as structural_services
from reintegra.structural.models import ActionItem, CoordinationMechanism, Stakeholder
from reintegra.sustainability import services as sustainability_services
from reintegra.sustainability.models import SurveyRound
from reintegra.sustainability.tests.conftest import best_answers, rss_raw
from reintegra.testing import factories
from reintegra.testing.api_clients import api_client_for

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    return api_client_for(user)


def _stakeholder(manager: Any, programme: Programme, **values: Any) -> Stakeholder:
    return structural_services.save_record(
        manager,
        Stakeholder(
            programme=programme,
            name=values.pop("name", "Ministerio de Trabajo"),
            category=c.StakeholderCategory.NATIONAL_AUTHORITY,
            level=c.GeographicLevel.NATIONAL,
            country="GT",
            interest=4,
            influence=4,
            **values,
        ),
    )


# --- holes found and closed -------------------------------------------------------------------------


def test_a_structural_record_names_only_people_of_its_programme():
    """Stakeholder.owner and ActionItem.owner took any user id in the service (a user of any organisation)."""
    home = factories.organisation("home", "GT")
    manager = factories.user(home, Role.PROGRAMME_MANAGER)
    colleague = factories.user(home, Role.CASE_MANAGER)
    stranger = factories.user(factories.organisation("elsewhere", "MX"), Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=home)
    with pytest.raises(ValidationError) as refused:
        _stakeholder(manager, programme, owner=stranger)
    assert refused.value.error_dict["owner"][0].code == "foreign_user"
    stakeholder = _stakeholder(manager, programme, owner=colleague)
    mechanism = structural_services.save_record(
        manager, CoordinationMechanism(programme=programme, name="Mesa", kind="inter_agency", level="national")
    )
    with pytest.raises(ValidationError):
        structural_services.save_record(
            manager, ActionItem(programme=programme, mechanism=mechanism, description="Informe", owner=stranger)
        )
    stakeholder.refresh_from_db()
    assert stakeholder.owner == colleague


def test_a_coordinator_names_only_people_of_the_programme_or_its_coordination_body():
    """The API offered a coordinator the users of every organisation whose programme it saw."""
    owner_org = factories.organisation("owner", "GT")
    manager = factories.user(owner_org, Role.PROGRAMME_MANAGER)
    programme = Programme.objects.get(organisation=owner_org)
    stakeholder = _stakeholder(manager, programme)
    mesa = factories.organisation("mesa", "GT")
    coordinator = factories.user(mesa, Role.COORDINATOR)
    neighbour = factories.organisation("neighbour", "GT")  # its programme covers Guatemala: the coordinator sees it
    neighbour_user = factories.user(neighbour, Role.CASE_MANAGER)
    structural_services.grant_write(manager, mesa, c.GrantScope.STRUCTURAL, programme)
    url = reverse("api:stakeholder-detail", args=[stakeholder.pk])
    assert api(coordinator).patch(url, {"owner": neighbour_user.pk}, format="json").status_code == 400
    assert api(coordinator).patch(url, {"owner": coordinator.pk}, format="json").status_code == 200
    assert api(coordinator).patch(url, {"owner": manager.pk}, format="json").status_code == 200


def test_rescoring_refuses_another_programmes_instrument():
    """A round could be scored again under any published version sharing its instrument's code, even one of
    another organisation's programme."""
    org = factories.organisation("org-a", "GT")
    manager = factories.user(org, Role.CASE_MANAGER)
    case = factories.case(manager, case_manager=manager)
    round_ = sustainability_services.record_round(
        manager, case, sustainability_services.RoundInput("rss", timezone.localdate(), best_answers())
    )
    other = factories.organisation("org-b", "GT")
    other_manager = factories.user(other, Role.PROGRAMME_MANAGER)
    raw = rss_raw()
    raw["version"] = 9
    foreign = sustainability_services.load_instrument(
        other_manager, raw, programme=Programme.objects.get(organisation=other), publish=True
    ).version
    with pytest.raises(ValidationError) as refused:
        sustainability_services.rescore_round(manager, round_, foreign)
    assert "version" in refused.value.message_dict
    assert SurveyRound.objects.get(pk=round_.pk).scores.count() == 1


def test_opening_a_case_needs_a_person_the_user_sees():
    """open_case checked the organisation only: a case manager could open a case (and become its case
    manager) for a person registered by a colleague of another team, whom they may not see."""
    org = factories.organisation("org-a", "GT")
    one = factories.user(org, Role.CASE_MANAGER, team=factories.team(org, "Uno"))
    two = factories.user(org, Role.CASE_MANAGER, team=factories.team(org, "Dos"))
    person = factories.returnee(two, given_names="Esperanza")
    with pytest.raises(PermissionDenied):
        case_services.open_case(one, person, factories.return_input())
    assert not Case.objects.filter(returnee=person).exists()
    assert case_services.open_case(two, person, factories.return_input()).case_manager == two


def test_an_action_does_not_overwrite_the_kind_other_organisations_gave_an_institution():
    """Institutions are shared by every organisation's actions; any action re-typed them."""
    first = factories.user(factories.organisation("org-a", "GT"), Role.PROGRAMME_MANAGER)
    second = factories.user(factories.organisation("org-b", "GT"), Role.PROGRAMME_MANAGER)

    def action(user: Any, kind: str) -> Any:
        return regional_services.create_action(
            user,
            regional_services.ActionInput(
                country="GT",
                title=f"Acción {kind}",
                levels=["structural"],
                dimensions=["social"],
                institution_name="Ministerio de Desarrollo",
                institution_kind=kind,
            ),
        )

    mine = action(first, "government")
    action(second, "ngo")
    mine.refresh_from_db()
    assert mine.institution is not None and mine.institution.kind == "government"


# --- checks that already held: pinned -----------------------------------------------------------------


def test_a_referral_names_only_a_plan_item_of_its_case(db):
    from reintegra.referrals import services as referral_services
    from reintegra.referrals.tests.conftest import make_provider

    org = factories.organisation("org-a", "GT")
    manager = factories.user(org, Role.CASE_MANAGER)
    mine = factories.agreed_case(manager, case_manager=manager)
    other = factories.agreed_case(manager, returnee_obj=factories.returnee(manager, given_names="Otra"))
    provider, service = make_provider(factories.organisation("prov", "GT"), "Centro", code="centro-x")
    referral_services.save_pathway(
        factories.user(org, Role.PROGRAMME_MANAGER),
        referral_services.PathwayInput(
            provider=provider, title="POE", approved_on=timezone.localdate(), transferred_fields=["case_number"]
        ),
    )
    item = other.plan.items.get()
    body = {"case": mine.pk, "service": service.pk, "reason": "Empleo", "plan_item": item.pk}
    response = api(manager).post(reverse("api:referral-list"), body, format="json")
    assert response.status_code == 400 and "plan_item" in response.json()
    with pytest.raises(ValidationError) as refused:
        referral_services.create_referral(manager, mine, service, reason="Empleo", plan_item=item)
    assert "plan_item" in refused.value.message_dict
    body["plan_item"] = mine.plan.items.get().pk
    assert api(manager).post(reverse("api:referral-list"), body, format="json").status_code == 201


def test_a_case_is_assigned_only_to_a_case_manager_of_its_organisation():
    org = factories.organisation("org-a", "GT")
    supervisor = factories.user(org, Role.SUPERVISOR)
    case = factories.case(supervisor)
    stranger = factories.user(factories.organisation("org-b", "GT"), Role.CASE_MANAGER)
    response = api(supervisor).post(
        reverse("api:case-assign", args=[case.pk]), {"case_manager": stranger.pk}, format="json"
    )
    assert response.status_code == 400
    with pytest.raises(ValidationError):
        case_services.assign_case(supervisor, case, stranger)


def test_a_structural_record_links_only_records_of_its_programme():
    home = factories.organisation("home", "GT")
    manager = factories.user(home, Role.PROGRAMME_MANAGER)
    other = factories.organisation("other", "GT")
    foreign = _stakeholder(factories.user(other, Role.PROGRAMME_MANAGER), Programme.objects.get(organisation=other))
    programme = Programme.objects.get(organisation=home)
    with pytest.raises(ValidationError):
        structural_services.save_record(
            manager,
            CoordinationMechanism(
                programme=programme, name="Mesa", kind="inter_agency", level="national", chair=foreign
            ),
        )
    response = api(manager).post(
        reverse("api:coordination-mechanism-list"),
        {"programme": programme.pk, "name": "Mesa", "kind": "inter_agency", "level": "national", "chair": foreign.pk},
        format="json",
    )
    assert response.status_code == 400


def test_a_share_is_granted_only_under_a_consent_naming_the_organisation():
    org = factories.organisation("org-a", "GT")
    manager = factories.user(org, Role.CASE_MANAGER)
    case = factories.case(manager, case_manager=manager)
    target = factories.organisation("org-b", "GT")
    other = factories.organisation("org-c", "GT")
    from reintegra.protection.services import record_consent

    record_consent(
        manager,
        case.returnee,
        "referral",
        "signed",
        timezone.localdate() - timedelta(days=1),
        recipient_organisation=other,
    )
    response = api(manager).post(
        reverse("api:case-shares", args=[case.pk]), {"organisation": target.pk, "reason": "Salud"}, format="json"
    )
    assert response.status_code == 403 and response.json()["code"] == "consent_required"
