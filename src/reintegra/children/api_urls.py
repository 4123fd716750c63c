"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
