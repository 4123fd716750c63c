from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "reintegra.children"
    label = "children"
    verbose_name = _("Children and families")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registrations (audit, tabs, panels, navigation, reminders, indicators, case hooks) go here.
        pass
