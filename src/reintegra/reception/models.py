"""Reception points, arrivals, intakes and the assistance given at the desk.

No personal data lives here: the person's name, birth date, phone and document are on the returnee and
identity document of `cases` (encrypted there); an intake only links an arrival to that returnee."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import Country, CountryField

from reintegra.access.versioning import Versioned
from reintegra.reception.choices import (
    ArrivalMeans,
    ArrivalSource,
    AssistanceKind,
    PointKind,
    ReturnType,
)
from reintegra.web.dates import local_date


class ReceptionPoint(models.Model):
    """A place where returnees are received (an airport's reception centre, a border post, a bus terminal),
    managed per organisation, with the institution that receives them there."""

    organisation = models.ForeignKey(
        "access.Organisation",
        on_delete=models.PROTECT,
        related_name="reception_points",
        verbose_name=_("organisation"),
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=160)
    country: "models.Field[str | Country, Country]" = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=16, choices=PointKind.choices)
    receiving_institution = models.CharField(_("receiving institution"), max_length=200, blank=True, default="")
    municipality = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    active = models.BooleanField(pgettext_lazy("reception point", "active"), default=True)
    # The institution that last gave each kind of assistance here ({kind: provider id}), remembered from the
    # checklist so the next person's items default to it (checked again when used).
    assistance_institutions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reception point")
        verbose_name_plural = _("reception points")
        ordering = ["country", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="reception_point_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Arrival(models.Model):
    """One arrival event: a flight, a bus or a group at a land border. The counts are what was announced
    (by the migration authority or the escort); the dashboard also counts the intakes recorded."""

    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="arrivals", verbose_name=_("organisation")
    )
    point = models.ForeignKey(
        ReceptionPoint, on_delete=models.PROTECT, related_name="arrivals", verbose_name=_("reception point")
    )
    # The organisation's default programme when recorded: what monitoring's indicators split by.
    programme = models.ForeignKey(
        "access.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("programme"),
    )
    arrived_at = models.DateTimeField(_("arrived at"))
    means = models.CharField(_("means"), max_length=10, choices=ArrivalMeans.choices)
    means_number = models.CharField(_("flight or bus number"), max_length=40, blank=True, default="")
    host_country: "models.Field[str | Country, Country]" = CountryField(_("host country"), blank=True, default="")
    return_type = models.CharField(_("return type"), max_length=24, choices=ReturnType.choices)
    escort = models.CharField(_("escort"), max_length=160, blank=True, default="")
    men = models.PositiveIntegerField(_("men"), default=0)
    women = models.PositiveIntegerField(_("women"), default=0)
    boys = models.PositiveIntegerField(_("boys"), default=0)
    girls = models.PositiveIntegerField(_("girls"), default=0)
    accompanied_minors = models.PositiveIntegerField(_("accompanied minors"), default=0)
    unaccompanied_minors = models.PositiveIntegerField(_("unaccompanied minors"), default=0)
    family_units = models.PositiveIntegerField(_("family units"), default=0)
    source = models.CharField(_("source"), max_length=10, choices=ArrivalSource.choices, default=ArrivalSource.MANUAL)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")
        ordering = ["-arrived_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "arrived_at"], name="arrival_org_date_idx"),
            models.Index(fields=["point", "arrived_at"], name="arrival_point_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.point} {local_date(self.arrived_at)}"

    @property
    def announced_total(self) -> int:
        return self.men + self.women + self.boys + self.girls


class Intake(Versioned):
    """One person received at an arrival: the link to their returnee record (existing or new), what the
    desk saw, and the case opened by the protection routing (if any). Versioned: its assistance checklist is
    edited later (page and API), and a change saves the intake."""

    arrival = models.ForeignKey(Arrival, on_delete=models.CASCADE, related_name="intakes", verbose_name=_("arrival"))
    returnee = models.ForeignKey(
        "cases.Returnee", on_delete=models.PROTECT, related_name="intakes", verbose_name=_("returnee")
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="intakes",
        verbose_name=_("case"),
    )
    is_repeat_return = models.BooleanField(_("repeat return"), default=False)
    travelling_with_family = models.BooleanField(_("travelling with family"), default=False)
    # ProtectionFlag values.
    protection_flags = models.JSONField(_("protection flags"), default=list, blank=True)
    municipality_of_destination = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality of destination"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # For idempotent manifest imports: a hash of the manifest row (never the row itself).
    row_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["returnee", "recorded_at"], name="intake_returnee_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["arrival", "row_key"], condition=Q(row_key__isnull=False), name="intake_row_key_unique"
            ),
            models.UniqueConstraint(fields=["arrival", "returnee"], name="intake_once_per_arrival"),
        ]

    @property
    def flag_labels(self) -> list[str]:
        from reintegra.reception.choices import ProtectionFlag

        labels = dict(ProtectionFlag.choices)
        return [str(labels.get(flag, flag)) for flag in self.protection_flags or []]


class AssistanceGiven(models.Model):
    """One item of the immediate assistance checklist, with who gave it and when: the institution at the
    centre that gave it (the Red Cross's hygiene kit, the health ministry's medical care), or none when the
    reception staff did, and always the staff member who recorded it (`given_by`)."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="assistance", verbose_name=_("intake"))
    kind = models.CharField(_("assistance"), max_length=24, choices=AssistanceKind.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("given by")
    )
    # A provider of the service directory (shared by every organisation) in the point's country.
    institution = models.ForeignKey(
        "referrals.ServiceProvider",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution that gave it"),
    )
    given_at = models.DateTimeField(_("given at"), default=timezone.now)

    class Meta:
        verbose_name = _("assistance given")
        verbose_name_plural = _("assistance given")
        ordering = ["kind"]
        constraints = [models.UniqueConstraint(fields=["intake", "kind"], name="assistance_once_per_intake")]


from reintegra.reception.manifest_models import *  # noqa: F403,E402  # manifest imports
