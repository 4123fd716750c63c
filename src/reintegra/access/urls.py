"""Data-protection pages: audit trail, consent ledger, pseudonymised data (namespace "access")."""

app_name = "access"

urlpatterns: list = []
