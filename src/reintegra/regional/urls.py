"""Pages of the web UI under /acciones-regionales/."""

from django.urls import path  # noqa: F401

app_name = "regional"

urlpatterns: list = []
