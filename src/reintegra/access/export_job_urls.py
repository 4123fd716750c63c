"""The user's background exports (namespace "exports"), mounted at /exportaciones/ by reintegra.urls."""

from django.urls import path

from reintegra.access import export_job_views

app_name = "exports"

urlpatterns = [
    path("", export_job_views.export_list, name="list"),
    path("<int:pk>/descargar/", export_job_views.export_download, name="download"),
]
