"""Pages of the web UI under /estructural/."""

from django.urls import path  # noqa: F401

app_name = "structural"

urlpatterns: list = []
