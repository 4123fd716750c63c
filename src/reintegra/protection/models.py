"""The consent ledger and the shares of cases with other organisations.

Both were created by other apps (`access.Consent`, `cases.CaseShare`) and moved here with their rows:
their tables were renamed, not copied (migrations 0001-0002).
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.fields import EncryptedTextField
from reintegra.access.models import Organisation
from reintegra.cases.models import Case, Returnee
from reintegra.protection.choices import ConsentMethod, ConsentPurpose


class Consent(models.Model):
    """One entry of a returnee's consent ledger. Withdrawal is recorded, never deleted."""

    returnee = models.ForeignKey(
        Returnee, on_delete=models.CASCADE, related_name="consents", verbose_name=_("returnee")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    recipient_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient organisation"),
    )
    # A directory provider outside the platform (no organisation of its own) that the person lets receive
    # their data. Named by string: the directory belongs to `referrals`, a level above; it offers its providers
    # through `services.register_recipient_providers` (docs/domain-referrals.md §4).
    recipient_provider = models.ForeignKey(
        "referrals.ServiceProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient provider"),
    )
    # Free text about the person (who they let see their data, who consents for them, why they withdrew):
    # encrypted, never filtered on (docs/data-protection.md).
    recipient_description = EncryptedTextField(_("recipient or service type"), max_length=200)
    given_by_returnee = models.BooleanField(_("given by the returnee"), default=True)
    guardian_name = EncryptedTextField(_("guardian's name"), max_length=200)
    # A minor's consent needs the guardian's consent AND the child's own assent (docs/domain-individual.md §7).
    child_assent = models.BooleanField(_("child's assent obtained"), default=False)
    method = models.CharField(_("how it was given"), max_length=10, choices=ConsentMethod.choices)
    given_on = models.DateField(_("date given"))
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_note = EncryptedTextField(_("withdrawal note"), max_length=300)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_on", "-id"]
        indexes = [models.Index(fields=["returnee", "purpose"], name="consent_returnee_purpose_idx")]

    def is_valid_on(self, day: date | None = None) -> bool:
        day = day or timezone.localdate()
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        if self.expires_on and self.expires_on < day:
            return False
        return self.given_on <= day

    @staticmethod
    def valid_q(day: date) -> Q:
        return (
            Q(given_on__lte=day)
            & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
            & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        )


class CaseShare(models.Model):
    """Another organisation's access to a case (referral or transfer), granted under a consent."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="shared_cases")
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = EncryptedTextField(max_length=300)
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "revoked_at"], name="case_share_org_idx")]
