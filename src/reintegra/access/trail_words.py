"""What an access-trail event was about, in the reader's language (issue 18.11).

The trail stores the purpose of a read or export as the English text its caller wrote ("case page: plan",
"service gaps (GT) (CSV)"): it is append-only, so the stored text stays as it is and is translated when shown.
Known texts are matched here, whole or by a pattern whose parts are themselves looked up (a case tab, a side
of a referral); a text matched by nothing (a justification typed for a consent exception, a purpose given to
a command) is shown as it was written. An app whose callers write a new purpose adds it with
`register_purpose` from its `AppConfig.ready()`.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The words some purposes interpolate: case tabs and steps, sides, hand-over steps.
_WORDS: dict[str, Any] = {
    "summary": _("summary"),
    "assessments": _("assessments"),
    "counselling": _("counselling"),
    "plan": _("plan"),
    "follow_up": _("follow-up"),
    "closure": _("closure"),
    "timeline": _("timeline"),
    "referrals": _("referrals"),
    "sustainability": _("sustainability"),
    "children": _("children"),
    "employment": _("employment"),
    "edit": _("edit the person"),
    "assess": _("new assessment"),
    "counsel": _("new counselling session"),
    "household": _("household"),
    "agree": _("agree the plan"),
    "close": _("close the case"),
    "reopen": _("reopen the case"),
    "assign": _("assign the case"),
    "provider": _("provider"),
    "case": _("case"),
    "created": _("created"),
    "sent": _("sent"),
    "revoked": _("revoked"),
    "accepted": _("accepted"),
    "declined": _("declined"),
    "all countries": _("all countries"),
}

_EXACT: dict[str, Any] = {
    "assessments": _("Assessments"),
    "counselling sessions": _("Counselling sessions"),
    "consent ledger": _("Consent ledger"),
    "shares": _("Case shares"),
    "duplicate check": _("Duplicate check"),
    "referral: provider portal": _("Referral, from the provider portal"),
    "referral: case": _("Referral, from the case"),
    "provider list": _("Referrals received (list)"),
    "manifest review": _("Review of an arrival list import"),
    "reception: arrival": _("Reception: arrival"),
    "reception: arrival (API)": _("Reception: arrival (API)"),
    "reception: intake": _("Reception: intake"),
    "reception statistics": _("Reception statistics"),
    "mainstreaming action plan": _("Mainstreaming action plan"),
    "structural stakeholder page": _("Stakeholder page"),
    "sustainability rounds": _("Sustainability rounds"),
    "sustainability round": _("Sustainability round"),
    "hand-over": _("Hand-over"),
    "hand-over package file": _("Hand-over package file"),
    "partner registered": _("Partner installation registered"),
    "partner deactivated": _("Partner installation deactivated"),
    "handover delivery retried": _("Hand-over delivery retried"),
    "best-interests assessment": _("Best-interests assessment"),
    "best-interests determination": _("Best-interests determination"),
    "family tracing": _("Family tracing"),
    "return hotspots": _("Return hotspots"),
    "service directory": _("Service directory"),
    "regional actions": _("Regional actions"),
    "XLSForm": _("XLSForm"),
    "instrument definition": _("Instrument definition"),
    "donor report": _("Donor report"),
    "asked from the login page": _("Asked from the login page"),
    "sent by a user manager": _("Sent by a user manager"),
    "revoked by its owner": _("Revoked by its owner"),
    "revoked by an administrator": _("Revoked by an administrator"),
    "password changed": _("Password changed"),
    "account deactivated": _("Account deactivated"),
    "role removed": _("Role removed"),
    "second factor now required": _("Second factor now required"),
}

# (pattern matched on the whole text, label with the pattern's named groups as placeholders)
_PATTERNS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"case page: form (?P<step>[\w-]+)"), _("Case page: form “%(step)s”")),
    (re.compile(r"case page: (?P<tab>[\w-]+)"), _("Case page: %(tab)s")),
    (re.compile(r"referral \((?P<side>\w+)\)"), _("Referral (%(side)s side)")),
    (re.compile(r"handover package (?P<kind>[\w-]+)"), _("Hand-over package: %(kind)s")),
    (re.compile(r"handover (?P<step>\w+)"), _("Hand-over %(step)s")),
    (re.compile(r"service gaps \((?P<country>[^)]*)\)"), _("Service gaps (%(country)s)")),
    (re.compile(r"RSS submissions: (?P<count>\d+) imported"), _("RSS submissions: %(count)s imported")),
    (
        re.compile(r"IPTT of programme (?P<programme>\d+) by (?P<by>[\w-]+)"),
        _("IPTT of programme %(programme)s by %(by)s"),
    ),
    (re.compile(r"IPTT of programme (?P<programme>\d+)"), _("IPTT of programme %(programme)s")),
    (re.compile(r"logframe of programme (?P<programme>\d+)"), _("Logframe of programme %(programme)s")),
    (re.compile(r"indicator values of programme (?P<programme>\d+)"), _("Indicator values of programme %(programme)s")),
    (
        re.compile(r"pseudonymised case rows \((?P<rows>\d+) rows, (?P<withheld>\d+) withheld, k=(?P<k>\d+)\)"),
        _("Pseudonymised case rows (%(rows)s rows, %(withheld)s withheld, k=%(k)s)"),
    ),
    (
        re.compile(r"pseudonymised case rows \(page (?P<page>\d+), k=(?P<k>\d+)\)"),
        _("Pseudonymised case rows (page %(page)s, k=%(k)s)"),
    ),
    (
        re.compile(r"M&E drill-down: cases behind (?P<where>.+) \((?P<count>\d+)\)"),
        _("M&E drill-down: cases behind %(where)s (%(count)s)"),
    ),
    (
        re.compile(r"M&E drill-down: pseudonymised rows behind (?P<where>.+) \((?P<details>[^()]*)\)"),
        _("M&E drill-down: pseudonymised rows behind %(where)s (%(details)s)"),
    ),
    (re.compile(r"audit trail: no filters"), _("Audit trail, unfiltered")),
    (re.compile(r"audit trail: (?P<filters>.+)"), _("Audit trail: %(filters)s")),
]

# The format an export's purpose ends with (`access.exports`): "(CSV)", "(XLSX, codes)", "(HXL CSV)"...
_FORMAT = re.compile(r"^(?P<purpose>.*) \((?P<format>CSV|XLSX|PDF|YAML|HXL CSV)(?P<codes>, codes)?\)$", re.DOTALL)


def register_purpose(stored: str, label: Any, *, pattern: bool = False) -> None:
    """Show a stored purpose in the reader's language: an exact text, or (pattern=True) a regular expression
    matched on the whole text whose named groups fill the label's `%(name)s` placeholders."""
    if pattern:
        _PATTERNS.insert(0, (re.compile(stored), label))
    else:
        _EXACT[stored] = label


def _word(value: str) -> str:
    word = _WORDS.get(value)
    return str(word) if word is not None else value


def _describe(text: str) -> str:
    exact = _EXACT.get(text)
    if exact is not None:
        return str(exact)
    for regex, label in _PATTERNS:
        found = regex.fullmatch(text)
        if found:
            return str(label) % {name: _word(value) for name, value in found.groupdict().items()}
    return text


def describe_purpose(text: str | None) -> str:
    """The stored purpose in the active language; unknown texts unchanged."""
    if not text:
        return ""
    found = _FORMAT.match(text)
    if found is None:
        return _describe(text)
    fmt = found["format"]
    suffix = gettext("%(format)s, machine codes") % {"format": fmt} if found["codes"] else fmt
    return f"{_describe(found['purpose'])} ({suffix})"
