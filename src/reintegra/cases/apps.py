from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "reintegra.cases"
    verbose_name = _("Individual reintegration cases")
