"""Vocabularies of monitoring and evaluation (docs/domain-monitoring.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class NodeKind(models.TextChoices):
    """The rungs of a results tree, from the top."""

    IMPACT = "impact", _("Impact")
    OUTCOME = "outcome", _("Outcome")
    OUTPUT = "output", _("Output")
    ACTIVITY = "activity", _("Activity")


# Which kind a child node of each kind may be.
CHILD_KIND = {
    NodeKind.IMPACT: NodeKind.OUTCOME,
    NodeKind.OUTCOME: NodeKind.OUTPUT,
    NodeKind.OUTPUT: NodeKind.ACTIVITY,
}


class ApproachLevel(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


class ResultDimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic")
    SOCIAL = "social", _("Social")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial")
    CROSS_CUTTING = "cross_cutting", _("Cross-cutting")


class Measure(models.TextChoices):
    COUNT = "count", _("Count")
    SUM = "sum", _("Total of a number")  # e.g. people trained, from each training's number of participants
    PERCENTAGE = "percentage", _("Percentage")
    MEAN = "mean", _("Mean")
    MEDIAN = "median", _("Median")
    RATIO = "ratio", _("Ratio")
    QUALITATIVE = "qualitative", _("Qualitative")


class Unit(models.TextChoices):
    """The standard library's units, shown in the reader's language; a programme may write any other unit."""

    PCT_CASES = "pct_cases", _("% of cases")
    PCT_CLOSED_CASES = "pct_closed_cases", _("% of closed cases")
    PCT_PEOPLE = "pct_people", _("% of people")
    PCT_REFERRALS = "pct_referrals", _("% of referrals")
    AGREEMENTS = "agreements", _("agreements")
    ARRIVALS = "arrivals", _("arrivals")
    CASES = "cases", _("cases")
    SCORE_POINTS = "score_points", _("composite score points (0–1)")
    DAYS = "days", _("days")
    FEEDBACK_ITEMS = "feedback_items", _("feedback items")
    PCT_FEEDBACK = "pct_feedback", _("% of feedback items")
    PCT_HANDOVERS = "pct_handovers", _("% of hand-overs")
    SATISFACTION_POINTS = "satisfaction_points", _("satisfaction score points (0–100)")
    PARTICIPANTS = "participants", _("participants")
    PEOPLE = "people", _("people")
    PLAN_ITEMS = "plan_items", _("plan items")
    PROJECTS = "projects", _("projects")
    REFERRALS = "referrals", _("referrals")
    STAKEHOLDERS = "stakeholders", _("stakeholders")
    VISITS = "visits", _("visits")
    VISITS_PER_CASE = "visits_per_case", _("visits per case")


def unit_label(unit: str) -> str:
    """A unit as the reader reads it: a standard unit translated, any other as written."""
    return str(dict(Unit.choices).get(unit, unit))


def unit_code(text: str) -> str:
    """What a form stores for a unit typed or picked: a standard unit's code when the text is its name in one
    of the platform's languages, else the text as written."""
    from django.utils import translation

    wanted = " ".join(text.split()).casefold()
    for language in ("es", "en", "fr"):
        with translation.override(language):
            for code, label in Unit.choices:
                if str(label).casefold() == wanted:
                    return str(code)
    return " ".join(text.split())


class Direction(models.TextChoices):
    INCREASE = "increase", _("Increase")
    DECREASE = "decrease", _("Decrease")
    MAINTAIN = "maintain", _("Maintain")


class TimeAggregation(models.TextChoices):
    """How a period's value is counted, and so how the life-of-programme actual is."""

    PER_PERIOD = "per_period", _("Per period")
    CUMULATIVE = "cumulative", _("Cumulative (distinct over the life of the programme)")
    LATEST = "latest", _("Latest value")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    BIANNUAL = "biannual", _("Every six months")
    YEARLY = "yearly", _("Yearly")
    AD_HOC = "ad_hoc", _("When available")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Submitted")


class EvaluationType(models.TextChoices):
    BASELINE = "baseline", _("Baseline")
    MID_TERM = "mid_term", _("Mid-term")
    FINAL = "final", _("Final")
    THEMATIC = "thematic", _("Thematic")
    REAL_TIME = "real_time", _("Real-time")


class DacCriterion(models.TextChoices):
    """OECD-DAC evaluation criteria (2019)."""

    RELEVANCE = "relevance", _("Relevance")
    COHERENCE = "coherence", _("Coherence")
    EFFECTIVENESS = "effectiveness", _("Effectiveness")
    EFFICIENCY = "efficiency", _("Efficiency")
    IMPACT = "impact", _("Impact")
    SUSTAINABILITY = "sustainability", _("Sustainability")


class Rating(models.IntegerChoices):
    UNSATISFACTORY = 1, _("Unsatisfactory")
    PARTLY = 2, _("Partly satisfactory")
    SATISFACTORY = 3, _("Satisfactory")
    HIGHLY = 4, _("Highly satisfactory")


class ResponseDecision(models.TextChoices):
    PENDING = "", _("No response yet")
    ACCEPTED = "accepted", _("Accepted")
    PARTIALLY = "partially", _("Partially accepted")
    REJECTED = "rejected", _("Rejected")


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")
