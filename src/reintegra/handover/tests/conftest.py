from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from reintegra.access.models import Organisation, Programme, User
from reintegra.access.roles import Role
from reintegra.cases.models import Case
from reintegra.handover import services
from reintegra.handover.models import HandOver
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.models import Consent
from reintegra.structural import choices as sc
from reintegra.structural.models import CooperationFramework, DataExchangeRule, Stakeholder
from reintegra.testing import factories

ALL_CATEGORIES = ["returnee_profiles", "origin_situation", "needs_intentions", "assistance", "monitoring"]


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    sender: User
    recipient: User
    framework: CooperationFramework
    party: Stakeholder
    case: Case

    def handover_input(self, **overrides: Any) -> services.HandOverInput:
        values: dict[str, Any] = {
            "framework": self.framework,
            "recipient_party": self.party,
            "reason": "Retorno a Guatemala: seguimiento por la ONG",
            "recipient_organisation": self.other_org,
        }
        values.update(overrides)
        return services.HandOverInput(**values)


def framework_for(org: Organisation, categories: list[str]) -> tuple[CooperationFramework, Stakeholder]:
    programme = Programme.objects.filter(organisation=org).first()
    assert programme is not None
    party = Stakeholder.objects.create(
        programme=programme,
        name="ONG receptora",
        category=sc.StakeholderCategory.NATIONAL_AUTHORITY,
        level="national",
        country="GT",
        interest=3,
        influence=3,
    )
    framework = CooperationFramework.objects.create(
        programme=programme, title="Marco México–Guatemala", host_country="MX", origin_country="GT"
    )
    framework.parties.add(party)
    for category in categories:
        DataExchangeRule.objects.create(
            programme=programme, framework=framework, party=party, category=category, may_consult=True
        )
    return framework, party


def consent(case: Case, recipient: Organisation, by: User, purpose: str = ConsentPurpose.CROSS_BORDER) -> Consent:
    return Consent.objects.create(
        returnee=case.returnee,
        purpose=purpose,
        recipient_organisation=recipient,
        method=ConsentMethod.SIGNED,
        given_on=timezone.localdate() - timedelta(days=1),
        recorded_by=by,
    )


@pytest.fixture
def world(org: Organisation, other_org: Organisation, case_manager: User) -> World:
    recipient = factories.user(other_org, Role.SUPERVISOR, username="receptora-gt")
    framework, party = framework_for(org, ["returnee_profiles", "origin_situation", "needs_intentions"])
    case = factories.case(case_manager)
    return World(org, other_org, case_manager, recipient, framework, party, case)


def sent(world: World) -> HandOver:
    consent(world.case, world.other_org, world.sender)
    handover = services.create_handover(world.sender, world.case, world.handover_input())
    return services.send_handover(world.sender, handover)
