"""`/api/v1/`: each app's own API routes (`<app>/api_urls.py`), all in the "api" namespace.

Only `include()`s: the routes, and the views they name, belong to the apps (docs/ARCHITECTURE.md, "URL
wiring"), so this module imports no app.
"""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("reintegra.access.api_urls")),
    path("", include("reintegra.cases.api_urls")),
    path("", include("reintegra.protection.api_urls")),
    path("", include("reintegra.reminders.api_urls")),
    path("", include("reintegra.sustainability.api_urls")),
    path("", include("reintegra.referrals.api_urls")),
    path("", include("reintegra.children.api_urls")),
    path("", include("reintegra.structural.api_urls")),
    path("", include("reintegra.reception.api_urls")),
    path("", include("reintegra.regional.api_urls")),
    path("", include("reintegra.handover.api_urls")),
    path("", include("reintegra.community.api_urls")),
    path("", include("reintegra.employment.api_urls")),
    path("", include("reintegra.monitoring.api_urls")),
    path("", include("reintegra.reception.manifest_api_urls")),
    path("", include("reintegra.public.api_urls")),
]
