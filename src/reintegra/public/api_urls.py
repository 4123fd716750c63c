"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.public import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("public/services/", api.PublicServicesView.as_view(), name="public-services"),
    path("public/guides/", api.PublicGuidesView.as_view(), name="public-guides"),
    path("public/challenge/", api.ChallengeView.as_view(), name="public-challenge"),
    path("public/feedback/", api.PublicFeedbackView.as_view(), name="public-feedback"),
    path("public/feedback/<str:tracking_code>/", api.PublicFeedbackStatusView.as_view(), name="public-feedback-status"),
    path(
        "public/information-requests/", api.PublicInformationRequestView.as_view(), name="public-information-requests"
    ),
    path("feedback/", api.FeedbackListView.as_view(), name="feedback"),
    path("feedback/<int:pk>/", api.FeedbackItemView.as_view(), name="feedback-item"),
    path("feedback/<int:pk>/acknowledge/", api.AcknowledgeView.as_view(), name="feedback-acknowledge"),
    path("feedback/<int:pk>/notes/", api.NoteView.as_view(), name="feedback-note"),
    path("feedback/<int:pk>/respond/", api.RespondView.as_view(), name="feedback-respond"),
    path("feedback/<int:pk>/provider/", api.ProviderView.as_view(), name="feedback-provider"),
    path("feedback/<int:pk>/close-loop/", api.CloseLoopView.as_view(), name="feedback-close-loop"),
    path("cases/<int:pk>/satisfaction-surveys/", api.CaseSatisfactionView.as_view(), name="case-satisfaction-surveys"),
]
