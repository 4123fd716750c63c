"""What the protection app adds to the case pages (registered in `apps.ProtectionConfig.ready`)."""

from typing import Any

from django.http import HttpRequest

from reintegra.cases.models import Case


def case_header(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The links to the person's consent ledger and the case's shares, in the header of every case page."""
    return {"returnee_id": case.returnee_id, "case_id": case.pk}
