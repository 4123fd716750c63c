"""Pages of labour intermediation: the case tab "Empleo", vacancies, the skills gaps."""

from django.urls import path

from reintegra.employment import views

app_name = "employment"

urlpatterns = [
    path("casos/<int:pk>/", views.case_tab, name="case"),
    path("casos/<int:pk>/perfil/", views.profile_edit, name="profile"),
    path("casos/<int:pk>/preseleccion/", views.shortlist, name="shortlist"),
    path("colocaciones/<int:pk>/paso/", views.placement_step, name="placement-step"),
    path("colocaciones/<int:pk>/remitir/", views.refer, name="placement-refer"),
    path("retencion/<int:pk>/", views.retention, name="retention"),
    path("vacantes/", views.vacancies, name="vacancies"),
    path("vacantes/nueva/", views.vacancy_new, name="vacancy-new"),
    path("vacantes/<int:pk>/", views.vacancy_detail, name="vacancy"),
    path("brechas/", views.skills_gaps, name="skills-gaps"),
]
