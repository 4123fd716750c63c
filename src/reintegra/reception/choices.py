"""Controlled vocabularies of reception (docs/domain.md: the reception phase of the return)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The return type of an arrival is the one cases uses (deportation vs voluntary, assisted or not).
from reintegra.cases.choices import ReturnType as ReturnType


class PointKind(models.TextChoices):
    AIRPORT = "airport", _("Airport")
    LAND_BORDER = "land_border", _("Land border")
    BUS_TERMINAL = "bus_terminal", _("Bus terminal")
    SEAPORT = "seaport", _("Seaport")
    OTHER = "other", _("Other")


class ArrivalMeans(models.TextChoices):
    FLIGHT = "flight", _("Flight")
    BUS = "bus", _("Bus")
    ON_FOOT = "on_foot", _("On foot")
    OTHER = "other", _("Other")


class ArrivalSource(models.TextChoices):
    MANUAL = "manual", _("Recorded at the desk")
    MANIFEST = "manifest", _("Imported from a manifest")


class ProtectionFlag(models.TextChoices):
    """Flags raised at the reception desk; some of them route the person to a case (services.route_intake)."""

    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied child")
    HEALTH_EMERGENCY = "health_emergency", _("Health emergency")
    RISK_OF_VIOLENCE = "risk_of_violence", _("Risk of violence")
    WANTS_TO_RETURN = "wants_to_return_to_host_country", _("Wants to return to the host country")


class AssistanceKind(models.TextChoices):
    """The immediate assistance checklist at the reception desk."""

    FOOD = "food", _("Food")
    MEDICAL_CARE = "medical_care", _("Medical care")
    PSYCHOLOGICAL_FIRST_AID = "psychological_first_aid", _("Psychological first aid")
    PHONE_CALL = "phone_call", _("Phone call")
    HYGIENE_KIT = "hygiene_kit", _("Hygiene kit")
    CLOTHES = "clothes", _("Clothes")
    TRANSPORT = "transport", _("Transport")
    TEMPORARY_SHELTER = "temporary_shelter", _("Temporary shelter")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document issued")
