"""Communities (a municipality of the gazetteer, or a named locality inside one), their favourable-site
checklist and the participatory sessions of their assessment.

No personal data of non-migrant residents lives here: participants of a session are counts by group, sex
and age band. A session's reported tensions may name people, so that text is encrypted at rest."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.fields import EncryptedTextField
from reintegra.access.versioning import Versioned
from reintegra.community.choices import SessionKind, SiteCriterion


class Community(Versioned):
    """A place where returnees come back to, owned by the organisation that works on it. Its version also
    covers its favourable-site checklist (scoring the checklist is an edit of the community)."""

    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="communities", verbose_name=_("organisation")
    )
    municipality = models.ForeignKey(
        "places.AdminArea", on_delete=models.PROTECT, related_name="+", verbose_name=_("municipality")
    )
    # Empty: the whole municipality.
    locality = models.CharField(_("locality"), max_length=120, blank=True, default="")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    population_source = models.CharField(_("population source"), max_length=200, blank=True, default="")
    organisations = models.ManyToManyField(
        "access.Organisation", blank=True, related_name="+", verbose_name=_("organisations working there")
    )
    notes = models.TextField(_("notes"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["municipality__name", "locality", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "municipality", "locality"], name="community_unique_place_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        place = self.municipality.name
        return f"{self.locality} ({place})" if self.locality else place

    @property
    def country(self) -> str:
        return str(self.municipality.country)


class SiteScore(models.Model):
    """One criterion of the favourable-site checklist, scored 0 (absent) to 3 (strong) with its evidence."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="site_scores", verbose_name=_("community")
    )
    criterion = models.CharField(_("criterion"), max_length=24, choices=SiteCriterion.choices)
    score = models.PositiveSmallIntegerField(_("score"))
    evidence = models.TextField(_("evidence"), blank=True, default="")
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("scored by")
    )
    scored_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("site criterion score")
        verbose_name_plural = _("site criterion scores")
        ordering = ["criterion"]
        constraints = [
            models.UniqueConstraint(fields=["community", "criterion"], name="site_score_once_per_criterion"),
            models.CheckConstraint(condition=Q(score__lte=3), name="site_score_0_3"),
        ]


class ParticipatorySession(models.Model):
    """A participatory session of the community assessment: returnees and non-migrant residents together."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("community")
    )
    kind = models.CharField(_("method"), max_length=24, choices=SessionKind.choices)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True, default="")
    facilitators = models.CharField(_("facilitators"), max_length=300, blank=True, default="")
    # {"returnee:female:adult": 4, ...}: counts only, no names (services.PARTICIPANT_KEYS).
    participants = models.JSONField(_("participants"), default=dict, blank=True)
    # Ranked: the first is the community's first priority.
    priorities = models.JSONField(_("priorities raised"), default=list, blank=True)
    tensions = EncryptedTextField(_("tensions reported"), max_length=4000)
    follow_up = models.TextField(_("follow-up agreed"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participatory session")
        verbose_name_plural = _("participatory sessions")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%Y-%m-%d}"

    def total(self, group: str = "") -> int:
        return sum(n for key, n in (self.participants or {}).items() if not group or key.startswith(f"{group}:"))

    @property
    def returnee_total(self) -> int:
        return self.total("returnee")

    @property
    def resident_total(self) -> int:
        return self.total("non_migrant")
