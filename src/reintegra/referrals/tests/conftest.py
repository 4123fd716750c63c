"""Shared set-up: a referring organisation with a case, a provider organisation on the platform with a
service and an SOP that transfers a few fields only."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.services import record_consent
from reintegra.referrals import services
from reintegra.referrals.models import Service, ServiceProvider
from reintegra.testing import factories

SOP_FIELDS = ["case_number", "full_name", "age", "referral_reason"]


@dataclass
class World:
    org: Any
    manager: Any
    supervisor: Any
    case: Any
    provider_org: Any
    provider_user: Any
    provider: Any
    service: Any
    pathway: Any
    other_provider_org: Any
    other_provider_user: Any
    other_service: Any

    def consent(self, organisation: Any = None, **kwargs: Any) -> Any:
        return record_consent(
            self.manager,
            self.case.returnee,
            kwargs.pop("purpose", ConsentPurpose.REFERRAL),
            ConsentMethod.SIGNED,
            timezone.localdate() - timedelta(days=1),
            recipient_organisation=organisation or self.provider_org,
            **kwargs,
        )

    def referral(self, **kwargs: Any) -> Any:
        return services.create_referral(
            self.manager, self.case, kwargs.pop("service", self.service), reason="Necesita empleo", **kwargs
        )


def make_provider(org: Any, name: str, *, code: str) -> tuple[Any, Any]:
    # The provider's organisation maintains its own entry and is linked to it (as if it had accepted).
    provider = ServiceProvider.objects.create(
        name=name, organisation_type="ngo", country=str(org.country), organisation=org, owner=org
    )
    service = Service.objects.create(
        provider=provider,
        code=code,
        name=f"Servicio {name}",
        dimension="economic",
        sector="employment",
        country=str(org.country),
    )
    return provider, service


@pytest.fixture
def world(db: Any) -> World:
    org = factories.organisation("oim-test", "GT")
    manager = factories.user(org, Role.CASE_MANAGER)
    supervisor = factories.user(org, Role.SUPERVISOR, is_mental_health_professional=True)
    programme_manager = factories.user(org, Role.PROGRAMME_MANAGER)
    returnee = factories.returnee(manager, return_country="GT", nationality="GT")
    case = factories.case(manager, returnee, case_manager=manager)
    provider_org = factories.organisation("prov-a", "GT")
    provider_user = factories.user(provider_org, Role.SERVICE_PROVIDER)
    provider, service = make_provider(provider_org, "Centro A", code="centro-a-empleo")
    other_org = factories.organisation("prov-b", "GT")
    other_user = factories.user(other_org, Role.SERVICE_PROVIDER)
    other_provider, other_service = make_provider(other_org, "Centro B", code="centro-b-empleo")
    pathway = services.save_pathway(
        programme_manager,
        services.PathwayInput(
            provider=provider, title="POE empleo", approved_on=timezone.localdate(), transferred_fields=list(SOP_FIELDS)
        ),
    )
    services.save_pathway(
        programme_manager,
        services.PathwayInput(
            provider=other_provider,
            title="POE B",
            approved_on=timezone.localdate(),
            transferred_fields=list(SOP_FIELDS),
        ),
    )
    return World(
        org,
        manager,
        supervisor,
        case,
        provider_org,
        provider_user,
        provider,
        service,
        pathway,
        other_org,
        other_user,
        other_service,
    )
