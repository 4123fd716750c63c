"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from reintegra.reminders.api import ReminderViewSet

router = SimpleRouter()
router.register("reminders", ReminderViewSet, basename="reminder")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
