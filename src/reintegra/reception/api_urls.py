"""`/api/v1/` routes of this app (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.reception import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("reception-points/", api.ReceptionPointsView.as_view(), name="reception-points"),
    path("arrivals/", api.ArrivalsView.as_view(), name="arrivals"),
    path("arrivals/<int:pk>/", api.ArrivalView.as_view(), name="arrival"),
    path("arrivals/<int:pk>/intakes/", api.ArrivalIntakesView.as_view(), name="arrival-intakes"),
    path("intakes/<int:pk>/assistance/", api.IntakeAssistanceView.as_view(), name="intake-assistance"),
    path("reception/statistics/", api.StatisticsView.as_view(), name="reception-statistics"),
]
