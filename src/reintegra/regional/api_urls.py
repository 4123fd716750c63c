"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from reintegra.regional.api import RegionalActionViewSet

router = SimpleRouter()
router.register("regional-actions", RegionalActionViewSet, basename="regional-action")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
