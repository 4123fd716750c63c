"""Set-up of one installation for the two-installation test, run inside that installation's own process
(`python -c`, its own database): its organisation, a stand-in for the partner's organisation, a programme
manager with an API token, a case with a cross-border consent, a cooperation framework that lets the party
consult every category. Prints what the test needs as JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.utils import timezone


def prepare(own_code: str, own_country: str, other_code: str, other_country: str, given_names: str) -> dict[str, Any]:
    from reintegra.access import api_tokens
    from reintegra.access.roles import Role
    from reintegra.handover import keys
    from reintegra.handover.tests.conftest import ALL_CATEGORIES, consent, framework_for
    from reintegra.testing import factories

    own = factories.organisation(own_code, country=own_country, name=f"Organización {own_code}")
    stand_in = factories.organisation(other_code, country=other_country, name=f"Socia {other_code}")
    user = factories.user(own, Role.PROGRAMME_MANAGER, username=f"pm-{own_code}")
    returnee = factories.returnee(
        user, given_names=given_names, first_family_name="Loopback", birth_date=timezone.localdate().replace(year=1991)
    )
    case = factories.case(user, returnee)
    framework, party = framework_for(own, ALL_CATEGORIES)
    consent(case, stand_in, user)
    _token, secret = api_tokens.issue(user, name="loopback", second_factor=True)
    return {
        "jwks": keys.public_jwks(),
        "token": secret,
        "case": case.pk,
        "party": party.pk,
        "framework": framework.pk,
        "stand_in": stand_in.pk,
    }


if __name__ == "__main__":
    import django

    django.setup()
    print(json.dumps(prepare(*sys.argv[1:6])))
