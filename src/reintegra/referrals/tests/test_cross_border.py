"""A referral to a provider organisation in another country needs a cross-border consent naming it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.protection.choices import ConsentPurpose
from reintegra.protection.services import CrossBorderConsentRequired
from reintegra.referrals import services
from reintegra.referrals.tests.conftest import SOP_FIELDS, make_provider
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def _abroad_service(world):
    org = factories.organisation("prov-mx", "MX")
    provider, service = make_provider(org, "Centro México", code="centro-mx-empleo")
    services.save_pathway(
        factories.user(world.org, Role.PROGRAMME_MANAGER),
        services.PathwayInput(
            provider=provider, title="POE México", approved_on=timezone.localdate(), transferred_fields=list(SOP_FIELDS)
        ),
    )
    return org, service


def test_referral_abroad_needs_a_cross_border_consent(world):
    org, service = _abroad_service(world)
    world.consent(org, purpose=ConsentPurpose.REFERRAL)
    referral = world.referral(service=service)
    with pytest.raises(CrossBorderConsentRequired) as refused:
        services.send_referral(world.manager, referral)
    assert refused.value.code == "cross_border_consent_required"
    referral.refresh_from_db()
    assert referral.sent_at is None
    world.consent(org, purpose=ConsentPurpose.CROSS_BORDER)
    sent = services.send_referral(world.manager, referral)
    assert sent.recipient_organisation == org and sent.consent.purpose == ConsentPurpose.CROSS_BORDER


def test_referral_in_the_country_is_unchanged(world):
    world.consent()
    assert services.send_referral(world.manager, world.referral()).sent_at is not None
    assert issubclass(CrossBorderConsentRequired, PermissionDenied)
