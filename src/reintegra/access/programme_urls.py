from django.urls import path

from reintegra.access import programme_views

app_name = "programmes"

urlpatterns = [
    path("", programme_views.programme_list, name="list"),
    path("<int:pk>/ajustes/", programme_views.programme_edit, name="edit"),
]
