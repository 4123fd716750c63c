"""`/api/v1/`: token endpoint and the individual case resources."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from reintegra.access.account_api import TokenDetailView, TokenListView
from reintegra.access.api import AuditTrailView
from reintegra.api.auth import ObtainTokenView
from reintegra.cases.api import CaseViewSet, ReturneeViewSet

app_name = "api"

router = SimpleRouter()
router.register("returnees", ReturneeViewSet, basename="returnee")
router.register("cases", CaseViewSet, basename="case")

urlpatterns = [
    path("auth/token/", ObtainTokenView.as_view(), name="token"),
    path("auth/tokens/", TokenListView.as_view(), name="auth-token-list"),
    path("auth/tokens/<int:pk>/", TokenDetailView.as_view(), name="auth-token-detail"),
    *router.urls,
    # Data protection: consent ledger, shares, M&E data (reintegra.protection.api), the audit trail.
    path("", include("reintegra.protection.api_urls")),
    path("audit/", AuditTrailView.as_view(), name="audit"),
    # Each app's own API routes (same "api" namespace).
    path("", include("reintegra.access.programme_api_urls")),
    path("", include("reintegra.reminders.api_urls")),
    path("", include("reintegra.sustainability.api_urls")),
    path("", include("reintegra.referrals.api_urls")),
    path("", include("reintegra.structural.api_urls")),
    path("", include("reintegra.regional.api_urls")),
]
