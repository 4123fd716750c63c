"""Data-protection pages: consent ledger, case sharing (namespace "protection"), and redirects
from the analytics page's old paths (it moved to monitoring).

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
    # The analytics page moved to monitoring (issue 12): old links and bookmarks land there.
    path("analitica/", views.moved, {"to": "/seguimiento/analitica/"}, name="analytics"),
    path("analitica/casos.csv", views.moved, {"to": "/seguimiento/analitica/casos.csv"}, name="analytics_export"),
]
