from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reintegra.reminders"
    label = "reminders"
    verbose_name = _("Reminders")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reintegra.reminders.selectors import unread_count
        from reintegra.web import navigation

        navigation.register(
            navigation.NavItem("reminders", _("Reminders"), "reminders:list", order=90, badge=unread_count)
        )
