"""Pages of the web UI under /derivaciones/."""

from django.urls import path

from reintegra.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.referral_action, name="action"),
    path("casos/<int:pk>/", views.case_referrals, name="case"),
    path("casos/<int:pk>/nueva/", views.case_new_referral, name="case-new"),
    path("directorio/", views.directory, name="directory"),
    path("directorio/importar/", views.directory_import, name="directory-import"),
    path("directorio/duplicacion/", views.directory_duplication, name="duplication"),
    path("directorio/proveedores/nuevo/", views.provider_edit, name="provider-new"),
    path("directorio/proveedores/<int:pk>/", views.provider_detail, name="provider"),
    path("directorio/proveedores/<int:pk>/editar/", views.provider_edit, name="provider-edit"),
    path("directorio/proveedores/<int:provider_pk>/servicios/nuevo/", views.service_edit, name="service-new"),
    path("directorio/servicios/<int:pk>/editar/", views.service_edit, name="service-edit"),
    path("directorio/vinculos/", views.link_requests, name="links"),
    path("directorio/vinculos/<int:pk>/<slug:answer>/", views.link_answer, name="link-answer"),
    path("procedimientos/", views.pathway_list, name="pathways"),
    path("procedimientos/nuevo/", views.pathway_edit, name="pathway-new"),
    path("procedimientos/<int:pk>/", views.pathway_detail, name="pathway"),
    path("procedimientos/<int:pk>/nueva-version/", views.pathway_edit, name="pathway-version"),
    path("brechas/", views.service_gaps, name="gaps"),
    path("informes/", views.report, name="reports"),
]
