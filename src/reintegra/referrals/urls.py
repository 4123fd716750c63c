"""Pages of the web UI under /derivaciones/."""

from django.urls import path  # noqa: F401

app_name = "referrals"

urlpatterns: list = []
