"""The staff side of feedback, information requests and guides (login required) under /retroalimentacion/."""

from django.urls import URLPattern, path

from reintegra.public import staff_views

app_name = "public_staff"

urlpatterns: list[URLPattern] = [
    path("", staff_views.feedback_list, name="feedback-list"),
    path("nueva/", staff_views.feedback_new, name="feedback-new"),
    path("<int:pk>/", staff_views.feedback_detail, name="feedback"),
    path("<int:pk>/<str:step>/", staff_views.feedback_step, name="feedback-step"),
    path("panel/", staff_views.dashboard, name="dashboard"),
    path("preguntas/", staff_views.request_list, name="requests"),
    path("preguntas/<int:pk>/", staff_views.request_detail, name="request"),
    path("preguntas/<int:pk>/<str:step>/", staff_views.request_step, name="request-step"),
    path("guias/", staff_views.guide_list, name="guides"),
    path("guias/nueva/", staff_views.guide_new, name="guide-new"),
    path("guias/<int:pk>/", staff_views.guide_edit, name="guide"),
    path("guias/<int:pk>/revisada/", staff_views.guide_reviewed, name="guide-reviewed"),
    path("programas/<int:pk>/", staff_views.settings_page, name="settings"),
    path("casos/<int:pk>/satisfaccion/", staff_views.case_satisfaction, name="case-satisfaction"),
]
