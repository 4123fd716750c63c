"""Cross-border hand-over of a case from a sending organisation to a recipient (docs/handover.md).

Within one installation the recipient is an organisation of this installation; between installations it
is the organisation a registered `PartnerInstallation` stands for. The package (`payload`) holds only the
data categories the cooperation framework lets the recipient party consult; it is encrypted at rest.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.access.fields import EncryptedJSONField, EncryptedTextField
from reintegra.access.models import Organisation
from reintegra.cases.models import Case
from reintegra.handover.choices import DeliveryStatus, HandOverDirection, HandOverStatus, PackageKind
from reintegra.protection.models import Consent
from reintegra.structural.choices import DataCategory
from reintegra.structural.models import CooperationFramework, Stakeholder
from reintegra.vocabulary.choices import choice_label


class InstallationKey(models.Model):
    """This installation's key pair: a P-256 key that signs (ES256) and one that receives (ECDH-ES).

    The private halves are stored as a JWK set encrypted with the field keys (`access.crypto`); only the
    newest active row is used to sign, every active row may decrypt (key rollover)."""

    kid = models.CharField(max_length=64, unique=True, editable=False)  # thumbprint of the signing key
    private_jwks = EncryptedTextField(editable=False)
    public_jwks = models.JSONField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-created_at", "-id"]


class PartnerInstallation(models.Model):
    """Another Reintegra installation this one exchanges hand-overs with, registered by a programme manager
    of the organisation that owns the cooperation framework, after checking the key fingerprint out of band."""

    name = models.CharField(_("name"), max_length=200)
    base_url = models.URLField(_("base URL"), max_length=300)
    public_jwks = models.JSONField(_("public keys"))
    sender_id = models.CharField(_("installation id"), max_length=64, unique=True)  # thumbprint of its signing key
    framework = models.ForeignKey(
        CooperationFramework, on_delete=models.PROTECT, related_name="+", verbose_name=_("cooperation framework")
    )
    # The organisation of this installation that stands for the partner's receiving organisation (consents
    # name it; its country decides whether a share is cross-border) and that organisation's code over there.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("partner organisation")
    )
    remote_organisation_code = models.SlugField(_("organisation code at the partner"), max_length=32)
    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now)
    is_active = models.BooleanField(pgettext_lazy("partner installation", "active"), default=True)

    class Meta:
        verbose_name = _("partner installation")
        verbose_name_plural = _("partner installations")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class HandOver(models.Model):
    """One hand-over, as the sending side or the receiving side sees it (`direction`)."""

    package_id = models.UUIDField(default=uuid.uuid4, editable=False)
    direction = models.CharField(max_length=10, choices=HandOverDirection.choices, default=HandOverDirection.OUTGOING)
    status = models.CharField(_("status"), max_length=10, choices=HandOverStatus.choices, default=HandOverStatus.DRAFT)
    # Sending side: the case handed over. Receiving side: none until accepted (then `accepted_case`).
    case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers")
    sending_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField(_("sending organisation"), max_length=200)
    recipient_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("recipient organisation")
    )
    partner = models.ForeignKey(
        PartnerInstallation, on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    framework = models.ForeignKey(
        CooperationFramework, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_party = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    categories = models.JSONField(_("data categories"), default=list)
    payload: "models.Field[dict[str, Any], dict[str, Any]]" = EncryptedJSONField(editable=False)
    reason = EncryptedTextField(_("reason for the hand-over"), max_length=500)
    decline_reason = EncryptedTextField(_("reason for declining"), max_length=500)
    accepted_case = models.ForeignKey(Case, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["package_id", "direction"], name="handover_package_once"),
        ]
        indexes = [
            models.Index(fields=["recipient_organisation", "status"], name="handover_recipient_idx"),
            models.Index(fields=["sending_organisation", "status"], name="handover_sender_idx"),
        ]

    @property
    def is_remote(self) -> bool:
        return self.partner_id is not None

    @property
    def category_labels(self) -> list[str]:
        """The data categories in the reader's words (the stored codes are the exchange's)."""
        return [choice_label(DataCategory, code) for code in self.categories or []]


class HandOverEvent(models.Model):
    """A state change, stamped: who (a user here, or the partner installation), when, from what to what."""

    handover = models.ForeignKey(HandOver, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=10, choices=HandOverStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=HandOverStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by_partner = models.ForeignKey(
        PartnerInstallation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]


class Delivery(models.Model):
    """One signed, encrypted package for a partner: pushed with retries, never silently dropped."""

    handover = models.ForeignKey(HandOver, on_delete=models.CASCADE, related_name="deliveries")
    partner = models.ForeignKey(PartnerInstallation, on_delete=models.PROTECT, related_name="deliveries")
    kind = models.CharField(max_length=10, choices=PackageKind.choices, default=PackageKind.HANDOVER)
    token = models.TextField(editable=False)  # the JWE: only the partner can open it
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)  # a status code or an error class, no content
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]


class SeenPackage(models.Model):
    """A package id already accepted from a partner: the same package again is a replay."""

    jti = models.CharField(max_length=64, unique=True)
    partner = models.ForeignKey(PartnerInstallation, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)
