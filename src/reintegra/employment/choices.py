"""Every choices class of the employment app (docs/employment.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class EducationLevel(models.TextChoices):
    """ISCED 2011 levels (UNESCO), the highest completed."""

    ISCED_0 = "0", _("Early childhood education or none (ISCED 0)")
    ISCED_1 = "1", _("Primary education (ISCED 1)")
    ISCED_2 = "2", _("Lower secondary education (ISCED 2)")
    ISCED_3 = "3", _("Upper secondary education (ISCED 3)")
    ISCED_4 = "4", _("Post-secondary non-tertiary education (ISCED 4)")
    ISCED_5 = "5", _("Short-cycle tertiary education (ISCED 5)")
    ISCED_6 = "6", _("Bachelor's or equivalent (ISCED 6)")
    ISCED_7 = "7", _("Master's or equivalent (ISCED 7)")
    ISCED_8 = "8", _("Doctoral or equivalent (ISCED 8)")


class CefrLevel(models.TextChoices):
    """Common European Framework of Reference for Languages; "native" for a mother tongue."""

    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"
    NATIVE = "native", _("Mother tongue")


class JobLanguage(models.TextChoices):
    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")
    FRENCH = "fr", _("French")
    PORTUGUESE = "pt", _("Portuguese")
    KICHE = "quc", _("K'iche'")
    QEQCHI = "kek", _("Q'eqchi'")
    MAM = "mam", _("Mam")
    GARIFUNA = "cab", _("Garifuna")
    OTHER = "other", _("Other language")


class SkillEvidence(models.TextChoices):
    """How a skill is known: the person says so, a practical assessment, or a certificate."""

    SELF_DECLARED = "self_declared", _("Self-declared")
    ASSESSED = "assessed", pgettext_lazy("skill evidence", "Assessed")
    CERTIFIED = "certified", _("Certified")


class CertificationIssuer(models.TextChoices):
    """National skills-certification bodies of the region (the CRM 2022 report, docs/domain.md §1)."""

    CONOCER = "conocer", _("CONOCER (Mexico)")
    INTECAP = "intecap", _("INTECAP (Guatemala)")
    INFOP = "infop", _("INFOP (Honduras)")
    INSAFORP = "insaforp", _("INSAFORP (El Salvador)")
    FOREIGN = "foreign", _("Issued abroad")
    OTHER = "other", _("Other issuer")


class TravelReach(models.TextChoices):
    """How far the person can travel to work."""

    MUNICIPALITY = "municipality", _("Own municipality only")
    ADMIN1 = "admin1", _("Anywhere in the department or state")
    COUNTRY = "country", _("Anywhere in the country")


class Availability(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    WITHIN_MONTH = "within_month", _("Within a month")
    LATER = "later", _("In more than a month")
    NOT_AVAILABLE = "not_available", _("Not available now")


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    FIXED_TERM = "fixed_term", _("Fixed term")
    SEASONAL = "seasonal", _("Seasonal")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
    PART_TIME = "part_time", _("Part time")


class Incentive(models.TextChoices):
    """Private-sector incentives (docs/domain-structural.md, private sector, Cuadro 4.2)."""

    NONE = "none", _("No incentive")
    WAGE_COFINANCING = "wage_cofinancing", _("Wage co-financing")
    APPRENTICESHIP_COPAYMENT = "apprenticeship_copayment", _("Apprenticeship co-payment")


class VacancyStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    CLOSED = "closed", pgettext_lazy("vacancy status", "Closed")


class PlacementStatus(models.TextChoices):
    SHORTLISTED = "shortlisted", _("Shortlisted")
    INTERVIEW = "interview", _("Interview")
    HIRED = "hired", _("Hired")
    NOT_HIRED = "not_hired", _("Not hired")


class NotHiredReason(models.TextChoices):
    SKILLS = "skills", _("Skills did not match")
    DOCUMENTS = "documents", _("Missing documents")
    WAGE = "wage", _("Wage not agreed")
    DISTANCE = "distance", _("Too far to travel")
    DECLINED = "declined", _("The candidate declined")
    NO_SHOW = "no_show", _("The candidate did not attend")
    POSITION_FILLED = "position_filled", _("Position filled by someone else")
    OTHER = "other", _("Other reason")


class RetentionOutcome(models.TextChoices):
    EMPLOYED = "employed", _("Still employed with the employer")
    EMPLOYED_ELSEWHERE = "employed_elsewhere", _("Employed elsewhere")
    LEFT = "left", _("No longer employed")
    UNREACHABLE = "unreachable", _("Could not be reached")
