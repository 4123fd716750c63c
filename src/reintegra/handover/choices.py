"""Every choices class of the hand-over app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HandOverStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REVOKED = "revoked", _("Revoked")


class HandOverDirection(models.TextChoices):
    OUTGOING = "outgoing", _("Outgoing")
    INCOMING = "incoming", _("Incoming")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class PackageKind(models.TextChoices):
    HANDOVER = "handover", _("Hand-over")
    STATUS = "status", _("Status change")
