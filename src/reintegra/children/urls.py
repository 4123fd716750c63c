"""Pages of the web UI under /ninez/."""

from django.urls import URLPattern, URLResolver, path

from reintegra.children import dashboard_views, plan_views, settings_views, tracing_views, views

app_name = "children"

urlpatterns: list[URLPattern | URLResolver] = [
    # core
    path("casos/<int:pk>/", views.case, name="case"),
    path("casos/<int:pk>/perfil/", views.profile_edit, name="profile"),
    path("casos/<int:pk>/eis/nueva/", views.assessment_new, name="assessment-new"),
    path("casos/<int:pk>/eis/<int:bia_id>/", views.assessment_detail, name="assessment"),
    path("casos/<int:pk>/eis/<int:bia_id>/editar/", views.assessment_edit, name="assessment-edit"),
    path("casos/<int:pk>/eis/<int:bia_id>/aprobar/", views.assessment_approve, name="assessment-approve"),
    path("casos/<int:pk>/eis/<int:bia_id>/devolver/", views.assessment_return, name="assessment-return"),
    path("casos/<int:pk>/dis/", views.determination, name="determination"),
    path("casos/<int:pk>/participacion/", views.participation_new, name="participation"),
    path("casos/<int:pk>/nna/", views.child_case_new, name="child-case-new"),
    path("supervision/", views.queue, name="queue"),
    # end core
    # child plan
    path("casos/<int:pk>/plan-nna/", plan_views.child_plan, name="child-plan"),
    path("casos/<int:pk>/seguimiento-nna/nuevo/", plan_views.follow_up_new, name="child-follow-up-new"),
    path("casos/<int:pk>/cierre-nna/", plan_views.closure_checklist, name="closure-checklist"),
    # end child plan
]

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

# the child-protection dashboard
urlpatterns += [path("panel/", dashboard_views.child_protection, name="dashboard")]
urlpatterns += [path("programas/<int:pk>/plazos/", settings_views.deadlines, name="deadlines")]
