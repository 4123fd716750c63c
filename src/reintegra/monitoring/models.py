"""Results frameworks, indicators, reporting periods and their snapshots, evaluations and lessons learned.

A programme has one results framework (theory of change + a tree impact → outcomes → outputs →
activities). Indicators hang from its nodes; a computed indicator keeps its rule as data (`definition`,
validated by `monitoring.definition` against the populations apps register in `monitoring.registry`), a
reported one takes its values by hand per period. Submitting a reporting period freezes every indicator's
values in a `Snapshot` with the hash of the definition it was computed with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reintegra.access.versioning import Versioned
from reintegra.monitoring import choices as c


class Translated(models.Model):
    """A name and a definition in the three languages of the platform; shown in the reader's, else Spanish."""

    name_es = models.CharField(_("name (Spanish)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=250, blank=True)
    description_es = models.TextField(_("definition (Spanish)"), blank=True)
    description_en = models.TextField(_("definition (English)"), blank=True)
    description_fr = models.TextField(_("definition (French)"), blank=True)

    class Meta:
        abstract = True

    def _in_language(self, stem: str) -> str:
        language = (get_language() or "es")[:2]
        value: str = getattr(self, f"{stem}_{language}", "") or getattr(self, f"{stem}_es")
        return value

    @property
    def name(self) -> str:
        return self._in_language("name")

    @property
    def description(self) -> str:
        return self._in_language("description")


class IndicatorSpec(Translated):
    """What an indicator is, shared by the standard library and a programme's indicators."""

    code = models.SlugField(_("code"), max_length=40)
    measure = models.CharField(_("measure"), max_length=12, choices=c.Measure.choices)
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    direction = models.CharField(
        _("desired direction"), max_length=10, choices=c.Direction.choices, default=c.Direction.INCREASE
    )
    time_aggregation = models.CharField(
        _("time aggregation"), max_length=12, choices=c.TimeAggregation.choices, default=c.TimeAggregation.PER_PERIOD
    )
    level = models.CharField(_("level"), max_length=12, choices=c.ApproachLevel.choices, blank=True)
    dimension = models.CharField(_("dimension"), max_length=14, choices=c.ResultDimension.choices, blank=True)
    is_computed = models.BooleanField(_("computed from the platform's data"), default=True)
    # The rule of a computed indicator (monitoring.definition): population, filters, date, unit, aggregation.
    definition = models.JSONField(_("computation"), default=dict, blank=True)

    class Meta:
        abstract = True

    @property
    def unit_label(self) -> str:
        return c.unit_label(self.unit)


class StandardIndicator(IndicatorSpec):
    """An indicator of the platform's library (docs/monitoring-indicators.md), loaded by a migration; a
    programme adopts it into its framework as an `Indicator` (a copy it may then adjust)."""

    means_of_verification = models.TextField(_("means of verification"), blank=True)

    class Meta:
        verbose_name = _("standard indicator")
        verbose_name_plural = _("standard indicators")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code"], name="monitoring_standard_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class ResultsFramework(Versioned):
    """A programme's theory of change and results tree."""

    programme = models.OneToOneField(
        "access.Programme", on_delete=models.CASCADE, related_name="results_framework", verbose_name=_("programme")
    )
    theory_of_change = models.TextField(_("theory of change"), blank=True)
    # Narrative sections of the donor report the M&E officer writes (context, challenges, next steps).
    report_context = models.TextField(_("context"), blank=True)
    is_public = models.BooleanField(_("publish opted-in indicators on the public statistics page"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("results framework")
        verbose_name_plural = _("results frameworks")

    def __str__(self) -> str:
        return str(self.programme)


class ResultNode(Versioned):
    """A result of the tree: the impact, an outcome, an output or an activity, with the assumptions and risks
    of its link to the result above."""

    framework = models.ForeignKey(ResultsFramework, on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("contributes to"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=c.NodeKind.choices)
    code = models.CharField(_("code"), max_length=20, blank=True, help_text=_("e.g. 1.2"))
    title = models.CharField(_("result"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    level = models.CharField(_("level"), max_length=12, choices=c.ApproachLevel.choices, blank=True)
    dimension = models.CharField(_("dimension"), max_length=14, choices=c.ResultDimension.choices, blank=True)
    assumptions = models.TextField(_("assumptions"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("result")
        verbose_name_plural = _("results")
        ordering = ["framework", "order", "code", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="impact", parent__isnull=True) | (~Q(kind="impact") & Q(parent__isnull=False)),
                name="monitoring_node_only_impact_is_root",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}".strip()


class Indicator(Versioned, IndicatorSpec):
    """An indicator of a programme's results framework, attached to one result."""

    framework = models.ForeignKey(ResultsFramework, on_delete=models.CASCADE, related_name="indicators")
    node = models.ForeignKey(ResultNode, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("result"))
    standard = models.ForeignKey(
        StandardIndicator,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from the standard library"),
    )
    baseline_value = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    baseline_source = models.CharField(_("baseline source"), max_length=250, blank=True)
    lop_target = models.DecimalField(
        _("life-of-programme target"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    means_of_verification = models.TextField(_("means of verification"), blank=True)
    data_source = models.CharField(_("data source"), max_length=250, blank=True)
    frequency = models.CharField(
        _("collection frequency"), max_length=10, choices=c.Frequency.choices, default=c.Frequency.QUARTERLY
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    is_kpi = models.BooleanField(_("key performance indicator"), default=False)
    is_public = models.BooleanField(_("show on the public statistics page"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["framework", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="monitoring_indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class ReportingPeriod(Versioned):
    """A period a programme reports on. Submitting it freezes its values (`Snapshot`)."""

    programme = models.ForeignKey(
        "access.Programme", on_delete=models.CASCADE, related_name="reporting_periods", verbose_name=_("programme")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=c.PeriodKind.choices, default=c.PeriodKind.QUARTER)
    label = models.CharField(_("name"), max_length=60)
    starts_on = models.DateField(_("start date"))
    ends_on = models.DateField(_("end date"))
    status = models.CharField(_("status"), max_length=10, choices=c.PeriodStatus.choices, default=c.PeriodStatus.OPEN)
    narrative = models.TextField(_("narrative for the donor report"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        ordering = ["programme", "starts_on", "ends_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="monitoring_period_ordered"),
            models.UniqueConstraint(fields=["programme", "starts_on", "ends_on"], name="monitoring_period_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Target(models.Model):
    """An indicator's target for one reporting period (the life-of-programme target is on the indicator)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="targets")
    value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="monitoring_target_unique")]


def _evidence_path(instance: ReportedValue, filename: str) -> str:
    return f"monitoring/evidence/{instance.period_id}/{filename}"


class ReportedValue(Versioned):
    """The value of an indicator reported by hand for a period, with its evidence."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reported_values")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reported_values")
    numerator = models.DecimalField(_("value or numerator"), max_digits=14, decimal_places=2, null=True, blank=True)
    denominator = models.DecimalField(_("denominator"), max_digits=14, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("qualitative value"), blank=True)
    # Disaggregated values reported by hand: {"sex": {"female": n, ...}, ...}; each must add up to the total.
    cells = models.JSONField(_("disaggregation"), default=dict, blank=True)
    evidence = models.FileField(_("evidence"), upload_to=_evidence_path, max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reported value")
        verbose_name_plural = _("reported values")
        constraints = [models.UniqueConstraint(fields=["indicator", "period"], name="monitoring_reported_unique")]


class Snapshot(models.Model):
    """An indicator's values for a submitted period, frozen: the total and every disaggregation, as counts
    (numerator, denominator), with the hash of the definition they were computed with."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="snapshots")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="snapshots")
    definition_hash = models.CharField(max_length=64)
    # {"total": {...}, "lop": {...}, "dimensions": {"sex": {"female": {"numerator", "denominator", "value"}}}}
    values = models.JSONField(default=dict)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        constraints = [models.UniqueConstraint(fields=["period", "indicator"], name="monitoring_snapshot_unique")]


def _evaluation_path(instance: Evaluation, filename: str) -> str:
    return f"monitoring/evaluations/{instance.programme_id}/{filename}"


class Evaluation(Versioned):
    programme = models.ForeignKey(
        "access.Programme", on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("programme")
    )
    kind = models.CharField(_("type"), max_length=10, choices=c.EvaluationType.choices)
    title = models.CharField(_("title"), max_length=250)
    scope = models.TextField(_("scope"), blank=True)
    evaluator = models.CharField(_("evaluator"), max_length=200, blank=True)
    starts_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    report = models.FileField(_("report"), upload_to=_evaluation_path, max_length=300, blank=True)
    # {"relevance": 3, ...}: OECD-DAC criterion → Rating.
    ratings = models.JSONField(_("OECD-DAC ratings"), default=dict, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["programme", "-ends_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Recommendation(Versioned):
    """A recommendation of an evaluation and the programme's management response to it."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField(_("recommendation"))
    decision = models.CharField(
        _("management response"), max_length=10, choices=c.ResponseDecision.choices, blank=True, default=""
    )
    action = models.TextField(_("action"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=c.ActionStatus.choices, default=c.ActionStatus.NOT_STARTED
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["evaluation", "order", "id"]


class Lesson(Versioned):
    """A lesson learned, tagged so that programmes like it find it."""

    programme = models.ForeignKey(
        "access.Programme", on_delete=models.CASCADE, related_name="lessons", verbose_name=_("programme")
    )
    evaluation = models.ForeignKey(Evaluation, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons")
    title = models.CharField(_("title"), max_length=250)
    body = models.TextField(_("lesson"))
    level = models.CharField(_("level"), max_length=12, choices=c.ApproachLevel.choices, blank=True)
    dimension = models.CharField(_("dimension"), max_length=14, choices=c.ResultDimension.choices, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    # Lower-case, accents removed: what the SQLite search matches against (PostgreSQL uses full-text search).
    search_text = models.TextField(editable=False, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_on = models.DateField(_("date"), default=timezone.localdate)
    # Lessons hold no personal data; a shared one is read by every organisation's M&E readers (learning across
    # programmes is the point), an unshared one only by those who read its programme's monitoring.
    is_shared = models.BooleanField(_("share with the other organisations on the platform"), default=True)

    class Meta:
        verbose_name = _("lesson learned")
        verbose_name_plural = _("lessons learned")
        ordering = ["-recorded_on", "-id"]

    def __str__(self) -> str:
        return self.title


class CaseFact(models.Model):
    """One narrow row per case: what the `cases` population's filters, dates and standard disaggregations read
    (`monitoring.case_facts`), so that the engine scans this table instead of the cases' wide rows joined to
    their returnees and plans (docs/scaling.md, "Sixth pass"). Derived personal data (a person's sex, birth
    year, attention flags and municipality by case), classified like its sources (docs/data-protection.md).

    Kept in the transaction of every ORM write of a case, a returnee or a plan (receivers connected in
    `MonitoringConfig.ready`); writes past the ORM (the seed's COPY) call `case_facts.rebuild()`. The state of
    the municipality is read through the areas' table (never copied: an area may move)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="fact")
    returnee = models.ForeignKey(
        "cases.Returnee", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    programme = models.ForeignKey(
        "access.Programme",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    status = models.CharField(max_length=20)
    return_type = models.CharField(max_length=24)
    closure_category = models.CharField(max_length=12, blank=True, default="")
    return_date = models.DateField()
    return_year = models.IntegerField()
    opened_on = models.DateField()
    closed_on = models.DateField(null=True)
    plan_agreed_on = models.DateField(null=True)
    # Its plan (if any): the plan items read their case's facts through it (`case_facts.reading`), joined on the
    # item's own plan id, not through the plans and the cases' wide rows.
    plan = models.OneToOneField(
        "cases.ReintegrationPlan", on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    sex = models.CharField(max_length=10)
    birth_year = models.PositiveSmallIntegerField(null=True)
    attention_mask = models.IntegerField()
    municipality = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
