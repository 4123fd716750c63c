"""Permission matrix of every referral route: each role (in the referring organisation, and as the
provider's organisation) against the capability each route needs, computed from ROLE_CAPABILITIES.

Expected answers: no capability -> 403 (web and API alike, checked before any lookup); capability but the
object hidden from the user -> 404; allowed -> 200 (web POST forms: 302 on success or 400 when the step is
not possible now; API actions: 200/400/403 consent). Rows name the capability, not the answer.

Ownership (issue 10): the directory entry of the world is maintained by the provider's organisation; a
row marked OWNER is refused (403) to every other organisation, whatever the role. Link requests: the
world has one, from the referring organisation ("own", which maintains that entry) to organisation
"other"; a row marked TARGET is answered only by the organisation the request names (others: 404). SOPs: a
row marked REFERRER (a new version) is the referring organisation's; the provider's organisation, which
reads the SOP, is refused (403)."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.testing import factories
from reintegra.testing.routes import routes_of_app

C = Capability
ANY = None  # any signed-in user; the selectors decide
CASE_READ = (C.VIEW_ASSIGNED_CASES, C.VIEW_ORGANISATION_CASES)

OWNER, TARGET, REFERRER = "owner", "target", "referrer"

# (route, method) -> (capabilities (any one), what the object is: "none" | "referral" | "case" | "pathway" |
# "provider" | "service" | "link"[, OWNER | TARGET | REFERRER])
MATRIX = {
    ("referrals:list", "GET"): ((C.EDIT_CASES, C.VIEW_ASSIGNED_CASES, C.RECEIVE_REFERRALS), "none"),
    ("api:referral-export-csv", "GET"): ((C.EDIT_CASES, C.VIEW_ASSIGNED_CASES, C.RECEIVE_REFERRALS), "none"),
    ("api:referral-export-xlsx", "GET"): ((C.EDIT_CASES, C.VIEW_ASSIGNED_CASES, C.RECEIVE_REFERRALS), "none"),
    ("referrals:detail", "GET"): (ANY, "referral"),
    ("referrals:action", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("referrals:discard", "POST"): ((C.EDIT_CASES,), "referral"),
    ("referrals:case", "GET"): (ANY, "case"),
    ("referrals:case-new", "GET"): ((C.EDIT_CASES,), "case"),
    ("referrals:case-new", "POST"): ((C.EDIT_CASES,), "case"),
    ("referrals:directory", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("referrals:duplication", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("referrals:directory-import", "GET"): ((C.MANAGE_SERVICE_DIRECTORY,), "none"),
    ("referrals:directory-import", "POST"): ((C.MANAGE_SERVICE_DIRECTORY,), "none"),
    ("referrals:provider", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "provider"),
    ("referrals:provider-new", "GET"): ((C.MANAGE_SERVICE_DIRECTORY,), "none"),
    ("referrals:provider-new", "POST"): ((C.MANAGE_SERVICE_DIRECTORY,), "none"),
    ("referrals:provider-edit", "GET"): ((C.MANAGE_SERVICE_DIRECTORY,), "provider", OWNER),
    ("referrals:provider-edit", "POST"): ((C.MANAGE_SERVICE_DIRECTORY,), "provider", OWNER),
    ("referrals:service-new", "GET"): ((C.MANAGE_SERVICE_DIRECTORY,), "provider", OWNER),
    ("referrals:service-new", "POST"): ((C.MANAGE_SERVICE_DIRECTORY,), "provider", OWNER),
    ("referrals:service-edit", "GET"): ((C.MANAGE_SERVICE_DIRECTORY,), "service", OWNER),
    ("referrals:service-edit", "POST"): ((C.MANAGE_SERVICE_DIRECTORY,), "service", OWNER),
    ("referrals:links", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("referrals:link-answer", "POST"): ((C.MANAGE_PROGRAMME,), "link", TARGET),
    ("referrals:pathways", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("referrals:pathway-new", "GET"): ((C.MANAGE_SERVICE_DIRECTORY, C.MANAGE_PROGRAMME), "none"),
    ("referrals:pathway-new", "POST"): ((C.MANAGE_SERVICE_DIRECTORY, C.MANAGE_PROGRAMME), "none"),
    ("referrals:pathway", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "pathway"),
    ("referrals:pathway-version", "GET"): ((C.MANAGE_SERVICE_DIRECTORY, C.MANAGE_PROGRAMME), "pathway", REFERRER),
    ("referrals:pathway-version", "POST"): ((C.MANAGE_SERVICE_DIRECTORY, C.MANAGE_PROGRAMME), "pathway", REFERRER),
    ("referrals:gaps", "GET"): ((C.VIEW_REFERRAL_REPORTS, C.MANAGE_SERVICE_DIRECTORY), "none"),
    ("referrals:reports", "GET"): ((C.VIEW_REFERRAL_REPORTS,), "none"),
    ("api:service-provider-list", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("api:service-provider-list", "POST"): ((C.MANAGE_SERVICE_DIRECTORY,), "none"),
    ("api:service-provider-detail", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "provider"),
    ("api:service-provider-detail", "PATCH"): ((C.MANAGE_SERVICE_DIRECTORY,), "provider", OWNER),
    ("api:service-list", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("api:service-list", "POST"): ((C.MANAGE_SERVICE_DIRECTORY,), "none"),
    ("api:service-detail", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "service"),
    ("api:service-detail", "PATCH"): ((C.MANAGE_SERVICE_DIRECTORY,), "service", OWNER),
    ("api:provider-link-list", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("api:provider-link-detail", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "link"),
    ("api:provider-link-accept", "POST"): ((C.MANAGE_PROGRAMME,), "link", TARGET),
    ("api:provider-link-refuse", "POST"): ((C.MANAGE_PROGRAMME,), "link", TARGET),
    ("api:referral-pathway-list", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "none"),
    ("api:referral-pathway-list", "POST"): ((C.MANAGE_SERVICE_DIRECTORY, C.MANAGE_PROGRAMME), "none"),
    ("api:referral-pathway-detail", "GET"): ((C.VIEW_SERVICE_DIRECTORY,), "pathway"),
    ("api:referral-list", "GET"): ((C.VIEW_ASSIGNED_CASES, C.RECEIVE_REFERRALS), "none"),
    ("api:referral-list", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "none"),
    ("api:referral-detail", "GET"): ((C.VIEW_ASSIGNED_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:referral-send", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:referral-discard", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:referral-accept", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:referral-decline", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:referral-outcome", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:referral-close", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:referral-withdraw", "POST"): ((C.EDIT_CASES, C.RECEIVE_REFERRALS), "referral"),
    ("api:case-service-recommendations", "GET"): ((C.VIEW_ASSIGNED_CASES,), "case"),
    ("api:service-gaps", "GET"): ((C.VIEW_REFERRAL_REPORTS, C.MANAGE_SERVICE_DIRECTORY), "none"),
}


def test_every_route_has_a_row():
    exposed = {(name, m) for name, methods in routes_of_app("reintegra.referrals").items() for m in methods}
    assert exposed == set(MATRIX)


def _has(role: Role, needed) -> bool:
    return needed is None or bool(ROLE_CAPABILITIES[role] & set(needed))


def _sees(role: Role, where: str, kind: str) -> bool:
    """Whether a user of `role` in the referring organisation ("own") or the provider's ("provider") sees
    the object: the case and its referral are visible to roles that read cases in the case's organisation
    (the case is assigned to another user of the same team-less org: organisation-wide roles only) and, for
    a sent referral, to roles receiving referrals in the provider's organisation. SOPs to the referring and
    provider organisations; directory objects to everyone allowed in."""
    caps = ROLE_CAPABILITIES[role]
    if kind in ("none", "provider", "service"):
        return True
    if kind == "link":
        return where in ("own", "other")
    if kind == "pathway":
        return where in ("own", "provider")
    if kind == "case":
        return where == "own" and C.VIEW_ORGANISATION_CASES in caps
    if kind == "referral":
        return (where == "own" and C.VIEW_ORGANISATION_CASES in caps) or (
            where == "provider" and C.RECEIVE_REFERRALS in caps
        )
    raise AssertionError(kind)


def _etag(kind: str, pk: int) -> str:
    from reintegra.referrals.models import Service, ServiceProvider

    model = {"provider": ServiceProvider, "service": Service}[kind]
    return f'"{model.objects.get(pk=pk).revision}"'


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["own", "provider", "other"])
@pytest.mark.parametrize("role", list(Role))
def test_matrix(world, role, where):
    from reintegra.access.models import Organisation
    from reintegra.referrals import services

    world.consent()
    referral = services.send_referral(world.manager, world.referral())
    other = Organisation.objects.get(code="prov-b")
    org = {"own": world.org, "provider": world.provider_org, "other": other}[where]
    user = factories.user(org, role)
    link = _pending_link(world, other)
    objects = {
        "referral": referral.pk,
        "case": world.case.pk,
        "pathway": world.pathway.pk,
        "provider": world.provider.pk,
        "service": world.service.pk,
        "link": link.pk,
    }
    for (name, method), (needed, kind, *rule) in MATRIX.items():
        code = _answer(name, method, kind, user, objects)
        label = f"{role} ({where}) {method} {name}: {code}"
        assert code in _expected(role, where, method, needed, kind, rule), label


# Routes whose URL names a step besides the object.
_STEPS = {"referrals:action": ("referral", "accept"), "referrals:link-answer": ("link", "refuse")}


def _answer(name: str, method: str, kind: str, user, objects: dict[str, int]) -> int:
    """The status of one request by `user` to the route, about the world's object of `kind`."""
    if name in _STEPS:
        on, step = _STEPS[name]
        args = [objects[on], step]
    else:
        args = [objects[kind]] if kind != "none" else []
    url = reverse(name, args=args)
    if not name.startswith("api:"):
        client = Client()
        client.force_login(user)
        return getattr(client, method.lower())(url).status_code
    api = APIClient()
    api.force_authenticate(user)
    # Edits carry the version they are based on (issue 10); without it the answer would be 428.
    headers = {"HTTP_IF_MATCH": _etag(kind, objects[kind])} if method in ("PUT", "PATCH") else {}
    return getattr(api, method.lower())(url, {}, format="json", **headers).status_code


def _expected(role: Role, where: str, method: str, needed, kind: str, rule: list[str]) -> tuple[int, ...]:
    """The answers a route may give to a user of `role` in the organisation `where`."""
    if not _has(role, needed):
        return (403, 404) if needed is None else (403,)
    if not _sees(role, where, kind):
        return (403, 404)
    if OWNER in rule and where != "provider":
        return (403,)  # another organisation's directory entry
    if TARGET in rule and where != "other":
        return (404,)  # a request not addressed to the user's organisation
    if REFERRER in rule and where != "own":
        return (403,)  # an SOP another organisation refers under
    if method == "GET":
        return (200,)
    if rule:
        return (200, 201, 302, 400)
    return (200, 201, 302, 400, 403)


def _pending_link(world, target):
    """An entry maintained by the referring organisation, with a pending request to link it to `target`."""
    from reintegra.referrals import links
    from reintegra.referrals.models import ServiceProvider

    owner = factories.user(world.org, Role.PROGRAMME_MANAGER)
    ServiceProvider.objects.filter(organisation=target).update(organisation=None)  # free to be linked again
    entry = ServiceProvider.objects.create(name="Centro D", organisation_type="ngo", country="GT", owner=world.org)
    return links.change_link(owner, entry, target)
