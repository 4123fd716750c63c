"""The case status lifecycle (docs/domain-individual.md §1):
registered → assessed → plan_agreed → in_follow_up → closed.

Which step may happen in which status, with the message a case manager reads when it may not
(`access.transitions.TransitionError`, the error of every status machine).
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from reintegra.access.transitions import TransitionError
from reintegra.cases.choices import CaseStatus as S

_ORDER = [S.REGISTERED, S.ASSESSED, S.PLAN_AGREED, S.IN_FOLLOW_UP]


@dataclass(frozen=True)
class CaseFacts:
    status: str
    has_assessment: bool
    plan_agreed: bool
    has_follow_up: bool


def ensure_open(facts: CaseFacts) -> None:
    if facts.status == S.CLOSED:
        raise TransitionError(str(_("This case is closed. Reopen it before recording anything new.")), "case_closed")


def ensure_can_draft_plan(facts: CaseFacts) -> None:
    ensure_open(facts)
    if not facts.has_assessment:
        raise TransitionError(
            str(_("Record an assessment before drafting the reintegration plan.")), "assessment_required"
        )


def ensure_can_follow_up(facts: CaseFacts) -> None:
    ensure_open(facts)
    if not facts.plan_agreed:
        raise TransitionError(str(_("Follow-up starts once a reintegration plan has been agreed.")), "plan_required")


def ensure_can_close(facts: CaseFacts, reason: str) -> None:
    if facts.status == S.CLOSED:
        raise TransitionError(str(_("This case is already closed.")), "already_closed")
    if not reason:
        raise TransitionError(str(_("A case cannot be closed without a reason.")), "reason_required")


def ensure_can_reopen(facts: CaseFacts, reason: str) -> None:
    if facts.status != S.CLOSED:
        raise TransitionError(str(_("Only a closed case can be reopened.")), "not_closed")
    if not reason.strip():
        raise TransitionError(str(_("Say why the case is reopened.")), "reason_required")


def status_from_facts(facts: CaseFacts) -> S:
    """The open status a case's records justify: used after each step and when a case is reopened."""
    if facts.has_follow_up and facts.plan_agreed:
        return S.IN_FOLLOW_UP
    if facts.plan_agreed:
        return S.PLAN_AGREED
    if facts.has_assessment:
        return S.ASSESSED
    return S.REGISTERED


def advance(current: str, facts: CaseFacts) -> S:
    """Move forward only: recording a reassessment in follow-up never drags the status back."""
    target = status_from_facts(facts)
    if current == S.CLOSED:
        return S.CLOSED
    current_rank = _ORDER.index(S(current))
    return target if _ORDER.index(target) > current_rank else S(current)
