"""Child-focused referral SOPs: a child's referral goes under one when the provider has one, an adult's never
does; a child-focused SOP must say its safeguards; the provider sees them with the referral."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.protection.choices import ConsentMethod, ConsentPurpose
from reintegra.protection.services import record_consent
from reintegra.referrals import services
from reintegra.referrals.choices import PathwayPopulation
from reintegra.referrals.tests.conftest import SOP_FIELDS, World
from reintegra.testing import factories
from reintegra.testing.api_clients import api_client_for

SAFEGUARDS = "La PGN es informada; ninguna entrevista sin una persona adulta de confianza."


def _child_sop(world: World, **overrides: Any) -> Any:
    manager = factories.user(world.org, Role.PROGRAMME_MANAGER)
    values: dict[str, Any] = {
        "provider": world.provider,
        "title": "POE niñez",
        "approved_on": timezone.localdate(),
        "transferred_fields": ["case_number", "age"],
        "population": PathwayPopulation.CHILDREN,
        "child_safeguards": SAFEGUARDS,
    }
    values.update(overrides)
    return services.save_pathway(manager, services.PathwayInput(**values))


def _child_case(world: World) -> Any:
    returnee = factories.returnee(
        world.manager,
        given_names="Ana Lucía",
        birth_date=timezone.localdate() - timedelta(days=15 * 365),
        return_country="GT",
        nationality="GT",
    )
    return factories.case(world.manager, returnee, case_manager=world.manager)


def test_a_childs_referral_goes_under_the_child_focused_sop(world: World) -> None:
    child_sop = _child_sop(world)
    child_case = _child_case(world)
    referral = services.create_referral(world.manager, child_case, world.service, reason="Apoyo escolar")
    assert referral.pathway == child_sop
    # The adult's referral to the same service stays under the general SOP.
    assert world.referral().pathway == world.pathway


def test_a_childs_referral_uses_the_general_sop_when_there_is_no_child_focused_one(world: World) -> None:
    referral = services.create_referral(world.manager, _child_case(world), world.service, reason="Apoyo escolar")
    assert referral.pathway == world.pathway


def test_an_adults_referral_never_goes_under_a_child_only_sop(world: World) -> None:
    world.pathway.is_current = False  # only the child-focused SOP remains with this provider
    world.pathway.save(update_fields=["is_current"])
    _child_sop(world)
    with pytest.raises(ValidationError) as raised:
        world.referral()
    assert [e.code for e in raised.value.error_dict["service"]] == ["invalid_choice"]


def test_a_child_focused_sop_must_say_its_safeguards(world: World) -> None:
    with pytest.raises(ValidationError) as raised:
        _child_sop(world, child_safeguards="  ")
    assert [e.code for e in raised.value.error_dict["child_safeguards"]] == ["required"]


def test_safeguards_are_dropped_from_an_sop_for_everyone(world: World) -> None:
    sop = _child_sop(world, population=PathwayPopulation.EVERYONE, title="POE general 2")
    assert sop.child_safeguards == ""


def test_web_and_api_refuse_a_child_sop_without_safeguards_alike(world: World, client: Any) -> None:
    manager = factories.user(world.org, Role.PROGRAMME_MANAGER)
    payload = {
        "provider": world.provider.pk,
        "title": "POE niñez",
        "approved_on": timezone.localdate().isoformat(),
        "transferred_fields": SOP_FIELDS,
        "population": "children",
        "child_safeguards": "",
    }
    api = api_client_for(manager).post("/api/v1/referral-pathways/", payload, format="json")
    assert api.status_code == 400
    assert ("child_safeguards", "required") in {(e["field"], e["code"]) for e in api.json()["errors"]}
    client.force_login(manager)
    page = client.post(reverse("referrals:pathway-new"), payload)
    assert page.status_code == 200  # re-displayed, with the message
    assert "child_safeguards" in page.context["form"].errors
    payload["child_safeguards"] = SAFEGUARDS
    created = api_client_for(manager).post("/api/v1/referral-pathways/", payload, format="json")
    assert created.status_code == 201
    assert created.json()["population"] == "children"


def test_the_provider_sees_the_safeguards_with_a_childs_referral(world: World, client: Any) -> None:
    _child_sop(world)
    child_case = _child_case(world)
    record_consent(
        world.manager,
        child_case.returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate() - timedelta(days=1),
        recipient_organisation=world.provider_org,
        given_by_returnee=False,
        guardian_name="María Pérez (madre)",
        child_assent=True,
    )
    referral = services.create_referral(world.manager, child_case, world.service, reason="Apoyo escolar")
    services.send_referral(world.manager, referral)
    received = api_client_for(world.provider_user).get(f"/api/v1/referrals/{referral.pk}/")
    assert received.status_code == 200
    assert received.json()["child_safeguards"] == SAFEGUARDS
    client.force_login(world.provider_user)
    page = client.get(reverse("referrals:detail", args=[referral.pk]))
    assert SAFEGUARDS in page.content.decode()
    # An adult's referral carries none.
    assert (
        api_client_for(world.manager).get(f"/api/v1/referrals/{world.referral().pk}/").json()["child_safeguards"] == ""
    )


def test_the_sop_list_filters_the_child_focused_ones(world: World, client: Any) -> None:
    _child_sop(world)
    client.force_login(world.manager)
    page = client.get(reverse("referrals:pathways"), {"population": "children"})
    titles = [p.title for p in page.context["page"].object_list]
    assert titles == ["POE niñez"]
    everyone = client.get(reverse("referrals:pathways"))
    assert {"POE niñez", "POE empleo"} <= {p.title for p in everyone.context["page"].object_list}


def test_a_child_over_eighteen_now_still_counts_as_a_child_case(world: World) -> None:
    """The path started as a child's: the SOP choice looks at the age at return, not today's."""
    _child_sop(world)
    returnee = factories.returnee(
        world.manager, given_names="Luis", birth_date=date(2008, 1, 1), return_country="GT", nationality="GT"
    )
    case = factories.case(world.manager, returnee, case_manager=world.manager, return_date=date(2025, 12, 1))
    referral = services.create_referral(world.manager, case, world.service, reason="Apoyo")
    assert referral.pathway.population == PathwayPopulation.CHILDREN


def test_a_childs_referral_is_sent_only_with_the_guardians_consent_and_the_childs_assent(world: World) -> None:
    """Issue 13: guardian consent and child assent before any referral, whether the provider is on the platform
    or outside it (a consent recorded before the rule, without them, does not count)."""
    from reintegra.protection.models import Consent
    from reintegra.protection.services import ConsentRequired
    from reintegra.referrals.models import Service, ServiceProvider
    from reintegra.referrals.tests.conftest import SOP_FIELDS

    child_case = _child_case(world)
    outside = ServiceProvider.objects.create(name="Casa hogar", organisation_type="ngo", country="GT", owner=world.org)
    outside_service = Service.objects.create(
        provider=outside,
        code="casa-hogar",
        name="Acogimiento",
        dimension="social",
        sector="social_protection",
        country="GT",
    )
    services.save_pathway(
        factories.user(world.org, Role.PROGRAMME_MANAGER),
        services.PathwayInput(
            provider=outside,
            title="POE casa hogar",
            approved_on=timezone.localdate(),
            transferred_fields=list(SOP_FIELDS),
        ),
    )
    for recipient in ({"recipient_organisation": world.provider_org}, {"recipient_provider": outside}):
        Consent.objects.create(
            returnee=child_case.returnee,
            purpose=ConsentPurpose.REFERRAL,
            method=ConsentMethod.SIGNED,
            given_on=timezone.localdate() - timedelta(days=1),
            recorded_by=world.manager,
            **recipient,
        )
    for service in (world.service, outside_service):
        referral = services.create_referral(world.manager, child_case, service, reason="Apoyo escolar")
        with pytest.raises(ConsentRequired) as refused:
            services.send_referral(world.manager, referral)
        assert refused.value.code == "consent_required"
    record_consent(
        world.manager,
        child_case.returnee,
        ConsentPurpose.REFERRAL,
        ConsentMethod.SIGNED,
        timezone.localdate(),
        recipient_provider=outside,
        given_by_returnee=False,
        guardian_name="María Pérez (madre)",
        child_assent=True,
    )
    assert services.send_referral(world.manager, referral).sent_at is not None
