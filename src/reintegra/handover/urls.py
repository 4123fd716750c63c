"""Pages of hand-overs under /traspasos/."""

from django.urls import path

from reintegra.handover import views

app_name = "handover"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("enviados/", views.outbox, name="outbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/paquete/", views.package_file, name="package"),
    path("caso/<int:case_id>/nuevo/", views.create, name="create"),
    path("subir/", views.upload, name="upload"),
    path("entregas/<int:pk>/reintentar/", views.retry, name="retry"),
    path("instalaciones/", views.partners, name="partners"),
]
