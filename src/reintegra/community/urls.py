"""Pages of the web UI under /comunidades/."""

from django.urls import URLPattern, URLResolver, path

from reintegra.community import perception_views, views

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
    path("<int:pk>/perfiles/nuevo/", views.profile_new, name="profile-new"),
    path("<int:pk>/percepcion/nueva/", perception_views.perception_new, name="perception-new"),
    path("<int:pk>/percepcion/xlsform/", perception_views.perception_xlsform, name="perception-xlsform"),
    path("<int:pk>/percepcion/importar/", perception_views.perception_import, name="perception-import"),
    path("perfiles/<int:pk>/", views.profile_detail, name="profile"),
    path("proyectos/", views.project_list, name="projects"),
    path("proyectos/nuevo/", views.project_edit, name="project-new"),
    path("proyectos/<int:pk>/", views.project_detail, name="project"),
    path("proyectos/<int:pk>/editar/", views.project_edit, name="project-edit"),
    path("proyectos/<int:pk>/estado/", views.project_status, name="project-status"),
    path("proyectos/<int:pk>/participantes/retornado/", views.participant_returnee, name="project-returnee"),
    path("proyectos/<int:pk>/participantes/residentes/", views.participant_residents, name="project-residents"),
    path(
        "proyectos/<int:pk>/participantes/<int:participant_pk>/quitar/",
        views.participant_remove,
        name="project-participant-remove",
    ),
    path("proyectos/<int:pk>/visitas/nueva/", views.project_visit, name="project-visit"),
]
