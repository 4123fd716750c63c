"""The audit-trail pages (namespace "access").

Mounted at /proteccion/ by reintegra.urls, beside the other data-protection pages (`protection.urls`); paths
are in Spanish like the mount point.
"""

from django.urls import path

from reintegra.access import views

app_name = "access"

urlpatterns = [
    path("auditoria/", views.audit_trail, name="audit"),
    path("auditoria/exportar.csv", views.audit_export, name="audit_export"),
]
