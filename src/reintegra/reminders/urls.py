from django.urls import path

from reintegra.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.reminder_list, name="list"),
    path("<int:pk>/leido/", views.mark_read, name="read"),
    path("leidos/", views.mark_all_read, name="read-all"),
]
