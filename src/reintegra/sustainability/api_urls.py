"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import path  # noqa: F401
from rest_framework.routers import SimpleRouter

router = SimpleRouter()

urlpatterns: list = [*router.urls]
