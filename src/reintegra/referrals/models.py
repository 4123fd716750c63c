"""The referral network (docs/domain-referrals.md): service mapping, referral pathways (SOPs), closed-loop referrals."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from reintegra.access.fields import EncryptedTextField
from reintegra.access.org_key import key_target, organisation_key
from reintegra.access.versioning import Versioned
from reintegra.referrals.choices import (
    Cost,
    DeclineReason,
    Dimension,
    GeographicLevel,
    LinkStatus,
    OrganisationType,
    PathwayPopulation,
    ReferralPriority,
    ReferralStatus,
    ServiceSector,
)


class ServiceProvider(Versioned):
    """An organisation that delivers services to returnees (mapped, whether or not it uses the platform).

    A directory entry is shared by every organisation but maintained by one: its `owner` (the organisation
    of the user who created it). Only the owner's users change the entry, its services and contact persons.
    """

    name = models.CharField(_("name"), max_length=200)
    organisation_type = models.CharField(_("type of organisation"), max_length=20, choices=OrganisationType.choices)
    country: "models.Field[str | Country, Country]" = CountryField(_("country"))
    owner = models.ForeignKey(
        "access.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("maintained by"),
        help_text=_("The organisation that maintains this directory entry: only its users may change it."),
    )
    # The platform organisation that receives referrals to this provider in its portal. Set only when that
    # organisation accepted the link (ProviderLink); never by the entry's owner alone.
    organisation = models.OneToOneField(
        "access.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_provider",
        verbose_name=_("organisation on the platform"),
    )
    languages = models.CharField(_("languages"), max_length=200, blank=True, default="")
    address = models.CharField(_("address"), max_length=250, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    website = models.URLField(_("website"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["country", "name"], name="provider_country_name_idx")]
        constraints = [models.UniqueConstraint(fields=["country", "name"], name="provider_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def on_platform(self) -> bool:
        return self.organisation_id is not None


class ProviderLink(models.Model):
    """A request to link a directory entry to an organisation on the platform, and its answer.

    The entry's owner asks; a programme manager of the named organisation accepts (the entry is then
    linked: referrals sent to it from then on reach that organisation's portal) or refuses. Nothing is
    linked while the request waits."""

    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.CASCADE, related_name="link_requests", verbose_name=_("provider")
    )
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    status = models.CharField(_("status"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("provider link request")
        verbose_name_plural = _("provider link requests")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="provider_link_org_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["provider"], condition=Q(status="pending"), name="provider_link_one_pending"
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(answered_at__isnull=False), name="provider_link_answer_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_id} → {self.organisation_id} ({self.status})"


class ContactPerson(models.Model):
    provider = models.ForeignKey(ServiceProvider, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=160)
    position = models.CharField(_("position"), max_length=160, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    email = models.EmailField(_("e-mail"), blank=True, default="")
    availability = models.CharField(_("availability"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Service(Versioned):
    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="services", verbose_name=_("provider")
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    sector = models.CharField(_("sector"), max_length=20, choices=ServiceSector.choices)
    country: "models.Field[str | Country, Country]" = CountryField(_("country of coverage"))
    # Empty: the whole country. States/departments cover their municipalities.
    areas = models.ManyToManyField("places.AdminArea", blank=True, related_name="+", verbose_name=_("coverage areas"))
    min_age = models.PositiveSmallIntegerField(
        _("minimum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    max_age = models.PositiveSmallIntegerField(
        _("maximum age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    sexes = models.JSONField(_("sexes served"), default=list, blank=True)
    nationalities = models.JSONField(_("nationalities served"), default=list, blank=True)
    vulnerability_criteria = models.JSONField(_("vulnerability criteria"), default=list, blank=True)
    capacity_per_month = models.PositiveIntegerField(
        _("capacity per month"), null=True, blank=True, help_text=_("Leave empty when unlimited.")
    )
    cost = models.CharField(_("cost to the returnee"), max_length=12, choices=Cost.choices, default=Cost.FREE)
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True, default="")
    target_response_days = models.PositiveSmallIntegerField(
        _("target response time (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    languages = models.CharField(_("languages"), max_length=200, blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    # The public information portal (reintegra.public) lists only services marked public, with this contact.
    is_public = models.BooleanField(
        _("shown on the public portal"),
        default=False,
        help_text=_("Listed on the public information portal, with its public contact point."),
    )
    public_contact = models.CharField(
        _("public contact point"),
        max_length=250,
        blank=True,
        default="",
        help_text=_("An office's phone, e-mail or address the public may use; never a person's own number."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["dimension", "sector"], name="service_dim_sector_idx"),
            models.Index(fields=["country", "is_active"], name="service_country_idx"),
            models.Index(fields=["name", "id"], name="service_name_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
                name="service_age_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.provider.name}"


class ReferralPathway(models.Model):
    """A referral SOP between a referring organisation and a provider (or one of its services), one row per
    version: a new version replaces the current one, never edits it, so each referral keeps the version it
    was made under (docs/domain-referrals.md §3: what is transferred and how, consent, first contact, follow-up,
    documentation, cost arrangements)."""

    referring_organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("referring organisation")
    )
    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="pathways", verbose_name=_("provider")
    )
    service = models.ForeignKey(
        Service,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pathways",
        verbose_name=_("service"),
        help_text=_("Leave empty when the SOP applies to every service of the provider."),
    )
    title = models.CharField(_("title"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    approved_on = models.DateField(_("approval date"))
    population = models.CharField(
        _("for whom"), max_length=12, choices=PathwayPopulation.choices, default=PathwayPopulation.EVERYONE
    )
    child_safeguards = models.TextField(
        _("child safeguards"),
        blank=True,
        default="",
        help_text=_(
            "For a child-focused SOP: how the child's best interests are kept, who informs the child-protection "
            "authority, how the guardian's consent and the child's assent are obtained, who accompanies the child."
        ),
    )
    # Field codes of referrals.catalogue: the only case data the provider receives.
    fields = models.JSONField(_("case data transferred"), default=list)
    transfer_method = models.TextField(_("how the data is transferred"), blank=True, default="")
    consent_procedure = models.TextField(_("how consent is obtained"), blank=True, default="")
    first_contact = models.TextField(
        _("first contact"),
        blank=True,
        default="",
        help_text=_("Contact persons, availability, response time and the case data requested at first contact."),
    )
    response_time_hours = models.PositiveIntegerField(_("agreed response time (hours)"), null=True, blank=True)
    follow_up = models.TextField(_("follow-up and continuity"), blank=True, default="")
    documentation = models.TextField(_("documentation"), blank=True, default="")
    cost_arrangements = models.TextField(_("cost arrangements"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("referral pathway (SOP)")
        verbose_name_plural = _("referral pathways (SOPs)")
        ordering = ["provider__name", "title", "-version"]
        indexes = [
            models.Index(fields=["referring_organisation", "provider", "is_current"], name="pathway_current_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referring_organisation", "provider", "title", "version"], name="pathway_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class Referral(models.Model):
    organisation_from = "case"
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    organisation = organisation_key()
    referring_organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("referring organisation")
    )
    provider = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("provider")
    )
    # Who receives the referral, fixed when it is sent: the organisation the provider was linked to then
    # (null: an external provider, not on the platform). The portal, the answers and every selector use
    # this, never the provider's current link.
    recipient_organisation = models.ForeignKey(
        "access.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving organisation"),
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service"))
    # The SOP version the referral is made under (versions are never edited: this is the snapshot).
    pathway = models.ForeignKey(
        ReferralPathway, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("referral pathway (SOP)")
    )
    plan_item = models.ForeignKey(
        "cases.PlanItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("plan item"),
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("referred by")
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=ReferralPriority.choices, default=ReferralPriority.NORMAL
    )
    level = models.CharField(_("level"), max_length=14, choices=GeographicLevel.choices, default=GeographicLevel.LOCAL)
    reason = EncryptedTextField(_("reason for referral"), category=None)
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    # The consent it was sent under; null with consent_exception: life-at-risk exception (access trail).
    consent = models.ForeignKey("protection.Consent", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    consent_exception = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    acceptance_due_at = models.DateTimeField(_("acceptance due"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=30, choices=DeclineReason.choices, blank=True, default=""
    )
    outcome_due_at = models.DateTimeField(_("outcome due"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ReferralStatus.choices, blank=True, default="")
    outcome_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    provider_note = EncryptedTextField(_("provider's note"), max_length=500)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True, default="")
    satisfaction = models.PositiveSmallIntegerField(
        _("returnee's satisfaction (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback = EncryptedTextField(_("returnee's feedback"), category=None)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["provider", "status", "created_at"], name="referral_provider_idx"),
            models.Index(fields=["recipient_organisation", "status", "created_at"], name="referral_recipient_idx"),
            models.Index(fields=["case", "created_at"], name="referral_case_idx"),
            models.Index(fields=["referring_organisation", "status", "created_at"], name="referral_org_idx"),
            models.Index(fields=["status", "acceptance_due_at"], name="referral_accept_due_idx"),
            models.Index(fields=["status", "outcome_due_at"], name="referral_outcome_due_idx"),
            models.Index(fields=["service", "status"], name="referral_service_idx"),
            models.Index(fields=["created_at", "id"], name="referral_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(sent_at__isnull=False), name="referral_sent_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="declined") | ~Q(decline_reason=""), name="referral_decline_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | (Q(satisfaction__gte=1) & Q(satisfaction__lte=5)),
                name="referral_satisfaction_1_5",
            ),
            key_target("referral_organisation_key"),
        ]

    def __str__(self) -> str:
        return f"REF-{self.pk}"

    @property
    def reference(self) -> str:
        return f"REF-{self.pk:06d}" if self.pk else "REF-"

    @property
    def on_platform(self) -> bool:
        """Whether the receiving side acts in Reintegra: fixed at sending (a draft: where it would go now)."""
        if self.status == ReferralStatus.DRAFT:
            return self.provider.on_platform
        return self.recipient_organisation_id is not None


class ReferralStatusChange(models.Model):
    """Every transition, timestamped (the closed loop's history). Codes only."""

    organisation_from = "referral"
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="changes")
    organisation = organisation_key()
    from_status = models.CharField(max_length=20, blank=True, default="")
    to_status = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    side = models.CharField(max_length=10, default="referrer")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_change_idx")]
