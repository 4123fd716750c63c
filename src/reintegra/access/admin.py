"""Django admin for the platform's own set-up: organisations, teams, users and their roles.

Nothing holding personal data of returnees is registered here (see cases/admin.py), and neither is the
audit trail: the admin bypasses the access layer. The consent ledger and the access trail are read
through the application (selectors), where scoping applies.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reintegra.access import api_tokens, versioning
from reintegra.access.models import ApiToken, Organisation, RoleAssignment, RoleSecurityPolicy, Team, TOTPDevice, User

# The hidden version field of the change forms (a fieldset line of its own: rendered hidden, no label).
VERSION_FIELDSET: Any = (None, {"fields": ("revision",)})


class VersionCheckForm(forms.ModelForm[Any]):
    """Change forms of versioned records carry the version they were opened at; saving over a change made
    meanwhile by someone else is refused, naming what differs (access.versioning).

    The admin validates and saves in one transaction, so the row locked here stays locked until saved."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["revision"].initial = self.instance.revision

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.instance.pk is None:
            return data
        current = type(self.instance)._default_manager.select_for_update().filter(pk=self.instance.pk).first()
        expected = (data or {}).get("revision")
        try:
            versioning.check(current, -1 if expected is None else expected)
        except versioning.StaleVersion as stale:
            self._stale(stale)
        return data

    def _stale(self, stale: versioning.StaleVersion) -> None:
        from reintegra.web.versioning import form_differences

        stored = model_to_dict(stale.current) if stale.current is not None else {}
        details = [
            gettext("%(field)s: stored now %(theirs)s, yours %(mine)s")
            % {"field": d.label, "theirs": "; ".join(d.theirs), "mine": "; ".join(d.mine)}
            for d in form_differences(self, stored)
        ]
        # Saving again applies what is on the form on top of the current version.
        if isinstance(self.data, QueryDict):
            data = self.data.copy()
            data[self.add_prefix("revision")] = str(stale.current_version)
            self.data = data
        raise ValidationError([str(stale.message), *details], code=versioning.STALE)


class VersionedAdmin(admin.ModelAdmin[Any]):
    form = VersionCheckForm
    exclude = ["revision"]  # the model field: the form's own hidden field carries it


@admin.register(Organisation)
class OrganisationAdmin(VersionedAdmin):
    list_display = ["code", "name", "country", "retention_months", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(Team)
class TeamAdmin(VersionedAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__code", "organisation__name"]
    list_select_related = ["organisation"]


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    extra = 1
    verbose_name = _("role")
    verbose_name_plural = _("roles")


def _check_team(form: forms.ModelForm[User], data: dict[str, Any] | None) -> None:
    data = data or {}
    team, organisation = data.get("team"), data.get("organisation")
    if team is not None and (organisation is None or team.organisation_id != organisation.pk):
        form.add_error("team", ValidationError(_("The team must belong to the user's organisation.")))


class UserAdminChangeForm(VersionCheckForm, UserChangeForm[User]):
    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        _check_team(self, data)
        return data


class UserAdminCreationForm(AdminUserCreationForm[User]):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "organisation", "team", "is_mental_health_professional")

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        _check_team(self, data)
        return data


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserAdminChangeForm
    exclude = ["revision"]
    add_form = UserAdminCreationForm
    inlines = [RoleAssignmentInline]
    list_display = ["username", "first_name", "last_name", "organisation", "team", "is_active", "is_staff"]
    list_filter = ["organisation", "is_active", "is_staff", "is_mental_health_professional", "role_assignments__role"]
    list_select_related = ["organisation", "team"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Organisation"), {"fields": ("organisation", "team", "is_mental_health_professional", "language")}),
        VERSION_FIELDSET,
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Organisation"), {"fields": ("organisation", "team", "is_mental_health_professional")}),
    )


@admin.register(RoleSecurityPolicy)
class RoleSecurityPolicyAdmin(admin.ModelAdmin[RoleSecurityPolicy]):
    """Per role: whether its users must use two-factor authentication (see access/two_factor.py)."""

    list_display = ["role", "require_two_factor"]
    list_editable = ["require_two_factor"]
    list_filter = ["require_two_factor"]


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin[TOTPDevice]):
    """Users' authenticator apps: an administrator can see who has one and remove a lost one (the user then
    sets up a new app). The secret is never shown or edited here; apps are set up by their user."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Who holds which API token, to revoke one (delete). Never the token nor its digest: tokens are created
    by their owner (Your account, API tokens; or POST /api/v1/auth/token/), not here."""

    list_display = ["name", "user", "hint", "created", "expiry", "last_used_at", "second_factor"]
    list_filter = ["second_factor"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username"]
    fields = ["name", "user", "hint", "created", "expiry", "last_used_at", "second_factor"]
    readonly_fields = ["name", "user", "hint", "created", "expiry", "last_used_at", "second_factor"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: Any, obj: ApiToken) -> None:
        api_tokens.revoke(obj.user, obj.pk, channel="admin", actor=request.user)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for token in queryset.select_related("user"):
            api_tokens.revoke(token.user, token.pk, channel="admin", actor=request.user)
