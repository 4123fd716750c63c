"""API routes of data protection, included by `reintegra.api.urls` under `/api/v1/` (namespace "api")."""

from django.urls import path

from reintegra.protection.api import (
    CaseSharesView,
    ConsentWithdrawView,
    ReturneeConsentsView,
    ShareRevokeView,
)

urlpatterns = [
    path("returnees/<int:pk>/consents/", ReturneeConsentsView.as_view(), name="returnee-consents"),
    path("consents/<int:pk>/withdraw/", ConsentWithdrawView.as_view(), name="consent-withdraw"),
    path("cases/<int:pk>/shares/", CaseSharesView.as_view(), name="case-shares"),
    path("shares/<int:pk>/revoke/", ShareRevokeView.as_view(), name="share-revoke"),
]
