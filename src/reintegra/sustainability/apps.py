from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SustainabilityConfig(AppConfig):
    name = "reintegra.sustainability"
    label = "sustainability"
    verbose_name = _("Sustainability")
    default_auto_field = "django.db.models.BigAutoField"
