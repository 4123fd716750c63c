"""`/api/v1/`: token endpoint and the individual case resources."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from reintegra.api.auth import ObtainTokenView
from reintegra.cases.api import CaseViewSet, ReturneeViewSet

app_name = "api"

router = SimpleRouter()
router.register("returnees", ReturneeViewSet, basename="returnee")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    *router.urls,
]
