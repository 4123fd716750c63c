"""Pages of the site's frame: login, logout and the home dashboard (each app mounts its own pages in
reintegra.urls)."""

from django.urls import path

from reintegra.web import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
]
