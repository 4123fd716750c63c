"""The permission matrix (issue "Access control"): every role × every route × every relation to the object.

One table, `MATRIX`, has a row per (route name, HTTP method) of everything the URL configuration exposes
(`EXCLUDED_NAMESPACES`/`EXCLUDED_ROUTES` list the framework routes left out, each with its reason;
`test_every_route_has_a_row`
fails when a route or a method has no row, or a row names a route that no longer exists). A row says which
object its URL takes, which capability is checked before the object is looked up (the API's permission
classes, the "role check before any lookup" of the write views: 403), which one after it (403 on an object
the user may see), and how to build a valid request, so that a permitted request succeeds.

The expected outcome of each cell is *computed* by `expected()` from the row, the role's capabilities
(`roles.ROLE_CAPABILITIES`, the single role table) and the scoping rules of the requirement (`CASE_SCOPE`):

- a case manager sees the cases assigned to them and to their team; supervisors and programme managers see
  their organisation's cases and the cases shared with it; nobody else sees any case;
- an object the user may not see answers 404 (existence is not revealed); an action the role may not take
  answers 403; an anonymous visitor gets 401 from the API and the login page from the web UI.

Relations (`build_world`: built once per module, every case in each state a row may need; every cell runs in
its own savepoint, rolled back after the request, so one cell's write never changes the next cell's object):

- `own`: a case managed by the user; for roles that cannot hold cases, one of a case manager of the same
  organisation and team;
- `team`: a case of a colleague of the user's team;
- `same_org`: a case of a case manager of the user's organisation in another team;
- `other_org`: a case of another organisation;
- `unassigned`: a case of the user's organisation with no case manager and no team;
- `shared`: a case of another organisation shared with the user's organisation (under consent);
- `missing`: an id that exists nowhere: a hidden object must answer exactly like it (404).

(The requirement names own, same-organisation, other-organisation and unassigned; `team`, `shared` and
`missing` check the team rule, the sharing rule and that a hidden object looks like a missing one. For a
role that holds no cases, `own` is the `team` case and is requested once, as `team`.)

Besides the status code, every answer is searched for the case numbers and the names of the people of the
cases the role may not see (a leak even in a 200 or an error page fails the cell), and list pages must
list exactly the cases the role may see.

The users have no authenticator app and no role requires one: the two-factor middleware lets them through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from reintegra.access.models import Organisation, User
from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.cases import services
from reintegra.cases.models import Case
from reintegra.protection import services as protection_services
from reintegra.protection.models import CaseShare, Consent
from reintegra.testing import factories
from reintegra.testing.closure import suggested_decisions, suggested_form_fields
from reintegra.testing.routes import (
    HTTP_METHODS,
    UNRESTRICTED_VIEW_METHODS,
    Route,
    has_own_matrix,
    route_methods,
    walk,
)

C = Capability
PASSWORD = "correct-horse-battery"  # factories.user's default

# --- Relations and the scoping rules of the requirement ------------------------------------------

OWN, TEAM, SAME_ORG, OTHER_ORG, UNASSIGNED, SHARED = "own", "team", "same_org", "other_org", "unassigned", "shared"
MISSING = "missing"  # an id that exists nowhere: what a hidden object must look like
RELATIONS = (OWN, TEAM, SAME_ORG, OTHER_ORG, UNASSIGNED, SHARED, MISSING)
MISSING_ID = 999_999
OWN_ORGANISATION = frozenset({OWN, TEAM, SAME_ORG, UNASSIGNED})

ASSIGNED, ORGANISATION, NO_CASES = "assigned", "organisation", "none"
# Which cases each role sees, as the requirement states it (not read from the code under test).
CASE_SCOPE: dict[Role, str] = {
    Role.CASE_MANAGER: ASSIGNED,
    Role.SUPERVISOR: ORGANISATION,
    Role.PROGRAMME_MANAGER: ORGANISATION,
    Role.ME_OFFICER: NO_CASES,
    Role.COORDINATOR: NO_CASES,
    Role.DATA_PROTECTION_OFFICER: NO_CASES,
    Role.SERVICE_PROVIDER: NO_CASES,
    Role.ADMIN: NO_CASES,
    Role.FEEDBACK_FOCAL_POINT: NO_CASES,
}


def sees_case(role: Role, relation: str) -> bool:
    scope = CASE_SCOPE[role]
    if scope == ORGANISATION:
        return relation in OWN_ORGANISATION | {SHARED}
    if scope == ASSIGNED:
        return relation in (OWN, TEAM)
    return False


def holds_cases(role: Role) -> bool:
    """Whether a user of this role can be a case's case manager (services._check_case_manager)."""
    return C.VIEW_ASSIGNED_CASES in ROLE_CAPABILITIES[role]


# --- Objects a route takes -----------------------------------------------------------------------

NONE, CASE, RETURNEE, LEDGER, ASSESSMENT, CONSENT, SHARE = (
    "none",
    "case",
    "returnee",
    "ledger",  # a returnee, looked up for reading their consent ledger
    "assessment",
    "consent",
    "share",
)

# Case states a row needs so that a permitted request succeeds (see `_advance`).
REGISTERED, PLANNED, AGREED, CLOSED = "registered", "planned", "agreed", "closed"

API, UI, PUBLIC = "api", "ui", "public"


def today() -> Any:
    return timezone.localdate()


@dataclass
class Cell:
    """One request: who asks (None: anonymous), about which relation (None: the route takes no object)."""

    world: World
    role: Role | None
    relation: str | None
    state: str = REGISTERED  # the state of the case the request is about (the row's)

    @property
    def user(self) -> User | None:
        return self.world.users[self.role] if self.role else None

    def entry(self, row: Row) -> Entry:
        return self.world.entry_for(self.role, self.relation or TEAM, row.state)

    @property
    def case(self) -> Case:
        """The case of the cell (for `missing`, whose URL names no case, the team's: only a body needs it)."""
        relation = TEAM if self.relation in (None, MISSING) else self.relation
        return self.world.entry_for(self.role, relation, self.state).case


Body = Callable[[Cell], dict[str, Any]]


def _no_body(cell: Cell) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Row:
    auth: str  # API (DRF: anonymous → 401), UI (login_required: anonymous → login page), PUBLIC (anyone)
    obj: str = NONE
    # Checked before the lookup (403 without any of them): the API's permission classes, the write views'
    # `_require(...)`. None: no role check before the lookup.
    gate: frozenset[Capability] | None = None
    needs: Capability | None = None  # checked after the lookup: 403 on an object the user may see
    holder_only: bool = False  # only the organisation holding the case may do it (403 on a shared case)
    state: str = REGISTERED
    body: Body = _no_body
    ok: tuple[int, ...] = (200,)  # what a permitted request answers (a valid body: the write is done)
    # A list page that must show exactly what `shows` allows: "case_numbers", "own_case_numbers", "names".
    listing: str | None = None
    note: str = ""


def any_of(*capabilities: Capability) -> frozenset[Capability]:
    return frozenset(capabilities)


# --- Request bodies (minimal and valid: a permitted write succeeds) ------------------------------


def _management(prefix: str, total: int) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def token_body(cell: Cell) -> dict[str, Any]:
    user = cell.user or cell.world.colleague
    return {"username": user.username, "password": PASSWORD}


def api_returnee_body(cell: Cell) -> dict[str, Any]:
    return {
        "given_names": "Zacarias",
        "first_family_name": "Wong",
        "second_family_name": "Lee",
        "sex": "male",
        "birth_date": "1985-01-02",
        "nationality": "MX",
        "return_country": "MX",
    }


def api_case_body(cell: Cell) -> dict[str, Any]:
    """Opening a case needs a person the user may see without an open case: registered by them here."""
    user = cell.user
    returnee_id = 999_999
    if user is not None and user.has_capability(C.EDIT_CASES):
        returnee_id = factories.returnee(user, given_names="Zacarias", first_family_name="Wong").pk
    return {
        "returnee": returnee_id,
        "return_date": (today() - timedelta(days=3)).isoformat(),
        "return_type": "forced",
        "causes_of_migration": ["economic"],
    }


def duplicate_query(cell: Cell) -> dict[str, Any]:
    # Exactly the person of another organisation: the check must not find them (names are leak-checked).
    return {"given_names": NAMES[OTHER_ORG] + "Registered", "family_names": "Quispe", "birth_date": "1990-05-17"}


def ui_duplicate_query(cell: Cell) -> dict[str, Any]:
    return {"given_names": NAMES[OTHER_ORG] + "Registered", "first_family_name": "Quispe", "birth_date": "1990-05-17"}


def assign_body(cell: Cell) -> dict[str, Any]:
    return {"case_manager": cell.world.colleague.pk}


def api_plan_body(cell: Cell) -> dict[str, Any]:
    return {
        "goals": "Abrir un taller",
        "items": [{"dimension": "economic", "approach": "Desarrollo de negocios", "assistance_form": "cash"}],
    }


def api_share_body(cell: Cell) -> dict[str, Any]:
    return {"organisation": cell.world.third_org.pk, "reason": "Salud"}


def ui_returnee_body(cell: Cell) -> dict[str, Any]:
    return {
        "given_names": "Zacarias",
        "first_family_name": "Wong",
        "sex": "male",
        "birth_date": "1985-01-02",
        "nationality": "MX",
        "return_country": "MX",
        **_management("documents", 0),
    }


def ui_return_body(cell: Cell) -> dict[str, Any]:
    return {
        "return_date": (today() - timedelta(days=3)).isoformat(),
        "return_type": "forced",
        "host_country": "US",
        "causes_of_migration": ["economic"],
    }


def ui_register_body(cell: Cell) -> dict[str, Any]:
    return {**ui_returnee_body(cell), **ui_return_body(cell), **_management("members", 0)}


def ui_household_body(cell: Cell) -> dict[str, Any]:
    return {
        **_management("members", 1),
        "members-0-given_names": "Rosa",
        "members-0-relationship": "parent",
        "members-0-sex": "female",
        "notes": "",
    }


def ui_assessment_body(cell: Cell) -> dict[str, Any]:
    return {
        "kind": "initial",
        "assessed_on": today().isoformat(),
        "economic_need": "high",
        "social_need": "none",
        "psychosocial_need": "none",
    }


def ui_plan_body(cell: Cell) -> dict[str, Any]:
    return {
        "goals": "Abrir un taller",
        "motivations": "",
        **_management("items", 1),
        "items-0-id": "",
        "items-0-dimension": "economic",
        "items-0-approach": "Desarrollo de negocios",
        "items-0-assistance_form": "cash",
        "items-0-status": "planned",
    }


def ui_follow_up_body(cell: Cell) -> dict[str, Any]:
    data = {"visited_on": today().isoformat(), "mode": "in_person"}
    for item_id in cell.case.plan.items.values_list("pk", flat=True):
        data[f"progress_{item_id}"] = "in_progress"
    return data


def consent_body(cell: Cell) -> dict[str, Any]:
    return {"purpose": "assistance", "method": "verbal", "given_on": today().isoformat(), "given_by_returnee": True}


def api_close_body(cell: Cell) -> dict[str, Any]:
    return {"reason": "remigrated", "open_matters": suggested_decisions(cell.case)}


def ui_close_body(cell: Cell) -> dict[str, Any]:
    return {"reason": "left_area", "closed_on": today().isoformat(), **suggested_form_fields(cell.case)}


def const(data: dict[str, Any]) -> Body:
    return lambda cell: dict(data)


def dated(**fields: Any) -> Body:
    """A body with `fields`, where the value TODAY is today's date (computed when the request is built)."""
    return lambda cell: {k: (today().isoformat() if v is TODAY else v) for k, v in fields.items()}


TODAY = object()

# --- THE TABLE -----------------------------------------------------------------------------------

VIEW = any_of(C.VIEW_ASSIGNED_CASES)  # the API's CaseWorkPermission for reading
CASE_READERS = any_of(C.VIEW_ASSIGNED_CASES, C.VIEW_ORGANISATION_CASES)  # the exports of case data
EDIT = any_of(C.EDIT_CASES)  # ... and for writing (also the write views' role check before the lookup)

MATRIX: dict[tuple[str, str], Row] = {
    # --- API: authentication, public documentation, health ---------------------------------------
    ("api:token", "POST"): Row(PUBLIC, body=token_body, note="credentials of the user (anonymous: a colleague's)"),
    ("schema", "GET"): Row(PUBLIC, note="drf-spectacular's SERVE_PERMISSIONS: AllowAny; no data, only the API's shape"),
    ("api-docs", "GET"): Row(PUBLIC, note="Swagger UI page over the public schema"),
    ("api-redoc", "GET"): Row(PUBLIC, note="ReDoc page over the public schema"),
    ("healthz", "GET"): Row(PUBLIC, note="load-balancer probe: {'status': 'ok'}"),
    ("readyz", "GET"): Row(PUBLIC, note="readiness probe: database, migrations, worker heartbeat; no data"),
    # --- API: returnees ----------------------------------------------------------------------------
    ("api:returnee-list", "GET"): Row(API, gate=VIEW, listing="names", body=const({"page_size": 200})),
    ("api:returnee-list", "POST"): Row(API, gate=EDIT, body=api_returnee_body, ok=(201,)),
    ("api:returnee-duplicates", "POST"): Row(
        API,
        gate=EDIT,
        body=duplicate_query,
        note="documented: needs the edit capability; searches the organisation's register only",
    ),
    ("api:returnee-detail", "GET"): Row(API, obj=RETURNEE, gate=VIEW),
    ("api:returnee-detail", "PUT"): Row(API, obj=RETURNEE, gate=EDIT, holder_only=True, body=api_returnee_body),
    ("api:returnee-detail", "PATCH"): Row(
        API, obj=RETURNEE, gate=EDIT, holder_only=True, body=const({"locality": "Centro"})
    ),
    # --- API: cases --------------------------------------------------------------------------------
    ("api:case-list", "GET"): Row(API, gate=VIEW, listing="case_numbers", body=const({"page_size": 200})),
    ("api:case-export-csv", "GET"): Row(API, gate=CASE_READERS, listing="case_numbers", note="the list as CSV"),
    ("api:case-export-xlsx", "GET"): Row(API, gate=CASE_READERS),
    ("api:returnee-export-csv", "GET"): Row(API, gate=CASE_READERS, listing="names"),
    ("api:returnee-export-xlsx", "GET"): Row(API, gate=CASE_READERS),
    ("api:follow-up-export-csv", "GET"): Row(API, gate=CASE_READERS),
    ("api:follow-up-export-xlsx", "GET"): Row(API, gate=CASE_READERS),
    ("api:case-list", "POST"): Row(API, gate=EDIT, body=api_case_body, ok=(201,)),
    ("api:case-detail", "GET"): Row(API, obj=CASE, gate=VIEW),
    ("api:case-open-matters", "GET"): Row(API, obj=CASE, gate=VIEW),
    ("api:case-file", "GET"): Row(API, obj=CASE, gate=VIEW, note="the case file PDF, audited as an export"),
    ("api:case-detail", "PATCH"): Row(
        API, obj=CASE, gate=EDIT, holder_only=True, body=const({"reception_place": "Tijuana"})
    ),
    ("api:case-assign", "POST"): Row(
        API, obj=CASE, gate=EDIT, needs=C.ASSIGN_CASES, holder_only=True, body=assign_body
    ),
    ("api:case-close", "POST"): Row(API, obj=CASE, gate=EDIT, holder_only=True, body=api_close_body),
    ("api:case-reopen", "POST"): Row(
        API, obj=CASE, gate=EDIT, holder_only=True, state=CLOSED, body=const({"reason": "Nueva amenaza"})
    ),
    ("api:case-household", "GET"): Row(API, obj=CASE, gate=VIEW),
    ("api:case-household", "PUT"): Row(
        API,
        obj=CASE,
        gate=EDIT,
        holder_only=True,
        body=const({"notes": "", "members": [{"given_names": "Rosa", "relationship": "parent"}]}),
    ),
    ("api:case-assessments", "GET"): Row(API, obj=CASE, gate=VIEW),
    ("api:case-assessments", "POST"): Row(
        API, obj=CASE, gate=EDIT, holder_only=True, body=dated(assessed_on=TODAY), ok=(201,)
    ),
    ("api:case-assessment", "GET"): Row(API, obj=ASSESSMENT, gate=VIEW, state=AGREED),
    ("api:case-assessment", "PATCH"): Row(
        API, obj=ASSESSMENT, gate=EDIT, holder_only=True, state=AGREED, body=const({"economic_need": "low"})
    ),
    ("api:case-counselling-sessions", "GET"): Row(API, obj=CASE, gate=VIEW),
    ("api:case-counselling-sessions", "POST"): Row(
        API, obj=CASE, gate=EDIT, holder_only=True, body=dated(held_on=TODAY), ok=(201,)
    ),
    ("api:case-plan", "GET"): Row(API, obj=CASE, gate=VIEW, state=PLANNED, note="no plan answers 404: a plan exists"),
    ("api:case-plan", "PUT"): Row(API, obj=CASE, gate=EDIT, holder_only=True, state=AGREED, body=api_plan_body),
    ("api:case-plan", "POST"): Row(API, obj=CASE, gate=EDIT, holder_only=True, state=PLANNED, body=api_plan_body),
    ("api:case-agree-plan", "POST"): Row(
        API, obj=CASE, gate=EDIT, holder_only=True, state=PLANNED, body=dated(agreed_on=TODAY)
    ),
    ("api:case-follow-ups", "GET"): Row(API, obj=CASE, gate=VIEW),
    ("api:case-follow-ups", "POST"): Row(
        API, obj=CASE, gate=EDIT, holder_only=True, state=AGREED, body=dated(visited_on=TODAY), ok=(201,)
    ),
    # --- API: data protection ----------------------------------------------------------------------
    ("api:returnee-consents", "GET"): Row(
        API, obj=LEDGER, note="no role check before the lookup; documented: the DPO reads their organisation's ledgers"
    ),
    ("api:returnee-consents", "POST"): Row(
        API, obj=RETURNEE, gate=any_of(C.MANAGE_CONSENT), body=consent_body, ok=(201,)
    ),
    ("api:consent-withdraw", "POST"): Row(API, obj=CONSENT, gate=any_of(C.MANAGE_CONSENT)),
    ("api:case-shares", "GET"): Row(API, obj=CASE, gate=VIEW),
    ("api:case-shares", "POST"): Row(
        API, obj=CASE, gate=EDIT, holder_only=True, body=api_share_body, ok=(201,), note="consent naming the org exists"
    ),
    ("api:share-revoke", "POST"): Row(
        API, obj=SHARE, gate=EDIT, note="the sharing or the receiving organisation (returning the case) may revoke"
    ),
    ("api:audit", "GET"): Row(API, gate=any_of(C.VIEW_AUDIT), note="the trail of the org's staff"),
    ("api:analytics-cases", "GET"): Row(API, gate=any_of(C.VIEW_PSEUDONYMISED)),
    ("api:analytics-aggregates", "GET"): Row(API, gate=any_of(C.VIEW_AGGREGATES)),
    # --- Web: authentication -----------------------------------------------------------------------
    ("login", "GET"): Row(PUBLIC, ok=(200, 302), note="a signed-in user is sent on (redirect_authenticated_user)"),
    ("login", "POST"): Row(PUBLIC, body=token_body, ok=(302,), note="valid credentials log in"),
    ("login", "PUT"): Row(PUBLIC, ok=(200, 302), note="Django's ProcessFormView.put: the form, unbound"),
    ("logout", "POST"): Row(PUBLIC, ok=(302,), note="always back to the login page"),
    ("two_factor_verify", "GET"): Row(UI, ok=(302,), note="nothing pending for these users: on to the dashboard"),
    ("two_factor_verify", "POST"): Row(UI, ok=(302,)),
    ("two_factor_setup", "GET"): Row(UI, note="anyone may set up an app for themselves"),
    ("two_factor_setup", "POST"): Row(UI, note="no code: the form again"),
    # --- Web: case management ----------------------------------------------------------------------
    ("dashboard", "GET"): Row(UI, listing="own_case_numbers", note="everyone signs in here; own cases only"),
    ("cases:list", "GET"): Row(UI, listing="case_numbers"),
    ("cases:export_returnees", "GET"): Row(UI, gate=CASE_READERS, listing="names", note="a CSV of the people"),
    ("cases:export_follow_ups", "GET"): Row(UI, gate=CASE_READERS, note="a CSV of the visits"),
    ("cases:register", "GET"): Row(UI, gate=EDIT),
    ("cases:register", "POST"): Row(UI, gate=EDIT, body=ui_register_body, ok=(302,)),
    ("cases:duplicates", "POST"): Row(UI, gate=EDIT, body=ui_duplicate_query, note="as api:returnee-duplicates"),
    ("cases:municipalities", "GET"): Row(UI, body=const({"return_country": "MX"}), note="a list of place names"),
    ("cases:detail", "GET"): Row(UI, obj=CASE),
    ("cases:assessments", "GET"): Row(UI, obj=CASE),
    ("cases:counselling", "GET"): Row(UI, obj=CASE),
    ("cases:plan", "GET"): Row(UI, obj=CASE),
    ("cases:follow_up", "GET"): Row(UI, obj=CASE),
    ("cases:closure", "GET"): Row(UI, obj=CASE),
    ("cases:timeline", "GET"): Row(UI, obj=CASE),
    ("cases:file", "GET"): Row(UI, obj=CASE, note="the case file PDF: whoever sees the case"),
    ("cases:edit_returnee", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True),
    ("cases:edit_returnee", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, body=ui_returnee_body, ok=(302,)
    ),
    ("cases:edit_return", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True),
    ("cases:edit_return", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, body=ui_return_body, ok=(302,)
    ),
    ("cases:household", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True),
    ("cases:household", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, body=ui_household_body, ok=(302,)
    ),
    ("cases:assign", "GET"): Row(UI, obj=CASE, needs=C.ASSIGN_CASES, holder_only=True),
    ("cases:assign", "POST"): Row(UI, obj=CASE, needs=C.ASSIGN_CASES, holder_only=True, body=assign_body, ok=(302,)),
    ("cases:assessment_new", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True),
    ("cases:assessment_new", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, body=ui_assessment_body, ok=(302,)
    ),
    ("cases:counselling_new", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True),
    ("cases:counselling_new", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, body=dated(held_on=TODAY, mode="in_person"), ok=(302,)
    ),
    ("cases:plan_edit", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, state=AGREED),
    ("cases:plan_edit", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, state=AGREED, body=ui_plan_body, ok=(302,)
    ),
    ("cases:plan_agree", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, state=PLANNED),
    ("cases:plan_agree", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, state=PLANNED, body=dated(agreed_on=TODAY), ok=(302,)
    ),
    ("cases:follow_up_new", "GET"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, state=AGREED),
    ("cases:follow_up_new", "POST"): Row(
        UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, state=AGREED, body=ui_follow_up_body, ok=(302,)
    ),
    ("cases:close", "POST"): Row(UI, obj=CASE, needs=C.EDIT_CASES, holder_only=True, body=ui_close_body, ok=(302,)),
    ("cases:reopen", "POST"): Row(
        UI,
        obj=CASE,
        needs=C.EDIT_CASES,
        holder_only=True,
        state=CLOSED,
        body=const({"reason": "Nueva amenaza"}),
        ok=(302,),
    ),
    # --- Web: data protection ----------------------------------------------------------------------
    ("access:audit", "GET"): Row(UI, gate=any_of(C.VIEW_AUDIT)),
    ("access:audit_export", "GET"): Row(UI, gate=any_of(C.VIEW_AUDIT)),
    ("protection:consents", "GET"): Row(UI, obj=LEDGER, note="documented: the DPO reads their organisation's ledgers"),
    ("protection:consents", "POST"): Row(UI, obj=RETURNEE, gate=any_of(C.MANAGE_CONSENT), body=consent_body, ok=(302,)),
    ("protection:consent_withdraw", "POST"): Row(
        UI, obj=CONSENT, gate=any_of(C.MANAGE_CONSENT), body=dated(withdrawn_on=TODAY), ok=(302,)
    ),
    ("protection:shares", "GET"): Row(UI, obj=CASE),
    ("protection:shares", "POST"): Row(
        UI, obj=CASE, gate=EDIT, holder_only=True, body=api_share_body, ok=(302,), note="consent naming the org exists"
    ),
    ("protection:share_revoke", "POST"): Row(UI, obj=SHARE, gate=EDIT, ok=(302,)),
    ("protection:analytics", "GET"): Row(PUBLIC, ok=(301,), note="moved to monitoring:analytics"),
    ("protection:analytics_export", "GET"): Row(PUBLIC, ok=(301,), note="moved to ...:analytics_export"),
    # --- Web: monitoring's analytics page (moved from protection) ----------------------------------
    ("monitoring:analytics", "GET"): Row(UI, gate=any_of(C.VIEW_AGGREGATES)),
    ("monitoring:analytics_export", "GET"): Row(UI, gate=any_of(C.VIEW_PSEUDONYMISED)),
}

# Routes left out of the matrix, each with its reason. Everything else the resolver knows needs a row.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin site: staff only, its own permission system (access/tests/test_admin.py)",
}
EXCLUDED_ROUTES = {
    "set_language": "Django's i18n language switch: sets a cookie, reads no data",
    "metrics": "Prometheus metrics: a bearer token or a staff user, 404 for every role (tests/test_observability.py)",
}


# --- The rule ------------------------------------------------------------------------------------

OK, FORBIDDEN, NOT_FOUND, UNAUTHORISED, LOGIN = "ok", "403", "404", "401", "login"


def sees(row: Row, role: Role, relation: str) -> bool:
    if sees_case(role, relation):
        return True
    # Documented: the data-protection officer reads the consent ledgers of their organisation's people.
    return row.obj == LEDGER and C.VIEW_CONSENT_REGISTRY in ROLE_CAPABILITIES[role] and relation in OWN_ORGANISATION


def expected(row: Row, role: Role | None, relation: str | None) -> set[str]:
    """What a cell must answer, from the row and the rules (never written out cell by cell)."""
    if role is None:
        return {PUBLIC: {OK}, API: {UNAUTHORISED, FORBIDDEN}, UI: {LOGIN}}[row.auth]
    caps = ROLE_CAPABILITIES[role]
    # Documented: the role check comes before any lookup (the API's permission classes; the write views'
    # `_require`), so a role that may never do it learns nothing about the object: 403.
    if row.gate is not None and not caps & row.gate:
        return {FORBIDDEN}
    if row.obj != NONE and not sees(row, role, relation or TEAM):
        return {NOT_FOUND}
    if row.needs is not None and row.needs not in caps:
        return {FORBIDDEN}
    # The receiving organisation sees a shared case, but only the holding organisation changes it: its
    # steps and records, who manages it, sharing it onward (cases.permissions).
    if row.holder_only and relation == SHARED:
        return {FORBIDDEN}
    return {OK}


def shows(row: Row, role: Role | None, relation: str, owner: Role | None, asked: str | None) -> bool:
    """May an answer to `role`, about the object in relation `asked`, show the case number and the person of
    a case in `relation` (held by `owner`)?"""
    if role is None:
        return False
    if row.listing == "own_case_numbers":
        return owner == role  # the dashboard lists the user's own cases
    if sees_case(role, relation):
        return True
    # The ledger the DPO may read names its person (and lists no case: they see none).
    return row.obj == LEDGER and relation == asked and sees(row, role, relation)


# --- The world -----------------------------------------------------------------------------------

NAMES = {  # given names (+ the state: unique per case), searched for in every answer; own cases: "Own" + role
    TEAM: "Teodora",
    SAME_ORG: "Samanta",
    OTHER_ORG: "Ximena",
    UNASSIGNED: "Ursula",
    SHARED: "Herminia",
}
# Built in this order: the cases in REGISTERED (what the list pages show) are the newest, first on page 1.
STATES = (PLANNED, AGREED, CLOSED, REGISTERED)


@dataclass
class Entry:
    base: str  # OWN (held by `owner`), or the relation it has to every user of the matrix
    owner: Role | None
    state: str
    case: Case
    consent: Consent  # a referral consent of the person, under which `share` was granted
    share: CaseShare
    number: str = ""
    name: str = ""


@dataclass
class World:
    org: Organisation
    other_org: Organisation
    third_org: Organisation
    users: dict[Role, User]
    colleague: User
    entries: list[Entry] = field(default_factory=list)
    sessions: dict[Role, str] = field(default_factory=dict)  # web session keys, one per role

    def entry_for(self, role: Role | None, relation: str, state: str = REGISTERED) -> Entry:
        if relation == OWN and role is not None and holds_cases(role):
            return next(e for e in self.entries if e.base == OWN and e.owner == role and e.state == state)
        if relation == OWN:
            relation = TEAM  # a role that holds no cases: a case of a case manager of its team
        return next(e for e in self.entries if e.base == relation and e.state == state)

    def relation_of(self, role: Role, entry: Entry) -> str:
        if entry.base == OWN:
            return OWN if entry.owner == role else TEAM  # another role's own case: held in the user's team
        return entry.base


def _advance(user: User, case: Case, state: str) -> None:
    if state in (PLANNED, AGREED):
        services.record_assessment(user, case, {"assessed_on": today(), "economic_need": "high"})
        item = services.PlanItemInput(dimension="economic", approach="Negocio", assistance_form="in_kind")
        services.save_plan(user, case, goals="Taller", motivations="Familia", items=[item])
    if state == AGREED:
        services.agree_plan(user, case, agreed_on=today())
    if state == CLOSED:
        services.close_case(user, case, reason="left_area", open_matters=suggested_decisions(case))


def _consent(user: User, case: Case, recipient: Organisation) -> Consent:
    # Across a border only a cross-border consent will do (issue 14).
    purpose = "cross_border" if protection_services.is_cross_border(case.organisation, recipient) else "referral"
    return protection_services.record_consent(
        user, case.returnee, purpose, "signed", today() - timedelta(days=5), recipient_organisation=recipient
    )


def build_world() -> World:
    """Two organisations (and a third to share with), a user per role in team A1 of organisation A, and for
    every case state one case per relation, each with a consent and a share."""
    org = factories.organisation("orga", country="MX", name="Organisation A")
    other_org = factories.organisation("orgb", country="GT", name="Organisation B")
    third_org = factories.organisation("orgc", country="SV", name="Organisation C")
    team, other_team = factories.team(org, "A1"), factories.team(org, "A2")
    users = {role: factories.user(org, role, team=team, username=f"u-{role.value}") for role in Role}
    colleague = factories.user(org, Role.CASE_MANAGER, team=team, username="colleague")
    other_team_cm = factories.user(org, Role.CASE_MANAGER, team=other_team, username="other-team-cm")
    foreign_cm = factories.user(other_org, Role.CASE_MANAGER, team=factories.team(other_org, "B1"), username="cm-b")
    world = World(org, other_org, third_org, users, colleague)

    holders: list[tuple[str, Role | None, User, str]] = [
        (OWN, role, users[role], "Own" + role.value.replace("_", "")) for role in Role if holds_cases(role)
    ]
    holders += [
        (TEAM, None, colleague, NAMES[TEAM]),
        (SAME_ORG, None, other_team_cm, NAMES[SAME_ORG]),
        (UNASSIGNED, None, other_team_cm, NAMES[UNASSIGNED]),
        (OTHER_ORG, None, foreign_cm, NAMES[OTHER_ORG]),
        (SHARED, None, foreign_cm, NAMES[SHARED]),
    ]
    for state in STATES:
        for base, owner, by, name in holders:
            person = factories.returnee(by, given_names=name + state.capitalize(), first_family_name="Quispe")
            case = factories.case(by, person)
            if base == SHARED:
                recipient = org  # what makes it shared with the users' organisation
            elif by.organisation_id == other_org.pk:
                recipient = third_org
            else:
                recipient = other_org
            consent = _consent(by, case, recipient)
            share = protection_services.share_case(by, case, recipient, "Seguimiento")
            if by.organisation_id == org.pk:
                _consent(by, case, third_org)  # so that a permitted request may share it with organisation C
            _advance(by, case, state)
            if base == UNASSIGNED:
                Case.objects.filter(pk=case.pk).update(case_manager=None, team=None)
            case = Case.objects.select_related("returnee").get(pk=case.pk)
            entry = Entry(base, owner, state, case, consent, share, case.case_number, case.returnee.given_names)
            world.entries.append(entry)
    for role, user in users.items():
        WEB.cookies.clear()  # else logging in the next user would flush this one's session
        WEB.force_login(user)
        world.sessions[role] = WEB.cookies[settings.SESSION_COOKIE_NAME].value
    WEB.cookies.clear()
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once per module (per xdist worker) inside a transaction rolled back at the end; every test's own
    transaction, and every cell's savepoint, nest inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- Routes the URL configuration exposes --------------------------------------------------------


def covered_routes() -> tuple[dict[str, Route], list[str]]:
    """The routes the matrix must cover, by name; and the problems that keep a route out of it."""
    routes: dict[str, Route] = {}
    problems = []
    for route in walk():
        if route.namespace in EXCLUDED_NAMESPACES or route.name in EXCLUDED_ROUTES or has_own_matrix(route):
            continue
        if not route.name:
            problems.append(f"{route.path}: a route without a name cannot have a row; name it")
        elif route.name in routes:
            problems.append(f"{route.path}: the name {route.name} is taken by {routes[route.name].path}")
        else:
            routes[route.name] = route
    return routes, problems


ROUTES, ROUTE_PROBLEMS = covered_routes()


# --- Requests ------------------------------------------------------------------------------------

# One client of each kind for the whole module: a new test client builds the middleware chain again
# (WhiteNoise indexes every static file), which would cost more than the request.
API_CLIENT = APIClient()
WEB = Client()


def url_of(name: str, row: Row, cell: Cell) -> str:
    if row.obj == NONE:
        return reverse(name)
    if cell.relation == MISSING:
        return reverse(name, kwargs=dict.fromkeys(ROUTES[name].params, MISSING_ID))
    entry = cell.entry(row)
    ids = {
        CASE: entry.case.pk,
        ASSESSMENT: entry.case.pk,
        RETURNEE: entry.case.returnee_id,
        LEDGER: entry.case.returnee_id,
        CONSENT: entry.consent.pk,
        SHARE: entry.share.pk,
    }
    kwargs = {}
    for param in ROUTES[name].params:
        if param == "assessment_id":
            kwargs[param] = entry.case.assessments.values_list("pk", flat=True).first()
            assert kwargs[param], f"{name}: the {entry.state} case has no assessment"
        else:
            kwargs[param] = ids[row.obj]
    return reverse(name, kwargs=kwargs)


# Edits carry the version of the record they are based on (issue 10): what a client that read it would send.
VERSIONED: dict[str, Callable[[Case], Any]] = {
    "api:returnee-detail": lambda case: case.returnee,
    "api:case-detail": lambda case: case,
    "api:case-household": lambda case: case.household,
    "api:case-assessment": lambda case: case.assessments.order_by("pk").first(),
    "api:case-plan": lambda case: getattr(case, "plan", None),
    "cases:edit_returnee": lambda case: case.returnee,
    "cases:edit_return": lambda case: case,
    "cases:household": lambda case: case.household,
    "cases:assign": lambda case: case,
    "cases:plan_edit": lambda case: getattr(case, "plan", None),
    "cases:plan_agree": lambda case: getattr(case, "plan", None),
}


def version_read(name: str, method: str, row: Row, cell: Cell) -> int | None:
    """The version of the route's record as the user would have read it (None: not an edit of a record)."""
    if method == "GET" or name not in VERSIONED or cell.relation in (None, MISSING):
        return None
    record = VERSIONED[name](Case.objects.get(pk=cell.entry(row).case.pk))
    return record.revision if record is not None else 0


def send(name: str, method: str, row: Row, cell: Cell) -> Any:
    url = url_of(name, row, cell)
    body = row.body(cell)
    version = version_read(name, method, row, cell)
    if name.startswith("api") or name == "schema":
        API_CLIENT.cookies.clear()
        API_CLIENT.force_authenticate(cell.user)
        if method == "GET":
            return API_CLIENT.get(url, body)
        headers = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
        return getattr(API_CLIENT, method.lower())(url, body, format="json", **headers)
    WEB.cookies.clear()
    if cell.role is not None:
        WEB.cookies[settings.SESSION_COOKIE_NAME] = cell.world.sessions[cell.role]
    if version is not None:
        body = {**body, "revision": str(version)}
    if method == "GET":
        return WEB.get(url, body)
    if method == "POST":
        return WEB.post(url, body)
    return getattr(WEB, method.lower())(url, urlencode(body, doseq=True), "application/x-www-form-urlencoded")


def outcome(row: Row, response: Any) -> str:
    status = response.status_code
    location = urlsplit(response.get("Location", "")).path if status in (301, 302, 303) else ""
    if location == reverse("login") and row.auth != PUBLIC:
        return LOGIN
    if status in row.ok:
        return OK
    return str(status)


def body_text(response: Any) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def leaks(row: Row, cell: Cell, text: str) -> list[str]:
    """Case numbers and names of people shown against the rules; on list pages, visible cases not listed."""
    problems = []
    for entry in cell.world.entries:
        relation = cell.world.relation_of(cell.role, entry) if cell.role else entry.base
        allowed = shows(row, cell.role, relation, entry.owner, cell.relation)
        number_shown, name_shown = entry.number in text, entry.name in text
        label = f"{entry.state} {relation}" + (f"[{entry.owner.value}]" if entry.owner else "")
        if not allowed and (number_shown or name_shown):
            problems.append(f"shows the {'case number' if number_shown else 'name'} of the {label} case")
        if allowed and row.listing and cell.role is not None and entry.state == row.state:
            shown = name_shown if row.listing == "names" else number_shown
            if not shown:
                problems.append(f"does not list the {label} case")
    return problems


def run_cell(name: str, method: str, row: Row, cell: Cell) -> tuple[str, list[str]]:
    """(outcome, problems) of one request, in a savepoint rolled back afterwards."""
    with transaction.atomic():
        try:
            if name == "api:token":
                cache.clear()  # the token endpoint is throttled
            response = send(name, method, row, cell)
            text = body_text(response)
            result = outcome(row, response), leaks(row, cell, text)
            if result[0] not in (OK, FORBIDDEN, NOT_FOUND, UNAUTHORISED, LOGIN):
                result[1].append(f"answered {response.status_code}: {text[:300]!r}")
        except Exception as exc:  # a 500: a mismatch of this cell, not a crash of the whole row
            result = f"exception {type(exc).__name__}: {exc}"[:300], []
        transaction.set_rollback(True)
    return result


# --- Tests ---------------------------------------------------------------------------------------


def _cells(row: Row) -> Iterator[tuple[Role | None, str | None]]:
    yield None, (TEAM if row.obj != NONE else None)
    for role in Role:
        if row.obj == NONE:
            yield role, None
            continue
        for relation in RELATIONS:
            if relation == OWN and not holds_cases(role):
                continue  # their "own" case is the team's case: the very request of the `team` cell
            yield role, relation


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), sorted(MATRIX), ids=[f"{m} {n}" for n, m in sorted(MATRIX)])
def test_permission_matrix(world, name, method):
    row = MATRIX[(name, method)]
    mismatches = []
    for role, relation in _cells(row):
        want = expected(row, role, relation)
        got, problems = run_cell(name, method, row, Cell(world, role, relation, row.state))
        who = f"{role.value if role else 'anonymous'} × {relation or '-'}"
        if got not in want:
            mismatches.append(f"{who}: expected {'/'.join(sorted(want))}, got {got}")
        mismatches += [f"{who}: {problem}" for problem in problems]
    assert not mismatches, f"{method} {name} ({row.note or 'no note'}):\n  " + "\n  ".join(mismatches)


def test_every_route_has_a_row():
    assert not ROUTE_PROBLEMS, ROUTE_PROBLEMS
    exposed = {(name, method) for name, route in ROUTES.items() for method in route_methods(route)}
    missing = sorted(exposed - MATRIX.keys())
    stale = sorted(MATRIX.keys() - exposed)
    assert not missing, f"routes without a row in MATRIX: {missing}"
    assert not stale, f"rows of MATRIX for routes or methods that no longer exist: {stale}"


def test_rows_take_the_object_their_route_takes():
    for (name, method), row in MATRIX.items():
        params = ROUTES[name].params
        assert (row.obj == NONE) == (not params), f"{method} {name}: takes {params}, row says {row.obj}"
        assert (row.obj == ASSESSMENT) == ("assessment_id" in params), f"{method} {name}"


@pytest.mark.django_db
def test_methods_without_a_row_are_refused_with_405(world):
    """The methods found by introspection are all a route answers: every other one is a 405."""
    everyone = factories.user(world.org, *Role, username="everyone")  # passes every role check
    WEB.cookies.clear()
    WEB.force_login(everyone)
    session = WEB.cookies[settings.SESSION_COOKIE_NAME].value
    wrong = []
    for name, route in ROUTES.items():
        if name in UNRESTRICTED_VIEW_METHODS:
            continue
        methods = route_methods(route)
        public = any(MATRIX[(name, m)].auth == PUBLIC for m in methods if (name, m) in MATRIX)
        url = reverse(name, kwargs=dict.fromkeys(route.params, 999_999))
        for method in sorted(set(HTTP_METHODS) - methods):
            if name.startswith("api") or name == "schema":
                API_CLIENT.cookies.clear()
                API_CLIENT.force_authenticate(None if public else everyone)
                status = getattr(API_CLIENT, method.lower())(url).status_code
            else:
                WEB.cookies.clear()
                if not public:
                    WEB.cookies[settings.SESSION_COOKIE_NAME] = session
                status = getattr(WEB, method.lower())(url).status_code
            if status != 405:
                wrong.append(f"{method} {name}: {status}")
    assert not wrong, f"methods answered though the matrix has no row for them: {wrong}"


def test_requirement_scopes_agree_with_the_role_table():
    """CASE_SCOPE is the requirement; roles.py must grant exactly that (a clear message when they drift)."""
    for role, scope in CASE_SCOPE.items():
        caps = ROLE_CAPABILITIES[role]
        actual = (
            ORGANISATION
            if C.VIEW_ORGANISATION_CASES in caps
            else ASSIGNED
            if C.VIEW_ASSIGNED_CASES in caps
            else NO_CASES
        )
        assert actual == scope, f"{role}: the requirement says {scope}, roles.py grants {actual}"
    assert set(CASE_SCOPE) == set(Role)


def test_the_rule_on_a_few_cells():
    """The rule function itself, on cells spelled out from the requirement."""
    detail, write = MATRIX[("api:case-detail", "GET")], MATRIX[("api:case-close", "POST")]
    page = MATRIX[("cases:detail", "GET")]
    assert expected(detail, Role.CASE_MANAGER, OWN) == {OK}
    assert expected(detail, Role.CASE_MANAGER, TEAM) == {OK}
    assert expected(detail, Role.CASE_MANAGER, SAME_ORG) == {NOT_FOUND}
    assert expected(detail, Role.CASE_MANAGER, UNASSIGNED) == {NOT_FOUND}
    assert expected(detail, Role.SUPERVISOR, UNASSIGNED) == {OK}
    assert expected(detail, Role.PROGRAMME_MANAGER, SHARED) == {OK}
    assert expected(write, Role.SUPERVISOR, SHARED) == {FORBIDDEN}  # seen there, changed only by its holder
    assert expected(detail, Role.SUPERVISOR, OTHER_ORG) == {NOT_FOUND}
    assert expected(detail, Role.ME_OFFICER, OWN) == {FORBIDDEN}  # API: role check before the lookup
    assert expected(page, Role.ME_OFFICER, OWN) == {NOT_FOUND}  # web page: nothing to see
    assert expected(write, Role.DATA_PROTECTION_OFFICER, OWN) == {FORBIDDEN}
    assert expected(MATRIX[("api:case-assign", "POST")], Role.CASE_MANAGER, OWN) == {FORBIDDEN}
    assert expected(MATRIX[("api:case-assign", "POST")], Role.CASE_MANAGER, OTHER_ORG) == {NOT_FOUND}
    assert expected(MATRIX[("protection:consents", "GET")], Role.DATA_PROTECTION_OFFICER, SAME_ORG) == {OK}
    assert expected(MATRIX[("protection:consents", "GET")], Role.DATA_PROTECTION_OFFICER, SHARED) == {NOT_FOUND}
    assert expected(detail, Role.SUPERVISOR, MISSING) == {NOT_FOUND}
    assert expected(write, Role.ME_OFFICER, MISSING) == {FORBIDDEN}
    assert expected(detail, None, OWN) == {UNAUTHORISED, FORBIDDEN}
    assert expected(page, None, OWN) == {LOGIN}
    for role in Role:
        if CASE_SCOPE[role] == NO_CASES:
            assert not any(sees_case(role, relation) for relation in RELATIONS)
