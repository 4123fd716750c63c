"""Pages of the web UI under /ninez/."""

from django.urls import URLPattern, URLResolver, path

from reintegra.children import tracing_views

app_name = "children"

urlpatterns: list[URLPattern | URLResolver] = []

# tracing
TRACING = "casos/<int:case_pk>/localizacion/"
urlpatterns += [
    path(TRACING, tracing_views.tracing, name="tracing"),
    path(f"{TRACING}solicitudes/nueva/", tracing_views.request_new, name="tracing-request-new"),
    path(f"{TRACING}solicitudes/<int:pk>/", tracing_views.request_detail, name="tracing-request"),
    path(f"{TRACING}solicitudes/<int:pk>/cerrar/", tracing_views.request_close, name="tracing-request-close"),
    path(f"{TRACING}solicitudes/<int:pk>/coincidencias/", tracing_views.request_matches, name="tracing-matches"),
    path(f"{TRACING}acciones/nueva/", tracing_views.action_new, name="tracing-action-new"),
    path(f"{TRACING}familiares/nuevo/", tracing_views.found_new, name="tracing-found-new"),
    path(f"{TRACING}reunificacion/", tracing_views.reunification, name="reunification"),
    path(f"{TRACING}seguimientos/<int:pk>/", tracing_views.follow_up, name="reunification-follow-up"),
]
# end tracing
