"""Pages of the web UI under /sostenibilidad/."""

from django.urls import path

from reintegra.sustainability import views

app_name = "sustainability"

urlpatterns = [
    path("", views.home, name="home"),
    path("caso/<int:pk>/", views.case_rounds, name="case-rounds"),
    path("caso/<int:pk>/nueva-ronda/", views.round_new, name="round-new"),
    path("ronda/<int:pk>/", views.round_detail, name="round"),
    path("ronda/<int:pk>/recalcular/", views.round_rescore, name="round-rescore"),
    path("pendientes/", views.due, name="due"),
    path("instrumentos/", views.instruments, name="instruments"),
    path("instrumentos/cargar/", views.instrument_upload, name="instrument-upload"),
    path("instrumentos/<int:pk>/", views.instrument_detail, name="instrument"),
    path("versiones/<int:pk>/xlsform/", views.version_xlsform, name="version-xlsform"),
    path("versiones/<int:pk>/definicion/", views.version_definition, name="version-definition"),
    path("versiones/<int:pk>/publicar/", views.version_publish, name="version-publish"),
    path("versiones/<int:pk>/editar/", views.version_edit, name="version-edit"),
    path("versiones/<int:pk>/envios/", views.version_submissions, name="version-submissions"),
    path("cuadricula/", views.grid, name="grid"),
    path("cuadricula/nueva/", views.grid_edit, name="grid-new"),
    path("cuadricula/<int:pk>/editar/", views.grid_edit, name="grid-edit"),
    path("cuadricula/<int:pk>/eliminar/", views.grid_delete, name="grid-delete"),
    path("cuadricula/importar/", views.grid_import, name="grid-import"),
    path("distribucion/", views.distribution, name="distribution"),
]
