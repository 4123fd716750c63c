"""The referral status machine (docs/domain-referrals.md §6). Pure Python: no Django import.

A step its status does not allow raises the platform's `TransitionError` (code `invalid_transition`,
`unknown_action` or `unknown_outcome`); the services give it the message the user reads.

draft → sent → accepted | declined → service_delivered | no_show | referred_onward → closed
sent | accepted → withdrawn (by the referring side, when the case closes before the service is given)

Each step belongs to one side: the referring organisation sends and closes; the receiving provider
accepts, declines and records the outcome. A provider that is not on the platform (an "external"
referral) cannot act here, so the referring side records its answers on its behalf.
"""

from __future__ import annotations

from dataclasses import dataclass

from reintegra.access.transitions import TransitionError

DRAFT = "draft"
SENT = "sent"
ACCEPTED = "accepted"
DECLINED = "declined"
SERVICE_DELIVERED = "service_delivered"
NO_SHOW = "no_show"
REFERRED_ONWARD = "referred_onward"
CLOSED = "closed"
WITHDRAWN = "withdrawn"

STATUSES = (DRAFT, SENT, ACCEPTED, DECLINED, SERVICE_DELIVERED, NO_SHOW, REFERRED_ONWARD, CLOSED, WITHDRAWN)
OUTCOMES = (SERVICE_DELIVERED, NO_SHOW, REFERRED_ONWARD)

REFERRER = "referrer"
PROVIDER = "provider"

# action -> (statuses it may start from, status it leads to (None: one of OUTCOMES), side that takes it)
ACTIONS: dict[str, tuple[frozenset[str], str | None, str]] = {
    "send": (frozenset({DRAFT}), SENT, REFERRER),
    "accept": (frozenset({SENT}), ACCEPTED, PROVIDER),
    "decline": (frozenset({SENT}), DECLINED, PROVIDER),
    "outcome": (frozenset({ACCEPTED}), None, PROVIDER),
    "close": (frozenset({DECLINED, *OUTCOMES}), CLOSED, REFERRER),
    "withdraw": (frozenset({SENT, ACCEPTED}), WITHDRAWN, REFERRER),
}

TRANSITIONS: dict[str, frozenset[str]] = {
    DRAFT: frozenset({SENT}),
    SENT: frozenset({ACCEPTED, DECLINED, WITHDRAWN}),
    ACCEPTED: frozenset({*OUTCOMES, WITHDRAWN}),
    DECLINED: frozenset({CLOSED}),
    SERVICE_DELIVERED: frozenset({CLOSED}),
    NO_SHOW: frozenset({CLOSED}),
    REFERRED_ONWARD: frozenset({CLOSED}),
    CLOSED: frozenset(),
    WITHDRAWN: frozenset(),
}


def _refused(action: str, status: str, code: str = "invalid_transition") -> TransitionError:
    return TransitionError(f"{action} not allowed from {status}", code)


@dataclass(frozen=True)
class Step:
    action: str
    source: str
    target: str


def next_status(status: str, action: str, outcome: str | None = None) -> str:
    """The status `action` leads to from `status`; raises TransitionError when it may not happen."""
    if action not in ACTIONS:
        raise _refused(action, status, "unknown_action")
    sources, target, _side = ACTIONS[action]
    if status not in sources:
        raise _refused(action, status)
    if target is None:
        if outcome not in OUTCOMES:
            raise _refused(action, status, "unknown_outcome")
        target = outcome
    assert target in TRANSITIONS[status]
    return target


def side_of(action: str, *, provider_on_platform: bool) -> str:
    """Which side takes `action`: an external provider's steps are recorded by the referring side."""
    side = ACTIONS[action][2]
    return side if provider_on_platform else REFERRER


def allowed_actions(status: str, side: str, *, provider_on_platform: bool = True) -> list[str]:
    return [
        action
        for action, (sources, _target, _s) in ACTIONS.items()
        if status in sources and side_of(action, provider_on_platform=provider_on_platform) == side
    ]


def is_open(status: str) -> bool:
    return status not in (DRAFT, CLOSED, WITHDRAWN)


def is_answered(status: str) -> bool:
    return status not in (DRAFT, SENT, WITHDRAWN)
