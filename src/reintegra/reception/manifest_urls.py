"""Pages of manifest imports under /recepcion/manifiestos/."""

from django.urls import URLPattern, URLResolver, path

from reintegra.reception import manifest_views as views

app_name = "manifests"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.import_list, name="list"),
    path("nuevo/", views.import_new, name="new"),
    path("<int:pk>/", views.import_detail, name="detail"),
    path("<int:pk>/revision/", views.review_list, name="review"),
    path("revision/<int:pk>/", views.review_decide, name="review-decide"),
    path("correspondencias/nueva/", views.mapping_new, name="mapping-new"),
    path("correspondencias/<int:pk>/", views.mapping_edit, name="mapping-edit"),
]
