"""Pages of the web UI under /sostenibilidad/."""

from django.urls import path

from reintegra.sustainability import instrument_views, programme_views, views

app_name = "sustainability"

urlpatterns = [
    path("", views.home, name="home"),
    path("caso/<int:pk>/", views.case_rounds, name="case-rounds"),
    path("caso/<int:pk>/nueva-ronda/", views.round_new, name="round-new"),
    path("ronda/<int:pk>/", views.round_detail, name="round"),
    path("ronda/<int:pk>/recalcular/", views.round_rescore, name="round-rescore"),
    path("pendientes/", views.due, name="due"),
    path("rondas/exportar/", views.export_rounds, name="export-rounds"),
    path("instrumentos/", instrument_views.instruments, name="instruments"),
    path("instrumentos/cargar/", instrument_views.instrument_upload, name="instrument-upload"),
    path("instrumentos/<int:pk>/", instrument_views.instrument_detail, name="instrument"),
    path("versiones/<int:pk>/xlsform/", instrument_views.version_xlsform, name="version-xlsform"),
    path("versiones/<int:pk>/definicion/", instrument_views.version_definition, name="version-definition"),
    path("versiones/<int:pk>/publicar/", instrument_views.version_publish, name="version-publish"),
    path("versiones/<int:pk>/editar/", instrument_views.version_edit, name="version-edit"),
    path("versiones/<int:pk>/envios/", instrument_views.version_submissions, name="version-submissions"),
    path("cuadricula/", programme_views.grid, name="grid"),
    path("cuadricula/nueva/", programme_views.grid_edit, name="grid-new"),
    path("cuadricula/<int:pk>/editar/", programme_views.grid_edit, name="grid-edit"),
    path("cuadricula/<int:pk>/eliminar/", programme_views.grid_delete, name="grid-delete"),
    path("cuadricula/importar/", programme_views.grid_import, name="grid-import"),
    path("distribucion/", programme_views.distribution, name="distribution"),
]
