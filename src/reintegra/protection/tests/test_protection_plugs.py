"""How protection plugs into cases without cases importing it (issue 11, item 2): the links in the case
header, and the case grant that lets an organisation see the cases shared with it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.cases import scoping
from reintegra.cases import selectors as case_selectors
from reintegra.protection import services
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(case_manager, other_org):
    """A case of `org` shared with `other_org` under a consent naming it; and other_org's supervisor."""
    case = factories.case(case_manager)
    services.record_consent(
        case_manager,
        case.returnee,
        "data_sharing",
        "signed",
        timezone.localdate() - timedelta(days=1),
        recipient_organisation=other_org,
    )
    services.share_case(case_manager, case, other_org, "Seguimiento de salud")
    return case, factories.user(other_org, Role.SUPERVISOR, username="supervisora-socia")


@pytest.mark.parametrize("page_name", ["cases:detail", "cases:timeline", "cases:edit_returnee", "referrals:case"])
def test_every_case_page_links_to_the_consent_ledger_and_the_shares(client, case_manager, page_name):
    case = factories.case(case_manager)
    client.force_login(case_manager)
    page = client.get(reverse(page_name, args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{reverse("protection:consents", args=[case.returnee_id])}"' in html
    assert f'href="{reverse("protection:shares", args=[case.pk])}"' in html


def test_the_share_grant_widens_case_visibility_and_nothing_else_does(shared, monkeypatch):
    case, partner = shared
    assert case_selectors.cases_for(partner).filter(pk=case.pk).exists()
    assert case_selectors.returnees_for(partner).filter(pk=case.returnee_id).exists()
    assert case.organisation_id in case_selectors.searchable_organisations(partner)
    # Without the grant protection registers, the partner sees nothing of the other organisation (fail closed).
    monkeypatch.setattr(scoping, "_GRANTS", {})
    assert not case_selectors.cases_for(partner).filter(pk=case.pk).exists()
    assert not case_selectors.returnees_for(partner).filter(pk=case.returnee_id).exists()
    assert case_selectors.searchable_organisations(partner) == [partner.organisation_id]


def test_a_revoked_share_grants_nothing(shared, case_manager):
    case, partner = shared
    services.revoke_share(case_manager, case.shares.get())
    assert not case_selectors.cases_for(partner).filter(pk=case.pk).exists()
    assert scoping.visible_returnee_ids(partner, [case.returnee_id]) == set()


def test_the_change_log_and_its_filter_cover_what_protection_registers():
    from auditlog.registry import auditlog

    from reintegra.access import audit, forms
    from reintegra.protection.models import CaseShare, Consent

    offered = {value for _app, models in forms.object_type_choices()[1:] for value, _label in models}
    for model in (Consent, CaseShare):
        assert auditlog.contains(model)
        assert model._meta.label_lower in offered
        # About a person: free text masked in the log, entries labelled by type and id.
        assert model._meta.label in audit._PERSONAL_MODELS
    # Every registered model can be filtered on (the referral network's too, not only access and cases).
    assert {label.lower() for label in audit.audited_models()} <= offered
    assert "referrals.referral" in offered


@pytest.mark.parametrize("few", [1000, 0])  # the matches fixed as their ids, or left as the index lookups
def test_a_search_finds_the_shared_case_and_no_other_case_of_its_holder(shared, case_manager, monkeypatch, few):
    monkeypatch.setattr(case_selectors, "SEARCH_FEW", few)
    case, partner = shared
    same_name = factories.case(case_manager)  # the holder's, not shared: the partner never sees it
    found = case_selectors.search_cases(partner, case_selectors.CaseFilters(search="hernandez"))
    assert list(found) == [case]
    assert case_selectors.search_cases(partner, case_selectors.CaseFilters(search=same_name.case_number)).count() == 0
    assert case_selectors.search_cases(partner, case_selectors.CaseFilters(search=case.case_number)).get() == case
