from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructuralConfig(AppConfig):
    name = "reintegra.structural"
    label = "structural"
    verbose_name = _("Structural level")
    default_auto_field = "django.db.models.BigAutoField"
