"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reintegra.sustainability.api import CaseRoundsView, InstrumentViewSet

router = SimpleRouter()
router.register("instruments", InstrumentViewSet, basename="instrument")

urlpatterns: list[URLPattern | URLResolver] = [
    *router.urls,
    path("cases/<int:pk>/sustainability/", CaseRoundsView.as_view(), name="case-sustainability"),
]
