"""Pages of the web UI. The language switch is Django's set_language at /i18n/setlang/ (root urls)."""

from django.urls import include, path

from reintegra.web import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("cuenta/verificar/", views.two_factor_verify, name="two_factor_verify"),
    path("cuenta/doble-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("", include("reintegra.cases.urls", namespace="cases")),
]
