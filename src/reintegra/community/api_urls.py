"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.community import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("communities/", api.CommunitiesView.as_view(), name="communities"),
    path("communities/hotspots/", api.HotspotsView.as_view(), name="community-hotspots"),
    path("communities/<int:pk>/", api.CommunityView.as_view(), name="community"),
    path("communities/<int:pk>/site-checklist/", api.ChecklistView.as_view(), name="community-site-checklist"),
    path("communities/<int:pk>/sessions/", api.SessionsView.as_view(), name="community-sessions"),
]
