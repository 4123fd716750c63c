"""Pages of the web UI under /recepcion/."""

from django.urls import URLPattern, URLResolver, path

from reintegra.reception import views

app_name = "reception"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.arrival_list, name="arrivals"),
    path("llegadas/nueva/", views.arrival_new, name="arrival-new"),
    path("llegadas/<int:pk>/", views.arrival_detail, name="arrival"),
    path("llegadas/<int:pk>/ingreso/", views.intake, name="intake"),
    path("ingresos/<int:pk>/", views.intake_detail, name="intake-detail"),
    path("puntos/", views.point_list, name="points"),
    path("puntos/nuevo/", views.point_edit, name="point-new"),
    path("puntos/<int:pk>/", views.point_edit, name="point-edit"),
    path("panel/", views.dashboard, name="dashboard"),
]
