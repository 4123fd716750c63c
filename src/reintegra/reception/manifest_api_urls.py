"""`/api/v1/` routes of manifest imports (included by reintegra.api.urls, namespace "api")."""

from django.urls import URLPattern, URLResolver, path

from reintegra.reception import manifest_api

urlpatterns: list[URLPattern | URLResolver] = [
    path("arrivals/import/", manifest_api.ArrivalImportView.as_view(), name="arrivals-import"),
    path("tasks/<str:task_id>/", manifest_api.TaskView.as_view(), name="task"),
    path("manifest-mappings/", manifest_api.MappingsView.as_view(), name="manifest-mappings"),
    path("manifest-mappings/<int:pk>/", manifest_api.MappingView.as_view(), name="manifest-mapping"),
]
