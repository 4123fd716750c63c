"""The site's own pages: login and logout (Django's auth views with the project's templates), and the home
dashboard, whose panels the apps register (`web.dashboard`). The language switch is Django's set_language
at /i18n/setlang/ (root urls)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from reintegra.web import dashboard as dashboard_panels

if TYPE_CHECKING:
    from reintegra.access.http import AuthenticatedHttpRequest


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): the header's logout button is a small form with the CSRF token."""


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everyone signs in here: a greeting, then the panels the apps registered for this user."""
    context = {"nav": "dashboard", "panels": dashboard_panels.panels(request)}
    return render(request, "web/dashboard.html", context)
