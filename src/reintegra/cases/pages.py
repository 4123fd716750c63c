"""The frame of every case page: header, tabs, the steps the user may take now, the panels of the tab.

Other apps add a tab with `cases.extensions.register_tab` and render it with this frame: their view builds
`case_page_context(request, case, "referrals")` and its template extends "cases/case_base.html" (block
`tab`). The frame is something the other apps read from cases (a normal import downwards: the levels above
cases may import it), so it is a plain function here and not a registry; a registry is for what cases
shows from the levels above it, which it may not import.

Below the frame, what every page of the cases app does: fetch the case (404 when hidden), check the edit
role, record the view in the access trail.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.forms import BaseFormSet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reintegra.access import audit, scoping
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import extensions, lifecycle, selectors, services
from reintegra.cases import permissions as case_permissions
from reintegra.cases.models import Case
from reintegra.web.forms import apply_service_errors
from reintegra.web.steps import Step

if TYPE_CHECKING:
    from reintegra.access.models import User

TABS = [
    ("summary", "cases:detail", gettext_lazy("Summary")),
    ("assessments", "cases:assessments", gettext_lazy("Assessments")),
    ("counselling", "cases:counselling", gettext_lazy("Counselling")),
    ("plan", "cases:plan", gettext_lazy("Plan")),
    ("follow_up", "cases:follow_up", gettext_lazy("Follow-up")),
    ("closure", "cases:closure", gettext_lazy("Closure")),
    ("timeline", "cases:timeline", gettext_lazy("Timeline")),
]
TAB_URLS = {key: url for key, url, _label in TABS}


def _check(rule: Callable[..., None], *args: Any) -> Step:
    try:
        rule(*args)
    except TransitionError as exc:
        return Step(False, exc.message)
    return Step(True)


def _steps(user: User, case: Case, facts: lifecycle.CaseFacts, plan: Any) -> dict[str, Step]:
    if not case_permissions.can_change_case(user, case):
        read_only = Step(
            False,
            _("Only the organisation that holds the case can change it.")
            if scoping.can_edit_cases(user)
            else _("Your role can read this case but not change it."),
        )
        names = ("edit", "assess", "counsel", "household", "plan", "agree", "follow_up", "close", "reopen", "assign")
        return dict.fromkeys(names, read_only)
    is_open = _check(lifecycle.ensure_open, facts)
    if not is_open.allowed:
        agree = is_open
    elif plan is None:
        agree = Step(False, _("Draft the reintegration plan before agreeing it."))
    elif plan.agreed_on:
        agree = Step(False, _("The plan was agreed on %(date)s.") % {"date": _short_date(plan.agreed_on)})
    elif not plan.items.exists():  # answered from the items when they were read with the plan
        agree = Step(False, _("Add at least one plan item before agreeing the plan."))
    else:
        # A higher level's rule on the agreement (children: bia_required...), with the service's own reason.
        agree = _check(extensions.check_step, extensions.PLAN_AGREEMENT, case)
    close = _check(lifecycle.ensure_can_close, facts, "reason-given-on-form")
    if close.allowed:
        close = _check(extensions.check_step, extensions.CLOSURE, case)
    return {
        "edit": is_open,
        "assess": is_open,
        "counsel": is_open,
        "household": is_open,
        "plan": _check(lifecycle.ensure_can_draft_plan, facts),
        "agree": agree,
        "follow_up": _check(lifecycle.ensure_can_follow_up, facts),
        # Only the status part of the rule (and the higher levels' rules): the reason is asked on the form itself.
        "close": close,
        "reopen": _check(lifecycle.ensure_can_reopen, facts, "reason-given-on-form"),
        "assign": Step(user.has_capability(Capability.ASSIGN_CASES)),
    }


def _short_date(value: Any) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def case_page_context(request: AuthenticatedHttpRequest, case: Case, tab: str) -> dict[str, Any]:
    """What cases/case_base.html needs: header, tabs (registered ones included), steps, panels of the tab."""
    facts = services.facts(case)
    plan = selectors.plan_for(case, with_items=tab == "plan")  # only the plan's tab lists its items
    today = timezone.localdate()
    deadline = case.return_date + timedelta(days=settings.REINTEGRA_PLAN_DEADLINE_DAYS)
    return {
        "nav": "cases",
        "case": case,
        "returnee": case.returnee,
        "facts": facts,
        "plan": plan,
        "tab": tab,
        "tabs": [(key, reverse(url, args=[case.pk]), label) for key, url, label in extensions.tabs(TABS)],
        "case_panels": extensions.panels(request, case, tab),
        "header_panels": extensions.panels(request, case, extensions.HEADER),
        "steps": _steps(request.user, case, facts, plan),
        "can_edit": case_permissions.can_change_case(request.user, case),
        "today": today,
        "plan_deadline": deadline,
        "plan_overdue": (plan is None or not plan.agreed_on) and not case.is_closed and today > deadline,
    }


# --- what every case page does --------------------------------------------------------------------


def is_htmx(request: AuthenticatedHttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true" and not request.headers.get("HX-History-Restore-Request")


def get_case_or_404(request: AuthenticatedHttpRequest, pk: Any, *, for_write: bool = False) -> Case:
    """The case (404 when hidden); `for_write`: 403 unless the user may change it (cases.permissions)."""
    try:
        return case_permissions.access_case_by_id(request.user, pk, for_write=for_write)
    except Case.DoesNotExist:
        # The same answer whether the case does not exist or is not visible: existence is not revealed.
        raise Http404(_("Case not found.")) from None


def record_view(request: AuthenticatedHttpRequest, case: Case, what: str) -> None:
    audit.record_access(request.user, "view", case, purpose=f"case page: {what}")


def any_errors(*parts: Any) -> bool:
    for part in parts:
        if part is None:
            continue
        if isinstance(part, BaseFormSet):
            if part.is_bound and (part.non_form_errors() or any(f.errors for f in part.forms)):
                return True
        elif part.is_bound and part.errors:
            return True
    return False


def show_rule_errors(request: AuthenticatedHttpRequest, returnee_form: Any, return_form: Any | None) -> None:
    """Some part did not parse: ask the services what else they would refuse (nothing is written), so the
    page shows every error at once; the rules themselves stay the services'."""
    problems = [(returnee_form, services.returnee_problems(request.user, returnee_form.to_input()))]
    if return_form is not None:
        problems.append((return_form, services.return_problems(return_form.to_input())))
    for form, error in problems:
        if error is not None:
            apply_service_errors(error, form, only_new_fields=True)
