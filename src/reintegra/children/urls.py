"""Pages of the web UI under /ninez/."""

from django.urls import URLPattern, URLResolver, path

from reintegra.children import plan_views, views

app_name = "children"

urlpatterns: list[URLPattern | URLResolver] = [
    # core
    path("casos/<int:pk>/", views.case, name="case"),
    path("casos/<int:pk>/perfil/", views.profile_edit, name="profile"),
    path("casos/<int:pk>/eis/nueva/", views.assessment_new, name="assessment-new"),
    path("casos/<int:pk>/eis/<int:bia_id>/", views.assessment_detail, name="assessment"),
    path("casos/<int:pk>/eis/<int:bia_id>/editar/", views.assessment_edit, name="assessment-edit"),
    path("casos/<int:pk>/eis/<int:bia_id>/aprobar/", views.assessment_approve, name="assessment-approve"),
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
