"""Data-protection pages: consent ledger, case sharing, pseudonymised data (namespace "protection").

Mounted at /proteccion/ by reintegra.urls, beside the audit trail (`access.urls`); paths are in Spanish like
the mount point.
"""

from django.urls import path

from reintegra.protection import views

app_name = "protection"

urlpatterns = [
    path("personas/<int:returnee_id>/consentimientos/", views.consent_ledger, name="consents"),
    path("consentimientos/<int:consent_id>/retirar/", views.consent_withdraw, name="consent_withdraw"),
    path("casos/<int:case_id>/compartir/", views.case_shares, name="shares"),
    path("compartidos/<int:share_id>/revocar/", views.share_revoke, name="share_revoke"),
    path("analitica/", views.analytics, name="analytics"),
    path("analitica/casos.csv", views.analytics_export, name="analytics_export"),
]
