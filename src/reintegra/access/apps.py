from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "reintegra.access"
    verbose_name = _("Access and data protection")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from reintegra.access import audit, home, org_key, two_factor  # noqa: F401 (org_key: its receiver)
        from reintegra.access.roles import Capability
        from reintegra.web import dashboard, navigation

        audit.register_models()
        navigation.register(
            navigation.NavItem("audit", _("Audit trail"), "access:audit", frozenset({Capability.VIEW_AUDIT}), order=13)
        )
        navigation.register(
            navigation.NavItem(
                "programmes", _("Programmes"), "programmes:list", frozenset({Capability.MANAGE_PROGRAMME}), order=80
            )
        )
        navigation.register(
            navigation.NavItem("users", _("Users"), "account:users", frozenset({Capability.MANAGE_USERS}), order=85)
        )
        dashboard.register_panel("access/includes/admin_panel.html", home.admin_panel, order=1)
        user_logged_in.connect(two_factor.note_login, dispatch_uid="reintegra-two-factor-login")
        self._connect_account_signals()

    def _connect_account_signals(self) -> None:
        """Token revocation on account changes, login throttling, the user's language, the length of every
        text written (see each module)."""
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.db.models.signals import post_delete, post_save, pre_save

        from reintegra.access import accounts, api_tokens, text_limits, throttle
        from reintegra.access.models import RoleAssignment, RoleSecurityPolicy, User

        pre_save.connect(api_tokens.remember_account_state, sender=User, dispatch_uid="reintegra-tokens-user-pre")
        post_save.connect(api_tokens.revoke_on_account_change, sender=User, dispatch_uid="reintegra-tokens-user")
        post_delete.connect(
            api_tokens.revoke_on_role_removed, sender=RoleAssignment, dispatch_uid="reintegra-tokens-role-del"
        )
        post_save.connect(
            api_tokens.revoke_on_role_added, sender=RoleAssignment, dispatch_uid="reintegra-tokens-role-add"
        )
        post_save.connect(
            api_tokens.revoke_on_policy, sender=RoleSecurityPolicy, dispatch_uid="reintegra-tokens-policy"
        )
        pre_save.connect(text_limits.refuse_too_long, dispatch_uid="reintegra-text-limits")
        user_login_failed.connect(throttle.on_login_failed, dispatch_uid="reintegra-throttle-failed")
        user_logged_in.connect(throttle.on_logged_in, dispatch_uid="reintegra-throttle-success")
        user_logged_in.connect(accounts.note_language, dispatch_uid="reintegra-user-language")
