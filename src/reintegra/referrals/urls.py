"""Pages of the web UI under /derivaciones/."""

from django.urls import path

from reintegra.referrals import directory_views, pathway_views, report_views, views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/descartar/", views.discard_draft, name="discard"),
    path("<int:pk>/<slug:action>/", views.referral_action, name="action"),
    path("casos/<int:pk>/", views.case_referrals, name="case"),
    path("casos/<int:pk>/nueva/", views.case_new_referral, name="case-new"),
    path("directorio/", directory_views.directory, name="directory"),
    path("directorio/importar/", directory_views.directory_import, name="directory-import"),
    path("directorio/duplicacion/", report_views.directory_duplication, name="duplication"),
    path("directorio/proveedores/nuevo/", directory_views.provider_edit, name="provider-new"),
    path("directorio/proveedores/<int:pk>/", directory_views.provider_detail, name="provider"),
    path("directorio/proveedores/<int:pk>/editar/", directory_views.provider_edit, name="provider-edit"),
    path("directorio/proveedores/<int:provider_pk>/servicios/nuevo/", directory_views.service_edit, name="service-new"),
    path("directorio/servicios/<int:pk>/editar/", directory_views.service_edit, name="service-edit"),
    path("directorio/vinculos/", directory_views.link_requests, name="links"),
    path("directorio/vinculos/<int:pk>/<slug:answer>/", directory_views.link_answer, name="link-answer"),
    path("procedimientos/", pathway_views.pathway_list, name="pathways"),
    path("procedimientos/nuevo/", pathway_views.pathway_edit, name="pathway-new"),
    path("procedimientos/<int:pk>/", pathway_views.pathway_detail, name="pathway"),
    path("procedimientos/<int:pk>/nueva-version/", pathway_views.pathway_edit, name="pathway-version"),
    path("brechas/", report_views.service_gaps, name="gaps"),
    path("informes/", report_views.report, name="reports"),
]
