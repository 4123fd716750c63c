"""Words of manifest imports (the migration authority's lists of people arriving, imported in bulk)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ManifestField(models.TextChoices):
    """What a column of a manifest may hold (manifest_core.FIELDS uses the same codes)."""

    GIVEN_NAMES = "given_names", _("Given names")
    FIRST_FAMILY_NAME = "first_family_name", _("First family name")
    SECOND_FAMILY_NAME = "second_family_name", _("Second family name")
    FAMILY_NAMES = "family_names", _("Family names (both in one column)")
    SEX = "sex", _("Sex")
    BIRTH_DATE = "birth_date", _("Birth date")
    AGE = "age", _("Age")
    NATIONALITY = "nationality", _("Nationality")
    DOCUMENT_NUMBER = "document_number", _("Document number")
    DEPARTMENT = "department", _("Department / state of destination")
    MUNICIPALITY = "municipality", _("Municipality of destination")
    PHONE = "phone", _("Phone")
    FAMILY = "family", _("Family group (yes/no or a group number)")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Flag: unaccompanied child")
    HEALTH_EMERGENCY = "health_emergency", _("Flag: health emergency")
    RISK_OF_VIOLENCE = "risk_of_violence", _("Flag: risk of violence")
    WANTS_TO_RETURN = "wants_to_return_to_host_country", _("Flag: wants to return to the host country")
    ARRIVAL_DATE = "arrival_date", _("Arrival date")
    MEANS_NUMBER = "means_number", _("Flight or bus number")


class ManifestDateFormat(models.TextChoices):
    DAY_MONTH_YEAR = "dmy", _("Day/month/year (DD/MM/YYYY)")
    MONTH_DAY_YEAR = "mdy", _("Month/day/year (MM/DD/YYYY)")
    YEAR_MONTH_DAY = "ymd", _("Year-month-day (YYYY-MM-DD)")


class LetterM(models.TextChoices):
    """What a lone "M" in the sex column means: "Mujer" on Spanish lists, "Male" on English ones."""

    FEMALE = "female", _("M = Mujer (female)")
    MALE = "male", _("M = Male / Masculino")


class ManifestStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ReviewDecision(models.TextChoices):
    PENDING = "pending", _("To review")
    LINKED = "linked", _("Linked to the existing person")
    DISTINCT = "distinct", _("Confirmed as a different person")
