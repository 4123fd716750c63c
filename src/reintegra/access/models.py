"""Organisations, programmes, teams, users and their roles, second factors, API tokens and the access trail."""

import time
from base64 import b32encode
from binascii import unhexlify
from functools import cached_property
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from reintegra.access.choices import AccessAction, ExportFormat, ExportStatus
from reintegra.access.fields import EncryptedJSONField, EncryptedTextField
from reintegra.access.roles import Capability, Role, capabilities_for
from reintegra.access.versioning import Versioned

# Characters of a token shown to tell it apart: the prefix and a few random ones (of 64).
TOKEN_HINT_LENGTH = 8


class Organisation(Versioned):
    """An office or institution that implements a reintegration programme (or provides services)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    country: "models.Field[str | Country, Country]" = CountryField(_("country"))
    # Data-retention period after closure (IOM DP principle 9); anonymised by `reintegra apply-retention`.
    retention_months = models.PositiveIntegerField(_("retention after closure (months)"), default=60)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# k of the programme's M&E data (small-cell suppression, k-anonymous rows): 5 unless the programme raises it.
DEFAULT_SUPPRESSION_THRESHOLD = 5
MIN_SUPPRESSION_THRESHOLD = 2
MAX_SUPPRESSION_THRESHOLD = 50


def default_rss_round_months() -> list[int]:
    # Baseline within one month of return, then 6, 12 and 18 months (docs/domain-sustainability.md §4).
    return [0, 6, 12, 18]


class Programme(Versioned):
    """A reintegration programme an organisation runs; per-programme settings of every level live here."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("organisation")
    )
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Sustainability: months after return at which an RSS round is due (0 = baseline).
    rss_round_months = models.JSONField(_("RSS rounds (months after return)"), default=default_rss_round_months)
    rss_baseline_window_days = models.PositiveIntegerField(_("days allowed for the baseline round"), default=30)
    # A survey counts for a follow-up round when taken within this many days of its due date (either side).
    rss_round_window_days = models.PositiveIntegerField(_("days either side of a follow-up round"), default=60)
    # Structural level: interest/influence score from which a stakeholder counts as "high" (1-5).
    stakeholder_high_threshold = models.PositiveSmallIntegerField(_("high interest/influence threshold"), default=4)
    stakeholder_review_months = models.PositiveSmallIntegerField(_("stakeholder review after (months)"), default=3)
    agreement_renewal_notice_days = models.PositiveIntegerField(_("agreement renewal notice (days)"), default=60)
    # Monitoring and evaluation: the smallest count shown in aggregates and the k of k-anonymous case rows.
    suppression_threshold = models.PositiveSmallIntegerField(
        _("suppression threshold (k)"),
        default=DEFAULT_SUPPRESSION_THRESHOLD,
        validators=[MinValueValidator(MIN_SUPPRESSION_THRESHOLD), MaxValueValidator(MAX_SUPPRESSION_THRESHOLD)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stakeholder_high_threshold__gte=1) & Q(stakeholder_high_threshold__lte=5),
                name="programme_threshold_1_5",
            ),
            models.CheckConstraint(
                condition=Q(suppression_threshold__gte=MIN_SUPPRESSION_THRESHOLD)
                & Q(suppression_threshold__lte=MAX_SUPPRESSION_THRESHOLD),
                name="programme_suppression_threshold_2_50",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def default_for(cls, organisation_id: int | None) -> "Programme | None":
        """The programme new cases of an organisation join: its oldest active one."""
        if organisation_id is None:
            return None
        return cls.objects.filter(organisation_id=organisation_id, is_active=True).order_by("id").first()


class Team(Versioned):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="teams", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["organisation__name", "name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


# knox names the tokens' manager; TOTPDevice's manager is django-otp's (untyped): mypy cannot resolve the
# reverse managers.
class User(Versioned, AbstractUser):  # type: ignore[django-manager-missing]
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("organisation"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="members", verbose_name=_("team")
    )
    # Only a mental-health professional may invoke the life-at-risk consent exception (docs/domain-referrals.md §4).
    is_mental_health_professional = models.BooleanField(_("mental-health professional"), default=False)
    # The language of e-mails sent to the user (password reset); set at each login from the page's language.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True, default="")
    # Signing in is not an edit: an administrator editing the account meanwhile is not stopped by it.
    unversioned_fields = frozenset({"last_login"})

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @cached_property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(code) for code in self.role_assignments.values_list("role", flat=True))

    @cached_property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_for(self.roles)

    def has_capability(self, capability: Capability) -> bool:
        return self.is_active and capability in self.capabilities

    def display_name(self) -> str:
        return self.name_from(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_from(first_name: str, last_name: str, username: str) -> str:
        """`display_name` from the three columns, for lists read without a model instance per user."""
        return f"{first_name} {last_name}".strip() or username


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=40, choices=[(r.value, r.value) for r in Role])

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


ROLE_LABELS = {
    Role.ADMIN: _("System administrator"),
    Role.PROGRAMME_MANAGER: _("Programme manager"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.CASE_MANAGER: _("Case manager"),
    Role.ME_OFFICER: _("Monitoring and evaluation officer"),
    Role.SERVICE_PROVIDER: _("Service provider"),
    Role.COORDINATOR: _("Coordination body"),
    Role.DATA_PROTECTION_OFFICER: _("Data protection officer"),
    Role.FEEDBACK_FOCAL_POINT: _("Feedback focal point"),
}


class AccessEvent(models.Model):
    """Append-only trail of reads, exports and consent exceptions (changes are in auditlog's LogEntry).

    Database triggers (see migrations) refuse UPDATE and DELETE on this table.
    """

    Action = AccessAction  # the callers' name for it (AccessEvent.Action.VIEW)

    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=60, blank=True, default="")
    object_id = models.CharField(max_length=40, blank=True, default="")
    # Encrypted: holds the justification typed for a life-at-risk exception (and export filter summaries).
    purpose = EncryptedTextField(max_length=300)
    flagged = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, default="web")  # web | api | cli

    class Meta:
        verbose_name = _("access event")
        verbose_name_plural = _("access events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class RoleSecurityPolicy(models.Model):
    """Security settings an administrator sets per role (Django admin). A user holding several roles gets the
    strictest: two-factor authentication is required when any of their roles requires it."""

    role = models.CharField(_("role"), max_length=40, unique=True, choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    require_two_factor = models.BooleanField(
        _("require two-factor authentication"),
        default=False,
        help_text=_(
            "Users with this role must set up an authenticator app and enter a code from it at every login, "
            "and to get an API token."
        ),
    )

    class Meta:
        verbose_name = _("role security policy")
        verbose_name_plural = _("role security policies")
        ordering = ["role"]

    def __str__(self) -> str:
        return str(ROLE_LABELS.get(Role(self.role), self.role))


class ApiToken(AbstractAuthToken):  # type: ignore[misc]  # knox ships no types
    """An API token (django-rest-knox): only a SHA-512 digest of the secret is stored; the secret is shown once,
    when the token is created. Tokens expire (settings.REST_KNOX["TOKEN_TTL"]) and are revoked by
    `access.api_tokens` on password change, deactivation, loss of a role, and when a role starts requiring a
    second factor that the token was issued without."""

    # Knox keys its table on the digest; an id of our own keeps the digest out of URLs and lists.
    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # Issued after a code from an authenticator app (API) or in a session verified with one (web).
    second_factor = models.BooleanField(_("issued with a second factor"), default=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key[:TOKEN_HINT_LENGTH]}…)"

    @property
    def hint(self) -> str:
        """The first characters of the token, enough for its owner to tell tokens apart (never the secret)."""
        return f"{self.token_key[:TOKEN_HINT_LENGTH]}…"


class LoginFailure(models.Model):
    """One failed login (or password-reset request) counted by `access.throttle`. `key` is a keyed hash of the
    IP address or of the account name: who tried is not stored in clear."""

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"]), models.Index(fields=["at"])]


def _new_totp_key() -> str:
    from django_otp.util import random_hex

    return str(random_hex(20))


def _hex_key(value: str) -> None:
    from django_otp.util import hex_validator

    hex_validator()(value)


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):  # type: ignore[misc]  # django-otp ships no types
    """An authenticator app (TOTP, RFC 6238) of a user: django-otp's TOTP device with its secret encrypted at
    rest (django-otp's own `otp_totp.TOTPDevice` keeps it in clear). Same fields and behaviour: the methods
    below follow django-otp's (throttling, replay protection, drift), reading the key only through `bin_key`."""

    key = EncryptedTextField(validators=[_hex_key], default=_new_totp_key, blank=False, max_length=80)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):  # type: ignore[misc]
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token: Any) -> bool:
        verify_allowed, _info = self.verify_is_allowed()
        if not verify_allowed:
            return False
        try:
            value = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(value, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                if getattr(settings, "OTP_TOTP_SYNC", True):
                    self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return bool(verified)

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    @property
    def config_url(self) -> str:
        """The otpauth:// URI authenticator apps read (Key Uri Format), issuer from settings.OTP_TOTP_ISSUER."""
        label = str(self.user.get_username())
        params = urlencode(
            {"secret": b32encode(self.bin_key), "algorithm": "SHA1", "digits": self.digits, "period": self.step}
        )
        issuer = getattr(settings, "OTP_TOTP_ISSUER", None)
        issuer = issuer(self) if callable(issuer) else issuer
        if isinstance(issuer, str) and issuer:
            issuer = issuer.replace(":", "")
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


class ExportJob(models.Model):
    """A large table export run in the background (issue 19; `access.export_jobs`): who asked for what (the
    list, its filters, the format, machine codes or not, the language of the moment), how far it got, and the
    file it wrote in the installation's private directory (`settings.REINTEGRA_EXPORT_DIR`, never served as a
    static or media file): only the requester downloads it, through `export_jobs.open_download`, until
    `expires_at`; `purge_expired` then deletes the file."""

    requested_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name=_("requested by"))
    kind = models.CharField(_("list"), max_length=40)  # a table registered with export_jobs.register_table
    # The list's filters (a search may be a person's name: encrypted).
    params: "models.Field[dict[str, Any], dict[str, Any]]" = EncryptedJSONField(default=dict, blank=True)
    fmt = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    codes = models.BooleanField(_("machine codes"), default=False)
    language = models.CharField(max_length=10)
    channel = models.CharField(max_length=10, default="web")  # web | api
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # Written by the task from the table: the access trail's purpose and object type, the offered file name.
    purpose = models.CharField(max_length=80, blank=True, default="")
    object_type = models.CharField(max_length=60, blank=True, default="")
    file_name = models.CharField(_("file"), max_length=120, blank=True, default="")
    stored_as = models.CharField(max_length=80, blank=True, default="", editable=False)  # a random name
    size = models.PositiveBigIntegerField(default=0)
    error = models.CharField(max_length=40, blank=True, default="")  # a code, never a message with data
    task_id = models.CharField(max_length=64, blank=True, default="", editable=False)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("available until"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "created_at"], name="export_job_user_idx"),
            models.Index(fields=["status", "expires_at"], name="export_job_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.fmt})"

    @property
    def percent(self) -> int:
        if self.status in (ExportStatus.DONE, ExportStatus.EXPIRED):
            return 100
        return min(100, self.rows_done * 100 // self.rows_total) if self.rows_total else 0

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.DONE and (self.expires_at is None or self.expires_at > timezone.now())

    @property
    def label(self) -> str:
        from reintegra.access import export_jobs  # the registry of lists (filled by the apps above)

        return export_jobs.label_of(self.kind)
