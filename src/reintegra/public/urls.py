"""The public portal under /info/ (no login: see docs/public.md)."""

from django.urls import URLPattern, path

from reintegra.public import portal_views

app_name = "public"

urlpatterns: list[URLPattern] = [
    path("", portal_views.home, name="home"),
    path("municipio/<int:pk>/", portal_views.municipality, name="municipality"),
    path("municipio/<int:pk>/folleto.pdf", portal_views.leaflet_pdf, name="leaflet"),
    path("guias/<int:pk>/", portal_views.guide, name="guide"),
    path("preguntar/", portal_views.ask, name="ask"),
    path("opinion/", portal_views.feedback, name="feedback"),
    path("recibido/<str:what>/<str:code>/", portal_views.sent, name="sent"),
    path("seguimiento/", portal_views.follow, name="follow"),
]
