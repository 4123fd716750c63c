"""`/api/v1/` routes of evaluations and learning (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from reintegra.monitoring.evaluation_api import EvaluationViewSet, LessonViewSet, RecommendationViewSet

router = SimpleRouter()
router.register("evaluations", EvaluationViewSet, basename="evaluation")
router.register("recommendations", RecommendationViewSet, basename="recommendation")
router.register("lessons", LessonViewSet, basename="lesson")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
