"""The two-factor pages, mounted at the site's root by reintegra.urls (no namespace: the middleware and the
layout name them `two_factor_verify` and `two_factor_setup`)."""

from django.urls import path

from reintegra.access import two_factor_views as views

urlpatterns = [
    path("cuenta/verificar/", views.two_factor_verify, name="two_factor_verify"),
    path("cuenta/doble-factor/", views.two_factor_setup, name="two_factor_setup"),
]
