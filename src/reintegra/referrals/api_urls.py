"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import SimpleRouter

from reintegra.referrals import api, export_api

router = SimpleRouter()
router.register("service-providers", api.ServiceProviderViewSet, basename="service-provider")
router.register("services", api.ServiceViewSet, basename="service")
router.register("referral-pathways", api.ReferralPathwayViewSet, basename="referral-pathway")
router.register("provider-links", api.ProviderLinkViewSet, basename="provider-link")
router.register("referrals", api.ReferralViewSet, basename="referral")

urlpatterns: list[URLPattern | URLResolver] = [
    *(
        path(f"referrals/export.{fmt}", view.as_view(), name=f"referral-export-{fmt}")
        for fmt, view in export_api.REFERRALS.items()
    ),
    *router.urls,
    path(
        "cases/<int:pk>/service-recommendations/",
        api.ServiceRecommendationsView.as_view(),
        name="case-service-recommendations",
    ),
    path("service-gaps/", api.ServiceGapsView.as_view(), name="service-gaps"),
]
