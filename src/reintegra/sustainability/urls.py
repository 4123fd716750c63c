"""Pages of the web UI under /sostenibilidad/."""

from django.urls import path  # noqa: F401

app_name = "sustainability"

urlpatterns: list = []
