"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reintegra.sustainability import export_api
from reintegra.sustainability.api import CaseRoundsView, InstrumentViewSet

router = SimpleRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")

urlpatterns: list[URLPattern | URLResolver] = [
    *(
        path(f"survey-rounds/export.{fmt}", view.as_view(), name=f"survey-round-export-{fmt}")
        for fmt, view in export_api.ROUNDS.items()
    ),
    *router.urls,
    path("cases/<int:pk>/sustainability/", CaseRoundsView.as_view(), name="case-sustainability"),
]
