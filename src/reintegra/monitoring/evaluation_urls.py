"""Pages of evaluations and learning, under /seguimiento/ (namespace "monitoring_learning")."""

from django.urls import path

from reintegra.monitoring import evaluation_views as views

app_name = "monitoring_learning"

urlpatterns = [
    path("evaluaciones/", views.learning_home, name="home"),
    path("programas/<int:programme>/evaluaciones/", views.programme_learning, name="programme"),
    path("programas/<int:programme>/evaluaciones/nueva/", views.evaluation_create, name="evaluation-create"),
    path("programas/<int:programme>/lecciones/nueva/", views.lesson_create, name="lesson-create"),
    path("evaluaciones/<int:pk>/", views.evaluation_detail, name="evaluation-detail"),
    path("evaluaciones/<int:pk>/editar/", views.evaluation_edit, name="evaluation-edit"),
    path("evaluaciones/<int:pk>/informe/", views.evaluation_report, name="evaluation-report"),
    path("evaluaciones/<int:pk>/recomendaciones/nueva/", views.recommendation_create, name="recommendation-create"),
    path("recomendaciones/<int:pk>/respuesta/", views.recommendation_edit, name="recommendation-edit"),
    path("lecciones/", views.lesson_list, name="lessons"),
    path("lecciones/<int:pk>/editar/", views.lesson_edit, name="lesson-edit"),
]
