"""The case data an SOP may transfer to a provider, and THE place where a referral's data is minimised.

An SOP lists field codes from `FIELDS`; `provider_payload(referral)` builds what the receiving side sees
from those codes alone. Every provider-facing page, API answer and export goes through it, so a field
the SOP does not list never reaches the provider (IOM DP principle 5; docs/domain-referrals.md §3: only what the
specific care needs). Fields of a sensitive category are marked so an SOP that transfers them says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.roles import SensitiveCategory


@dataclass(frozen=True)
class CaseField:
    code: str
    label: Any
    read: Callable[[Any], str]  # referral -> text
    category: SensitiveCategory | None = None


def _returnee(referral: Any) -> Any:
    return referral.case.returnee


def _latest_assessment(referral: Any) -> Any:
    return referral.case.assessments.order_by("-assessed_on", "-id").first()


def _assessment_text(attribute: str) -> Callable[[Any], str]:
    def read(referral: Any) -> str:
        assessment = _latest_assessment(referral)
        return str(getattr(assessment, attribute) or "") if assessment else ""

    return read


def _age(referral: Any) -> str:
    age = _returnee(referral).age_on(timezone.localdate())
    return "" if age is None else str(age)


def _place(referral: Any) -> str:
    r = _returnee(referral)
    parts = [r.locality, r.municipality.name if r.municipality else "", r.admin1.name if r.admin1 else ""]
    return ", ".join(p for p in parts if p)


def _address(referral: Any) -> str:
    r = _returnee(referral)
    return ", ".join(p for p in (r.address, r.locality) if p)


def _needs_summary(referral: Any) -> str:
    from reintegra.cases.choices import NeedLevel

    assessment = _latest_assessment(referral)
    if assessment is None:
        return ""
    parts = []
    for label, level in (
        (_("Economic"), assessment.economic_need),
        (_("Social"), assessment.social_need),
        (_("Psychosocial"), assessment.psychosocial_need),
    ):
        parts.append(f"{label}: {NeedLevel(level).label}")
    return "; ".join(str(p) for p in parts)


def _needs_details(referral: Any) -> str:
    assessment = _latest_assessment(referral)
    if assessment is None:
        return ""
    texts = [assessment.economic_needs, assessment.social_needs, assessment.psychosocial_needs]
    return "\n".join(t for t in texts if t)


def _attention(referral: Any) -> str:
    from reintegra.cases.choices import AttentionFlag

    labels = dict(AttentionFlag.choices)
    return ", ".join(str(labels.get(code, code)) for code in _returnee(referral).attention_flags or [])


def _household(referral: Any) -> str:
    household = referral.case.household
    if household is None:
        return ""
    members = list(household.members.all())
    minors = sum(1 for m in members if m.is_minor)
    return str(_("%(members)s members, %(minors)s minors")) % {"members": len(members), "minors": minors}


def _plan_item(referral: Any) -> str:
    item = referral.plan_item
    return f"{item.get_dimension_display()}: {item.approach}" if item else ""


def _nationality(referral: Any) -> str:
    return str(_returnee(referral).nationality.name)


FIELDS: dict[str, CaseField] = {
    f.code: f
    for f in (
        CaseField("case_number", _("Case number"), lambda r: r.case.case_number),
        CaseField("full_name", _("Full name"), lambda r: _returnee(r).full_name),
        CaseField("sex", _("Sex"), lambda r: str(_returnee(r).get_sex_display())),
        CaseField("age", _("Age"), _age),
        CaseField("birth_date", _("Birth date"), lambda r: str(_returnee(r).birth_date or "")),
        CaseField("nationality", _("Nationality"), _nationality),
        CaseField("languages", _("Languages"), lambda r: _returnee(r).languages),
        CaseField("phone", _("Phone"), lambda r: _returnee(r).phone),
        CaseField("place", _("Place of return (community, municipality, state)"), _place),
        CaseField("address", _("Address"), _address),
        CaseField("household", _("Household composition"), _household),
        CaseField("attention_flags", _("Differential attention"), _attention),
        CaseField("referral_reason", _("Reason for referral"), lambda r: r.reason),
        CaseField("plan_item", _("Plan item"), _plan_item),
        CaseField("needs_summary", _("Need levels"), _needs_summary),
        CaseField("needs_details", _("Needs by dimension"), _needs_details),
        CaseField("vulnerabilities", _("Needs and vulnerabilities"), _assessment_text("needs_vulnerabilities")),
        CaseField("skills", _("Capacities and skills"), _assessment_text("capacities_skills")),
        CaseField("health", _("Health"), _assessment_text("health_notes"), SensitiveCategory.HEALTH),
        CaseField(
            "mental_health",
            _("Mental health"),
            _assessment_text("mental_health_notes"),
            SensitiveCategory.MENTAL_HEALTH,
        ),
        CaseField(
            "protection",
            _("Protection concerns"),
            _assessment_text("protection_concerns"),
            SensitiveCategory.PROTECTION,
        ),
    )
}

FIELD_CHOICES = [(code, f.label) for code, f in FIELDS.items()]


def register_field(field: CaseField) -> None:
    """A field an app above referrals adds to what an SOP may transfer (`employment`: the jobseeker's CV), read
    from its own records in `field.read(referral)`; registered in the app's `ready()`, so the SOP forms, the
    API's choices and `provider_payload` (the one place data is minimised) all know it."""
    if field.code in FIELDS:
        raise ValueError(f"SOP field {field.code!r} is already registered")
    FIELDS[field.code] = field
    FIELD_CHOICES.append((field.code, field.label))


# A sensible starting point for a new SOP: what a first contact needs, nothing sensitive.
DEFAULT_FIELDS = ["case_number", "full_name", "age", "sex", "phone", "place", "languages", "referral_reason"]


def unknown_fields(codes: list[str]) -> list[str]:
    return [c for c in codes if c not in FIELDS]


@dataclass(frozen=True)
class SharedField:
    code: str
    label: Any
    value: str
    sensitive: bool


def provider_payload(referral: Any) -> list[SharedField] | None:
    """The returnee's data the receiving side may see: only the fields of the SOP version the referral was
    made under, in catalogue order. None while nothing may be shown: a draft (not sent), or a consent
    that has since been withdrawn or has expired (the life-at-risk exception has no consent to lapse)."""
    if referral.status == "draft" or referral.sent_at is None:
        return None
    if referral.consent_id is not None and not referral.consent.is_valid_on(timezone.localdate()):
        return None
    if referral.consent_id is None and not referral.consent_exception and referral.recipient_organisation_id:
        return None
    listed = set(referral.pathway.fields or [])
    return [
        SharedField(code, f.label, f.read(referral), f.category is not None)
        for code, f in FIELDS.items()
        if code in listed
    ]
