"""Pages of the web UI under /ninez/."""

from django.urls import URLPattern, URLResolver

app_name = "children"

urlpatterns: list[URLPattern | URLResolver] = []
