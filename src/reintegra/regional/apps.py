from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegionalConfig(AppConfig):
    """The regional / inter-institutional catalogue of reintegration actions (DOMAIN §7)."""

    name = "reintegra.regional"
    label = "regional"
    verbose_name = _("Regional action catalogue")
    default_auto_field = "django.db.models.BigAutoField"
