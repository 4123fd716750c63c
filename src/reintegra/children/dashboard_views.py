"""The child-protection dashboard under /ninez/panel/ (monitoring's readers: counts, protected)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from reintegra.access.http import AuthenticatedHttpRequest
from reintegra.children import dashboard


@login_required
@require_GET
def child_protection(request: AuthenticatedHttpRequest) -> HttpResponse:
    found = dashboard.dashboard_for(request.user, timezone.localdate())
    return render(request, "children/dashboard.html", {"dashboard": found, "nav": "child_protection"})
