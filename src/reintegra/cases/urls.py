"""URLs of the case-management UI, included under the namespace "cases" by reintegra.urls."""

from django.urls import path

from reintegra.cases import export_views, step_views, views

app_name = "cases"

urlpatterns = [
    path("casos/", views.case_list, name="list"),
    path("casos/exportar/personas/", export_views.returnees, name="export_returnees"),
    path("casos/exportar/seguimientos/", export_views.follow_ups, name="export_follow_ups"),
    path("casos/nuevo/", views.register, name="register"),
    path("casos/nuevo/duplicados/", views.duplicate_check, name="duplicates"),
    path("lugares/municipios/", views.municipality_options, name="municipalities"),
    path("casos/<int:pk>/", views.case_tab, {"tab": "summary"}, name="detail"),
    path("casos/<int:pk>/evaluaciones/", views.case_tab, {"tab": "assessments"}, name="assessments"),
    path("casos/<int:pk>/consejeria/", views.case_tab, {"tab": "counselling"}, name="counselling"),
    path("casos/<int:pk>/plan/", views.case_tab, {"tab": "plan"}, name="plan"),
    path("casos/<int:pk>/seguimiento/", views.case_tab, {"tab": "follow_up"}, name="follow_up"),
    path("casos/<int:pk>/cierre/", views.case_tab, {"tab": "closure"}, name="closure"),
    path("casos/<int:pk>/cronologia/", views.case_tab, {"tab": "timeline"}, name="timeline"),
    path("casos/<int:pk>/expediente.pdf", views.case_file, name="file"),
    path("casos/<int:pk>/persona/editar/", step_views.edit_returnee, name="edit_returnee"),
    path("casos/<int:pk>/retorno/editar/", step_views.edit_return, name="edit_return"),
    path("casos/<int:pk>/hogar/editar/", step_views.household, name="household"),
    path("casos/<int:pk>/asignar/", step_views.assign, name="assign"),
    path("casos/<int:pk>/evaluaciones/nueva/", step_views.assessment_new, name="assessment_new"),
    path("casos/<int:pk>/consejeria/nueva/", step_views.counselling_new, name="counselling_new"),
    path("casos/<int:pk>/plan/editar/", step_views.plan_edit, name="plan_edit"),
    path("casos/<int:pk>/plan/acordar/", step_views.plan_agree, name="plan_agree"),
    path("casos/<int:pk>/seguimiento/nuevo/", step_views.follow_up_new, name="follow_up_new"),
    path("casos/<int:pk>/cerrar/", step_views.close, name="close"),
    path("casos/<int:pk>/reabrir/", step_views.reopen, name="reopen"),
]
