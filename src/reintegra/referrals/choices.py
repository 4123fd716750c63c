"""Controlled vocabularies of the referral network (docs/domain-referrals.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.vocabulary.choices import Dimension as Dimension  # a service's dimension (re-exported)
from reintegra.vocabulary.choices import GeographicLevel as GeographicLevel  # a referral's level (re-exported)


class OrganisationType(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    NGO = "ngo", _("Non-governmental organisation")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    INTERNATIONAL = "international", _("International organisation")
    ACADEMIC = "academic", _("Academic institution")
    DIASPORA = "diaspora", _("Diaspora or migrant association")


class ServiceSector(models.TextChoices):
    """The kind of service a directory entry offers. Not the policy sectors of mainstreaming
    (`structural.choices.PolicySector`): a person is referred to a service, not to a policy sector."""

    HEALTH = "health", _("Health")
    MHPSS = "mhpss", _("Mental health and psychosocial support")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment", _("Employment and training")
    BUSINESS = "business", _("Business development")
    HOUSING = "housing", _("Housing and shelter")
    LEGAL = "legal", _("Legal aid and documentation")
    FINANCIAL = "financial", _("Financial services")
    SOCIAL_PROTECTION = "social_protection", _("Social protection")
    CHILD_PROTECTION = "child_protection", _("Child protection")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    OTHER = "other", _("Other")


class Cost(models.TextChoices):
    FREE = "free", _("Free of charge")
    SUBSIDISED = "subsidised", _("Subsidised")
    PAID = "paid", _("Paid by the returnee")
    COVERED = "covered", _("Paid by the referring programme")


class ReferralPriority(models.TextChoices):
    """IASC inter-agency referral form: emergency 24 h, urgent 72 h, normal two weeks. A deadline to
    answer, unlike the ranking of a capacity gap (`structural.choices.CapacityPriority`)."""

    EMERGENCY = "emergency", _("Emergency (24 hours)")
    URGENT = "urgent", _("Urgent (72 hours)")
    NORMAL = "normal", _("Normal (14 days)")


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SERVICE_DELIVERED = "service_delivered", _("Service delivered")
    NO_SHOW = "no_show", _("Did not attend (no-show)")
    REFERRED_ONWARD = "referred_onward", _("Referred onward")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral status", "Withdrawn")


class DeclineReason(models.TextChoices):
    NO_CAPACITY = "no_capacity", _("No capacity at the moment")
    NOT_ELIGIBLE = "not_eligible", _("Person not eligible")
    OUT_OF_AREA = "out_of_area", _("Outside the coverage area")
    SERVICE_UNAVAILABLE = "service_unavailable", _("Service not available")
    INSUFFICIENT_INFORMATION = "insufficient_information", _("Insufficient information")
    OTHER = "other", _("Other")


class LinkStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("referral status", "Withdrawn")


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    OVERDUE = "overdue", _("Overdue")
    MET = "met", _("Met")
    MISSED = "missed", _("Met late")
    NONE = "none", _("Not applicable")


class PathwayPopulation(models.TextChoices):
    """Whom a referral SOP is for: child-focused SOPs add the safeguards a child's referral needs
    (docs/children.md §4)."""

    EVERYONE = "everyone", _("Everyone")
    CHILDREN = "children", _("Children and adolescents")
