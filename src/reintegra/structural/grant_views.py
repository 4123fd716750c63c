"""Pages of the write grants: the access an organisation's programme managers give coordination bodies to
change its structural records or regional actions (services.grant_write / revoke_grant)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.structural import forms, selectors, services
from reintegra.structural.views import StructuralView
from reintegra.web.forms import apply_service_errors


class GrantsView(StructuralView):
    """The write access the user's organisation gave coordination bodies (and received); its programme
    managers give and revoke it here."""

    def _render(
        self, request: AuthenticatedHttpRequest, form: forms.GrantForm | None, status: int = 200
    ) -> HttpResponse:
        grants = selectors.grants_for(request.user)
        organisation_id = request.user.organisation_id
        context = {
            "nav": "structural",
            "given": [g for g in grants if g.organisation_id == organisation_id],
            "received": [g for g in grants if g.grantee_id == organisation_id],
            "form": form,
            "can_manage": form is not None,
            "has_errors": form is not None and form.is_bound and bool(form.errors),
        }
        return render(request, "structural/grants.html", context, status=status)

    def get(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        can_manage = services.can_manage_grants(request.user)
        return self._render(request, forms.GrantForm(user=request.user) if can_manage else None)

    def post(self, request: AuthenticatedHttpRequest) -> HttpResponse:
        if not services.can_manage_grants(request.user):
            raise permissions.denied()
        form = forms.GrantForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.grant_write(request.user, data["grantee"], data["scope"], data.get("programme"))
            except ValidationError as error:
                apply_service_errors(error, form)
            else:
                messages.success(
                    request, _("Write access given to %(organisation)s.") % {"organisation": data["grantee"]}
                )
                return redirect("structural:grants")
        return self._render(request, form, status=400)


class GrantRevokeView(StructuralView):
    def post(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        if not services.can_manage_grants(request.user):
            raise permissions.denied()
        grant = selectors.own_grant(request.user, pk)
        if grant is None:
            raise Http404
        services.revoke_grant(request.user, grant)
        messages.success(request, _("Write access of %(organisation)s revoked.") % {"organisation": grant.grantee})
        return redirect("structural:grants")
