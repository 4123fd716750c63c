"""Data-protection pages: audit trail, consent ledger, case sharing, pseudonymised data (namespace "access").

Mounted at /proteccion/ by reintegra.urls; paths are in Spanish like the mount point.
"""

from django.urls import path

from reintegra.access import views

app_name = "access"

urlpatterns = [
    path("auditoria/", views.audit_trail, name="audit"),
    path("auditoria/exportar.csv", views.audit_export, name="audit_export"),
    path("personas/<int:returnee_id>/consentimientos/", views.consent_ledger, name="consents"),
    path("consentimientos/<int:consent_id>/retirar/", views.consent_withdraw, name="consent_withdraw"),
    path("casos/<int:case_id>/compartir/", views.case_shares, name="shares"),
    path("compartidos/<int:share_id>/revocar/", views.share_revoke, name="share_revoke"),
    path("analitica/", views.analytics, name="analytics"),
    path("analitica/casos.csv", views.analytics_export, name="analytics_export"),
]
