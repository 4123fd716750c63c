"""The regional catalogue of reintegration actions (docs/domain-structural.md §7; CRM 2022 report §4).

An action covers one or more levels and one or more dimensions; it is counted in every level × dimension
cell of that product. The cells live in `ActionCell` (one row per action and cell, with the action's
country copied in) so the matrix is a single GROUP BY over an index, whatever the size of the catalogue.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from reintegra.access.models import Organisation
from reintegra.access.versioning import Versioned
from reintegra.regional.choices import Dimension, EvaluationStatus, FundingSource, InstitutionKind, InterventionLevel


class Institution(models.Model):
    """An institution that implements actions in one country; found again by its normalised name."""

    name = models.CharField(_("name"), max_length=200)
    country: "models.Field[str | Country, Country]" = CountryField(_("country"))
    kind = models.CharField(_("kind"), max_length=20, choices=InstitutionKind.choices, default=InstitutionKind.OTHER)
    # Lower case, no accents or punctuation: "Secretaría del Trabajo" and "SECRETARIA DEL TRABAJO" are one.
    normalised_name = models.CharField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "normalised_name"], name="regional_institution_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class RegionalAction(Versioned):
    """An action or programme some institution runs for returnees in one country."""

    country: "models.Field[str | Country, Country]" = CountryField(_("country"), db_index=True)
    title = models.CharField(_("action"), max_length=300)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("institution"),
    )
    levels = models.JSONField(_("levels"), default=list)
    dimensions = models.JSONField(_("dimensions"), default=list)
    target_population = models.CharField(_("target population"), max_length=300, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    funding_source = models.CharField(
        _("funding source"), max_length=30, choices=FundingSource.choices, default=FundingSource.UNKNOWN
    )
    evaluation_status = models.CharField(
        _("evaluation status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.NOT_EVALUATED
    )
    evaluated_on = models.DateField(_("evaluation date"), null=True, blank=True)
    evaluation_reference = models.TextField(_("evaluation reference or summary"), blank=True, default="")
    source = models.CharField(_("source"), max_length=300, blank=True, default="")
    # Who entered it (the owner): only its users, or coordinators it granted write access, may edit it.
    entered_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Normalised title + description + institution + population, for accent-insensitive text search.
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("regional action")
        verbose_name_plural = _("regional actions")
        ordering = ["country", "title", "id"]
        indexes = [
            models.Index(fields=["country", "title", "id"], name="regional_action_list"),
            models.Index(fields=["institution", "title"], name="regional_action_institution"),
            models.Index(fields=["funding_source"], name="regional_action_funding"),
            models.Index(fields=["evaluation_status"], name="regional_action_evaluation"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(evaluation_status=EvaluationStatus.GOOD_PRACTICE)
                | (Q(evaluated_on__isnull=False) & ~Q(evaluation_reference="")),
                name="regional_good_practice_needs_evaluation",
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="regional_action_period_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("regional:detail", args=[self.pk])

    @property
    def level_labels(self) -> list[str]:
        return [str(InterventionLevel(v).label) for v in self.levels if v in InterventionLevel.values]

    @property
    def dimension_labels(self) -> list[str]:
        return [str(Dimension(v).label) for v in self.dimensions if v in Dimension.values]

    @property
    def dimension_items(self) -> list[tuple[str, str]]:
        return [(v, str(Dimension(v).label)) for v in self.dimensions if v in Dimension.values]


class ActionCell(models.Model):
    """One level × dimension cell an action covers; the country is copied so the matrix needs no join."""

    action = models.ForeignKey(RegionalAction, on_delete=models.CASCADE, related_name="cells")
    country: "models.Field[str | Country, Country]" = CountryField()
    level = models.CharField(max_length=20, choices=InterventionLevel.choices)
    dimension = models.CharField(max_length=20, choices=Dimension.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "level", "dimension"], name="regional_cell_unique"),
        ]
        indexes = [
            models.Index(fields=["country", "level", "dimension"], name="regional_cell_matrix"),
            models.Index(fields=["level", "dimension", "action"], name="regional_cell_drill"),
        ]

    def __str__(self) -> str:
        return f"{self.action_id}:{self.level}/{self.dimension}"
