"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import SimpleRouter

from reintegra.structural import api

router = SimpleRouter()
router.register("stakeholders", api.StakeholderViewSet, basename="stakeholder")
router.register("common-products", api.CommonProductViewSet, basename="common-product")
router.register("agreements", api.AgreementViewSet, basename="agreement")
router.register("capacity-assessments", api.CapacityAssessmentViewSet, basename="capacity-assessment")
router.register("capacity-plans", api.CapacityPlanViewSet, basename="capacity-plan")
router.register("coordination-mechanisms", api.CoordinationMechanismViewSet, basename="coordination-mechanism")
router.register("action-items", api.ActionItemViewSet, basename="action-item")
router.register("cooperation-frameworks", api.CooperationFrameworkViewSet, basename="cooperation-framework")
router.register("mainstreaming-processes", api.MainstreamingProcessViewSet, basename="mainstreaming-process")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
