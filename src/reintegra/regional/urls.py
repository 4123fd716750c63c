"""Pages of the web UI under /acciones-regionales/."""

from django.urls import path

from reintegra.regional import views

app_name = "regional"

urlpatterns = [
    path("", views.matrix_view, name="matrix"),
    path("acciones/", views.action_list, name="list"),
    path("acciones/nueva/", views.action_create, name="create"),
    path("acciones/importar/", views.action_import, name="import"),
    path("acciones/exportar/", views.action_export, name="export"),
    path("acciones/<int:pk>/", views.action_detail, name="detail"),
    path("acciones/<int:pk>/editar/", views.action_edit, name="edit"),
]
