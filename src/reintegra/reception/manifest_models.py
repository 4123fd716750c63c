"""Manifest imports: saved column mappings, each import with its progress and report, and the uncertain
duplicate matches waiting for a person to decide (imported from `models`, so Django registers them).

What a manifest row becomes is in `manifest_services`; the file itself is kept encrypted only until its
import has run (`ManifestImport.content`, emptied then)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from reintegra.access.fields import EncryptedTextField
from reintegra.access.versioning import Versioned
from reintegra.cases.choices import DocumentType
from reintegra.reception.choices import ArrivalMeans, ReturnType
from reintegra.reception.manifest_choices import LetterM, ManifestDateFormat, ManifestStatus, ReviewDecision


class ManifestMapping(Versioned):
    """Which column of a source's list holds each intake field ("INM — lista de vuelo"), with what the list
    does not say (means of transport, return type, host country), saved per organisation and reused."""

    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=120)
    # {ManifestField value: header of the column in the file}
    columns = models.JSONField(_("columns"), default=dict)
    date_format = models.CharField(
        _("date format"), max_length=3, choices=ManifestDateFormat.choices, default=ManifestDateFormat.DAY_MONTH_YEAR
    )
    letter_m = models.CharField(
        _("a lone M in the sex column means"), max_length=6, choices=LetterM.choices, default=LetterM.FEMALE
    )
    document_type = models.CharField(
        _("document type"), max_length=24, choices=DocumentType.choices, default=DocumentType.PASSPORT
    )
    means = models.CharField(_("means"), max_length=10, choices=ArrivalMeans.choices, default=ArrivalMeans.FLIGHT)
    return_type = models.CharField(_("return type"), max_length=24, choices=ReturnType.choices)
    host_country: "models.Field[str | Country, Country]" = CountryField(_("host country"), blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("manifest mapping")
        verbose_name_plural = _("manifest mappings")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="manifest_mapping_name_unique")]

    def __str__(self) -> str:
        return self.name


class ManifestImport(models.Model):
    """One manifest file imported at a reception point: who, when, how far it got and what it found."""

    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    point = models.ForeignKey(
        "reception.ReceptionPoint", on_delete=models.PROTECT, related_name="+", verbose_name=_("reception point")
    )
    mapping = models.ForeignKey(
        ManifestMapping, on_delete=models.PROTECT, related_name="imports", verbose_name=_("mapping")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    # The arrival date of rows without one (when the mapping has no arrival-date column).
    arrived_on = models.DateField(_("arrival date"), null=True, blank=True)
    # The uploaded file (base64), encrypted, until the import has run; then emptied.
    content = EncryptedTextField(editable=False)
    task_id = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=ManifestStatus.choices, default=ManifestStatus.QUEUED)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    # {"problems": [{"row", "column", "code", "params"}], "more": n}: every bad row (nothing written then).
    report = models.JSONField(default=dict, blank=True)
    new_returnees = models.PositiveIntegerField(_("new returnees"), default=0)
    repeat_returnees = models.PositiveIntegerField(_("repeat returnees linked"), default=0)
    within_file_duplicates = models.PositiveIntegerField(_("duplicates within the file"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged (imported before)"), default=0)
    to_review = models.PositiveIntegerField(_("uncertain matches to review"), default=0)
    arrivals = models.PositiveIntegerField(_("arrivals"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("imported by")
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("manifest import")
        verbose_name_plural = _("manifest imports")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="manifest_import_org_idx")]

    def __str__(self) -> str:
        return self.file_name


class ManifestReview(models.Model):
    """A manifest row whose person may be someone already registered, but not surely: the import kept them
    as a new returnee (`new_returnee`, the intake's person) and asks a user to link or confirm."""

    manifest_import = models.ForeignKey(ManifestImport, on_delete=models.CASCADE, related_name="reviews")
    intake = models.ForeignKey("reception.Intake", on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField(_("row"))
    # The returnee the import created for the row (deleted when the row is linked to a candidate).
    new_returnee = models.ForeignKey(
        "cases.Returnee", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # [{"id": returnee id, "score": 0.87, "reasons": [...]}], best first.
    candidates = models.JSONField(default=list)
    decision = models.CharField(
        _("decision"), max_length=8, choices=ReviewDecision.choices, default=ReviewDecision.PENDING
    )
    linked_to = models.ForeignKey("cases.Returnee", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("uncertain manifest match")
        verbose_name_plural = _("uncertain manifest matches")
        ordering = ["manifest_import", "row", "id"]
        indexes = [models.Index(fields=["manifest_import", "decision"], name="manifest_review_idx")]
