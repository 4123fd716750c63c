"""Communities (a municipality of the gazetteer, or a named locality inside one), their favourable-site
checklist and the participatory sessions of their assessment.

No personal data of non-migrant residents lives here: participants of a session are counts by group, sex
and age band. A session's reported tensions may name people, so that text is encrypted at rest.

Community projects serve communities; their returnee participants are links to cases (the case holds the
person, never copied here), their non-migrant participants are counts with sex, age band and role (no
names). Community profiles are dated versions, the newest being the community's current profile."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reintegra.access.fields import EncryptedJSONField, EncryptedTextField
from reintegra.access.versioning import Versioned
from reintegra.community.choices import (
    AgeBand,
    ParticipantGroup,
    ParticipantKind,
    ParticipantRole,
    ParticipantSex,
    ProjectApproach,
    ProjectResult,
    ProjectStatus,
    SessionKind,
    SiteCriterion,
)
from reintegra.web.dates import local_date


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
        return f"{self.get_kind_display()} {local_date(self.held_on)}"

    def total(self, group: str = "") -> int:
        return sum(n for key, n in (self.participants or {}).items() if not group or key.startswith(f"{group}:"))

    @property
    def returnee_total(self) -> int:
        return self.total("returnee")

    @property
    def resident_total(self) -> int:
        return self.total("non_migrant")


class CommunityProfile(models.Model):
    """One dated version of a community's profile: the Handbook's six sections, each rated 0 (no concern /
    absent) to 3 with its evidence and sources. A new profile is a new version; the older ones are history."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="profiles", verbose_name=_("community")
    )
    number = models.PositiveIntegerField(_("version"))
    as_of = models.DateField(_("date"))
    # {"needs": {"rating": 2, "evidence": "...", "sources": "..."}, ...} (services.save_profile checks it).
    sections = models.JSONField(_("sections"), default=dict)
    summary = models.TextField(_("summary"), blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("community profile")
        verbose_name_plural = _("community profiles")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["community", "number"], name="community_profile_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.community} v{self.number} ({local_date(self.as_of)})"


class CommunityProject(Versioned):
    """A community project of the organisation: its approach, dimensions and activities, the communities it
    serves (all of one country), partners from the stakeholder registry, budget and spending by line,
    milestones, risks, outcomes, and its lifecycle (planned → active → closed with a closing assessment).
    Budget lines and milestones are rows of the project (their changes move the project's version)."""

    organisation = models.ForeignKey(
        "access.Organisation",
        on_delete=models.PROTECT,
        related_name="community_projects",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200)
    approach = models.CharField(_("approach"), max_length=24, choices=ProjectApproach.choices)
    dimensions = models.JSONField(_("dimensions"), default=list)
    activities = models.JSONField(_("activities"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    country = models.CharField(_("country"), max_length=2, editable=False)
    communities = models.ManyToManyField(Community, related_name="projects", verbose_name=_("communities served"))
    partners = models.ManyToManyField(
        "structural.Stakeholder", blank=True, related_name="community_projects", verbose_name=_("partners")
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    ends_on = models.DateField(_("planned end"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="")
    # [{"line": "Materiales", "budget": "1200.00", "spent": "300.00"}] (amounts as strings of decimals)
    budget_lines = models.JSONField(_("budget lines"), default=list, blank=True)
    # [{"title": "...", "due_on": "2026-05-01", "status": "pending"}]
    milestones = models.JSONField(_("milestones"), default=list, blank=True)
    risks = models.TextField(_("risks"), blank=True, default="")
    outcomes = models.TextField(_("outcomes"), blank=True, default="")
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=ProjectResult.choices, blank=True, default="")
    closing_assessment = models.TextField(_("closing assessment"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("community project")
        verbose_name_plural = _("community projects")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class ProjectParticipant(models.Model):
    """A returnee taking part (a link to their case, and optionally to the plan item that says so) or
    non-migrant residents: a count with sex, age band and role, never a name."""

    project = models.ForeignKey(
        CommunityProject, on_delete=models.CASCADE, related_name="participants", verbose_name=_("project")
    )
    kind = models.CharField(_("participant"), max_length=12, choices=ParticipantKind.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    plan_item = models.ForeignKey(
        "cases.PlanItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("plan item"),
    )
    sex = models.CharField(_("sex"), max_length=8, choices=ParticipantSex.choices, blank=True, default="")
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices, blank=True, default="")
    role = models.CharField(_("role"), max_length=12, choices=ParticipantRole.choices, default=ParticipantRole.MEMBER)
    count = models.PositiveIntegerField(_("number of people"), default=1)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("added by")
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project participant")
        verbose_name_plural = _("project participants")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "case"], condition=Q(case__isnull=False), name="project_participant_case_once"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ParticipantKind.RETURNEE, case__isnull=False, count=1))
                | Q(kind=ParticipantKind.NON_MIGRANT, case__isnull=True, plan_item__isnull=True, count__gte=1),
                name="project_participant_kind_shape",
            ),
        ]


class ProjectVisit(models.Model):
    """A follow-up visit of a community project."""

    project = models.ForeignKey(
        CommunityProject, on_delete=models.CASCADE, related_name="visits", verbose_name=_("project")
    )
    visited_on = models.DateField(_("date"))
    findings = EncryptedTextField(_("findings"), max_length=4000)  # may name people
    next_steps = models.TextField(_("next steps"), blank=True, default="")
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("visited by")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("project follow-up visit")
        verbose_name_plural = _("project follow-up visits")
        ordering = ["-visited_on", "-id"]


class Boundary(models.Model):
    """The outline of a gazetteer area, loaded from a GeoJSON file (`reintegra load-boundaries`) for the hotspot
    map. Public geography, not an organisation's record: shared by every organisation; loading again replaces it."""

    area = models.OneToOneField(
        "places.AdminArea", on_delete=models.CASCADE, related_name="boundary", verbose_name=_("area")
    )
    # [[ring, hole...], ...] of [longitude, latitude], simplified (community/boundaries_core.simplify).
    polygons = models.JSONField(_("shape"))
    source = models.CharField(_("source"), max_length=200, blank=True, default="")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("area boundary")
        verbose_name_plural = _("area boundaries")
        ordering = ["area"]


class PerceptionResponse(models.Model):
    """One anonymous answer to the community perception survey (a community instrument of the engine,
    `sustainability.InstrumentVersion` with subject "community"): no name, no case; the respondent is only a
    group (returnee / non-migrant resident), a sex and an age band, kept as clear columns so that results are
    counted and suppressed by them. The answers (a free-text need may name someone) are encrypted; the scores
    the engine computed from them are stored beside them. Recorded, never edited (like a survey round)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="perception_responses", verbose_name=_("community")
    )
    # A household survey session the response was collected in (optional).
    session = models.ForeignKey(
        ParticipatorySession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="perception_responses",
        verbose_name=_("participatory session"),
    )
    version = models.ForeignKey(
        "sustainability.InstrumentVersion",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instrument version"),
    )
    taken_on = models.DateField(_("date"))
    group = models.CharField(_("respondent"), max_length=12, choices=ParticipantGroup.choices)
    sex = models.CharField(_("sex"), max_length=8, choices=ParticipantSex.choices)
    age_band = models.CharField(_("age band"), max_length=8, choices=AgeBand.choices)
    answers: models.Field[dict[str, Any], dict[str, Any]] = EncryptedJSONField(_("answers"))
    economic = models.FloatField(_("economic"), null=True, blank=True)
    social = models.FloatField(_("social"), null=True, blank=True)
    psychosocial = models.FloatField(_("psychosocial"), null=True, blank=True)
    composite = models.FloatField(_("composite"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("recorded by")
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The instance id of an ODK / Kobo submission it was imported from (empty when answered on the web or the
    # API): importing the same export again skips it.
    submission_key = models.CharField(max_length=120, blank=True, default="")

    class Meta:
        verbose_name = _("community perception response")
        verbose_name_plural = _("community perception responses")
        ordering = ["-taken_on", "-id"]
        indexes = [models.Index(fields=["community", "version"], name="perception_community_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "submission_key"],
                condition=~Q(submission_key=""),
                name="perception_submission_once",
            )
        ]


class ReturnTally(models.Model):
    """The case returns the hotspots count, kept per organisation, municipality of return and day
    (`community.return_tally`): returns, and how many of them were repeat returns (the person had an earlier
    case). Counts only, no person; kept in the transaction of every write of a case or of a returnee's
    municipality, rebuilt from the records by `reintegra rebuild-return-tally`."""

    organisation = models.ForeignKey("access.Organisation", on_delete=models.CASCADE, related_name="+")
    municipality = models.ForeignKey("places.AdminArea", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    returns = models.PositiveIntegerField(default=0)
    repeats = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "municipality", "day"], name="return_tally_one_row"),
        ]
        indexes = [models.Index(fields=["day", "organisation"], name="return_tally_day")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.municipality_id}/{self.day}: {self.returns}"


class _ScoreSums(models.Model):
    """What the hotspots' weakest dimension sums (`community.score_tally`): signed, so that the rows of the days
    after a date add up to each person's latest current RSS scores among their cases returned after it. Scores
    are kept in millionths (integers: increments never drift)."""

    organisation = models.ForeignKey(  # empty: across organisations (the all-organisations reader)
        "access.Organisation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    municipality = models.ForeignKey("places.AdminArea", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    people = models.IntegerField(default=0)
    economic_sum = models.BigIntegerField(default=0)
    economic_n = models.IntegerField(default=0)
    social_sum = models.BigIntegerField(default=0)
    social_n = models.IntegerField(default=0)
    psychosocial_sum = models.BigIntegerField(default=0)
    psychosocial_n = models.IntegerField(default=0)

    class Meta:
        abstract = True


class ScoreLedger(_ScoreSums):
    """One person's rows of the score tally as last applied (a refresh replaces them and adds the difference to
    `ScoreTally`): what makes every refresh idempotent, however many writes of one person a delete cascades."""

    returnee = models.ForeignKey("cases.Returnee", on_delete=models.CASCADE, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["returnee"], name="score_ledger_person")]

    def __str__(self) -> str:
        return f"{self.returnee_id}/{self.organisation_id}/{self.day}"


class ScoreTally(_ScoreSums):
    """The score ledger summed per scope (organisation, or across organisations), municipality and day; the
    hotspot table sums its rows after a date. Counts and sums only, no person."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "municipality", "day"],
                condition=models.Q(organisation__isnull=False),
                name="score_tally_one_row",
            ),
            models.UniqueConstraint(
                fields=["municipality", "day"],
                condition=models.Q(organisation__isnull=True),
                name="score_tally_one_row_across",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "day"], name="score_tally_day")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.municipality_id}/{self.day}: {self.people}"
