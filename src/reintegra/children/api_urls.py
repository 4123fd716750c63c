"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.children import api, plan_api, settings_api, tracing_api

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
        "cases/<int:pk>/best-interests-assessments/<int:bia_id>/return/",
        api.AssessmentReturnView.as_view(),
        name="case-best-interests-assessment-return",
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

# tracing
urlpatterns += [
    path("cases/<int:pk>/tracing-requests/", tracing_api.TracingRequestsView.as_view(), name="case-tracing-requests"),
    path(
        "cases/<int:pk>/tracing-requests/<int:request_pk>/matches/",
        tracing_api.TracingMatchesView.as_view(),
        name="case-tracing-matches",
    ),
    path(
        "cases/<int:pk>/tracing-requests/<int:request_pk>/close/",
        tracing_api.TracingRequestCloseView.as_view(),
        name="case-tracing-request-close",
    ),
    path("cases/<int:pk>/tracing-actions/", tracing_api.TracingActionsView.as_view(), name="case-tracing-actions"),
    path(
        "cases/<int:pk>/family-members-found/",
        tracing_api.FamilyMembersFoundView.as_view(),
        name="case-family-members-found",
    ),
    path(
        "cases/<int:pk>/reunification-assessment/",
        tracing_api.ReunificationAssessmentView.as_view(),
        name="case-reunification-assessment",
    ),
    path(
        "cases/<int:pk>/reunification-follow-ups/<int:follow_up_pk>/",
        tracing_api.ReunificationFollowUpView.as_view(),
        name="case-reunification-follow-up",
    ),
]
# end tracing
urlpatterns += [
    path(
        "programmes/<int:pk>/child-protection-settings/",
        settings_api.ChildProtectionSettingsView.as_view(),
        name="programme-child-protection-settings",
    ),
]
