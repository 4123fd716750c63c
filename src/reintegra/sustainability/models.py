"""Sustainability measurement: instruments as versioned data, survey rounds of a case, their scores, and the
feasibility grid a programme plans with.

Reproducibility: a round keeps the instrument version it was given with; its scores are `RoundScore`
rows, one per version it was scored under. Re-scoring under a newer version adds a row and moves
`is_current`; the old row stays. A published version's definition never changes (services refuse, and
`InstrumentVersion.save` guards it too).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from reintegra.access.fields import EncryptedJSONField
from reintegra.access.org_key import key_target, organisation_key
from reintegra.access.versioning import Versioned
from reintegra.sustainability import definition as definition_module
from reintegra.sustainability.choices import Dimension, RoundSource, VersionStatus


class Instrument(models.Model):
    """A questionnaire. Global (shipped, `programme` empty) or a programme's own (overrides a global code)."""

    code = models.SlugField(_("code"), max_length=64)
    programme = models.ForeignKey(
        "access.Programme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instruments",
        verbose_name=_("programme"),
    )
    labels = models.JSONField(_("name"), default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="instrument_programme_code"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(programme__isnull=True), name="instrument_global_code"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return definition_module.label(self.labels, get_language() or "es") or self.code


class InstrumentVersion(Versioned):
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    # The parsed, self-contained definition (definition.Definition.to_dict()).
    definition = models.JSONField(_("definition"))
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    _parsed: definition_module.Definition | None = None  # parsed definition, cached per instance

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrument_version_number"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="published_version_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.code} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk:
            stored = InstrumentVersion.objects.filter(pk=self.pk).values("status", "definition").first()
            if stored and stored["status"] == VersionStatus.PUBLISHED and stored["definition"] != self.definition:
                raise ValueError("A published instrument version is immutable.")
        self._parsed = None
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == VersionStatus.PUBLISHED

    def parsed(self) -> definition_module.Definition:
        cached = getattr(self, "_parsed", None)
        if cached is None:
            cached = definition_module.parse(self.definition)
            self._parsed = cached
        return cached


class SurveyRound(models.Model):
    """One administration of an instrument to a returnee (baseline or follow-up) for a case."""

    organisation_from = "case"
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="survey_rounds")
    organisation = organisation_key()
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("instrument version")
    )
    taken_on = models.DateField(_("date"))
    # Scheduled round it counts for: months after return (0 = baseline); empty for an extra round.
    round_month = models.PositiveSmallIntegerField(_("round (months after return)"), null=True, blank=True)
    # Encrypted (answers about the person's situation, free text included); scores are stored beside them.
    answers: models.Field[dict[str, Any], dict[str, Any]] = EncryptedJSONField(_("answers"))
    source = models.CharField(_("source"), max_length=10, choices=RoundSource.choices, default=RoundSource.WEB)
    # ODK/Kobo instance id of an imported submission: the same submission is never stored twice.
    submission_key = models.CharField(max_length=120, blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("survey round")
        verbose_name_plural = _("survey rounds")
        ordering = ["-taken_on", "-id"]
        indexes = [
            models.Index(fields=["case", "taken_on"], name="survey_round_case_idx"),
            models.Index(fields=["round_month", "version"], name="survey_round_month_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "submission_key"], condition=~Q(submission_key=""), name="survey_round_submission"
            ),
            key_target("survey_round_organisation_key"),
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.taken_on}"

    @property
    def current_score(self) -> RoundScore | None:
        prefetched = getattr(self, "current_scores", None)
        if prefetched is not None:
            return prefetched[0] if prefetched else None
        return self.scores.filter(is_current=True).first()


class RoundScore(models.Model):
    """The four scores of a round under one instrument version (NULL = too few questions answered)."""

    organisation_from = "round"
    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="scores")
    organisation = organisation_key()
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    economic = models.FloatField(_("economic"), null=True, blank=True)
    social = models.FloatField(_("social"), null=True, blank=True)
    psychosocial = models.FloatField(_("psychosocial"), null=True, blank=True)
    composite = models.FloatField(_("composite"), null=True, blank=True)
    bands = models.JSONField(default=dict)
    answered_share = models.JSONField(default=dict)
    is_current = models.BooleanField(default=True)
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("round score")
        verbose_name_plural = _("round scores")
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["is_current", "version"], name="round_score_current_idx")]
        constraints = [
            models.UniqueConstraint(fields=["round", "version"], name="round_score_per_version"),
            models.UniqueConstraint(fields=["round"], condition=Q(is_current=True), name="round_score_one_current"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__isnull": True}) | (Q(**{f"{name}__gte": 0}) & Q(**{f"{name}__lte": 1})),
                    name=f"round_score_{name}_0_1",
                )
                for name in definition_module.SCORES
            ],
        ]

    def values(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in definition_module.SCORES}


class FeasibilityApproach(Versioned):
    """One row of a programme's feasibility grid (Handbook Annex 5). Programme empty = the shipped default."""

    programme = models.ForeignKey(
        "access.Programme",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feasibility_grid",
        verbose_name=_("programme"),
    )
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    approach = models.CharField(_("approach"), max_length=120)
    useful_for = models.CharField(_("useful for"), max_length=300, blank=True, default="")
    criteria_individual = models.CharField(_("criteria: individual"), max_length=300, blank=True, default="")
    criteria_community = models.CharField(_("criteria: community"), max_length=300, blank=True, default="")
    criteria_structural = models.CharField(_("criteria: structural"), max_length=300, blank=True, default="")
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(pgettext_lazy("feasibility approach", "active"), default=True)

    class Meta:
        verbose_name = _("feasibility grid row")
        verbose_name_plural = _("feasibility grid rows")
        ordering = ["dimension", "position", "id"]
        indexes = [models.Index(fields=["programme", "dimension", "position"], name="feasibility_grid_idx")]
        constraints = [
            models.UniqueConstraint(fields=["programme", "dimension", "approach"], name="feasibility_row_unique"),
        ]

    def __str__(self) -> str:
        return self.approach


class RoundFact(models.Model):
    """One narrow row per survey round: what the `survey_rounds` population of the M&E engine reads
    (`sustainability.round_facts`; docs/scaling.md, "Eighth pass"), so that its indicators scan this table instead
    of the rounds' wide rows (their encrypted answers) joined to their current scores, and read the baseline's
    composite from the row instead of a subquery per round. The case's programme, organisation, person and
    disaggregations come from the case's fact row (`monitoring.CaseFact`), joined on `case_id`.

    Derived data about a person (the round's date and month, the four current scores: the same clear columns as
    `SurveyRound` and `RoundScore`). Kept in the transaction of every ORM write of a round or a score (receivers
    connected in `SustainabilityConfig.ready`): each write rewrites the rows of the round's case, since every row
    of a case carries that case's baseline composite. Writes past the ORM (the bench's bulk rows) call
    `round_facts.refresh(case_ids)` or `rebuild()`."""

    round = models.OneToOneField(
        SurveyRound, on_delete=models.DO_NOTHING, db_constraint=False, primary_key=True, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.DO_NOTHING, db_constraint=False, db_index=True, related_name="+"
    )
    taken_on = models.DateField()
    round_month = models.PositiveSmallIntegerField(null=True)
    # The round's current score (NULL: unscored, or too few answers), as `RoundScore` with `is_current`.
    economic = models.FloatField(null=True)
    social = models.FloatField(null=True)
    psychosocial = models.FloatField(null=True)
    composite = models.FloatField(null=True)
    # The current composite of the case's baseline round (month 0; the latest by date then id among those with a
    # current composite): what the change since the baseline subtracts.
    baseline_composite = models.FloatField(null=True)
