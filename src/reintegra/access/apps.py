from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "reintegra.access"
    verbose_name = _("Access and data protection")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from reintegra.access import audit, two_factor

        audit.register_models()
        from django.utils.translation import gettext_lazy as _

        from reintegra.access.roles import Capability
        from reintegra.web import navigation

        navigation.register(
            navigation.NavItem(
                "programmes", _("Programmes"), "programmes:list", frozenset({Capability.MANAGE_PROGRAMME}), order=80
            )
        )
        user_logged_in.connect(two_factor.note_login, dispatch_uid="reintegra-two-factor-login")
