"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.children import api, plan_api

urlpatterns: list[URLPattern | URLResolver] = [
    # core
    path("cases/<int:pk>/child-profile/", api.ChildProfileView.as_view(), name="case-child-profile"),
    path(
        "cases/<int:pk>/best-interests-assessments/",
        api.AssessmentsView.as_view(),
        name="case-best-interests-assessments",
    ),
    path(
        "cases/<int:pk>/best-interests-assessments/<int:bia_id>/",
        api.AssessmentView.as_view(),
        name="case-best-interests-assessment",
    ),
    path(
        "cases/<int:pk>/best-interests-assessments/<int:bia_id>/approve/",
        api.AssessmentApproveView.as_view(),
        name="case-best-interests-assessment-approve",
    ),
    path(
        "cases/<int:pk>/best-interests-determination/",
        api.DeterminationView.as_view(),
        name="case-best-interests-determination",
    ),
    path("cases/<int:pk>/child-participation/", api.ParticipationView.as_view(), name="case-child-participation"),
    path("cases/<int:pk>/child-cases/", api.ChildCasesView.as_view(), name="case-child-cases"),
    # end core
    # child plan
    path("cases/<int:pk>/child-plan/", plan_api.ChildPlanView.as_view(), name="case-child-plan"),
    path("cases/<int:pk>/child-follow-ups/", plan_api.ChildFollowUpsView.as_view(), name="case-child-follow-ups"),
    path(
        "cases/<int:pk>/child-closure-checklist/",
        plan_api.ClosureChecklistView.as_view(),
        name="case-child-closure-checklist",
    ),
    # end child plan
]
