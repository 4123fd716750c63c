"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.community import api, perception_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("communities/", api.CommunitiesView.as_view(), name="communities"),
    path("communities/hotspots/", api.HotspotsView.as_view(), name="community-hotspots"),
    path("communities/<int:pk>/", api.CommunityView.as_view(), name="community"),
    path("communities/<int:pk>/site-checklist/", api.ChecklistView.as_view(), name="community-site-checklist"),
    path("communities/<int:pk>/sessions/", api.SessionsView.as_view(), name="community-sessions"),
    path("communities/<int:pk>/profiles/", api.ProfilesView.as_view(), name="community-profiles"),
    path("communities/<int:pk>/perception/", perception_api.PerceptionView.as_view(), name="community-perception"),
    path(
        "communities/<int:pk>/perception/submissions/",
        perception_api.PerceptionSubmissionsView.as_view(),
        name="community-perception-submissions",
    ),
    path("community-projects/", api.ProjectsView.as_view(), name="community-projects"),
    path("community-projects/<int:pk>/", api.ProjectView.as_view(), name="community-project"),
    path("community-projects/<int:pk>/status/", api.ProjectStatusView.as_view(), name="community-project-status"),
    path(
        "community-projects/<int:pk>/participants/",
        api.ParticipantsView.as_view(),
        name="community-project-participants",
    ),
    path("community-projects/<int:pk>/visits/", api.VisitsView.as_view(), name="community-project-visits"),
]
