"""Pages of the web UI under /comunidades/."""

from django.urls import URLPattern, URLResolver, path

from reintegra.community import views

app_name = "community"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.community_list, name="list"),
    path("nueva/", views.community_edit, name="new"),
    path("focos-de-retorno/", views.hotspots, name="hotspots"),
    path("<int:pk>/", views.community_detail, name="detail"),
    path("<int:pk>/editar/", views.community_edit, name="edit"),
    path("<int:pk>/sitio-favorable/", views.checklist_edit, name="checklist"),
    path("<int:pk>/sesiones/nueva/", views.session_edit, name="session-new"),
    path("<int:pk>/sesiones/<int:session_pk>/", views.session_edit, name="session-edit"),
]
