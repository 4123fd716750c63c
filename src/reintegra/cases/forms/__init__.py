"""Forms of the case-management UI: parse and validate input, then hand plain values to `services`.

Forms never save anything themselves. Each one turns the posted values into the dataclasses or dicts
that `cases.services` takes, so the rules that depend on a case's state stay in one place (services
and lifecycle) and the web UI and the API cannot disagree. Errors that services raise are mapped back
onto fields with `reintegra.web.forms.apply_service_errors`; widgets come from `reintegra.web.widgets`.

Sensitive fields (encrypted model fields tagged with a category) are only added to a form when
`access.scoping.can_see(user, category)`; a field that is not on the form is never sent to a service,
so nothing the user may not see is ever rendered or overwritten.

One module per concept (`registration`, `case`, `assessment`, `plan`, `filters`; shared pieces in `common`);
everything is importable from `reintegra.cases.forms`.
"""

from reintegra.cases.forms.assessment import ASSESSMENT_SENSITIVE, AssessmentForm, CounsellingForm
from reintegra.cases.forms.case import (
    AssignForm,
    CloseForm,
    HouseholdNotesForm,
    MemberForm,
    MemberFormSet,
    ReopenForm,
    ReturnForm,
    closure_reason_choices,
    members_from,
)
from reintegra.cases.forms.common import (
    REGION_COUNTRIES,
    BaseListFormSet,
    country_choices,
    list_formset_factory,
    municipality_choices,
    staff_choices,
)
from reintegra.cases.forms.filters import CaseFilterForm
from reintegra.cases.forms.plan import (
    AgreePlanForm,
    FollowUpForm,
    PlanForm,
    PlanItemForm,
    PlanItemFormSet,
    items_from,
)
from reintegra.cases.forms.registration import (
    DUPLICATE_FIELDS,
    DocumentForm,
    DocumentFormSet,
    RegistrationForm,
    ReturneeForm,
    documents_from,
    duplicate_check_attrs,
)

__all__ = [
    "ASSESSMENT_SENSITIVE",
    "DUPLICATE_FIELDS",
    "REGION_COUNTRIES",
    "AgreePlanForm",
    "AssessmentForm",
    "AssignForm",
    "BaseListFormSet",
    "CaseFilterForm",
    "CloseForm",
    "CounsellingForm",
    "DocumentForm",
    "DocumentFormSet",
    "FollowUpForm",
    "HouseholdNotesForm",
    "MemberForm",
    "MemberFormSet",
    "PlanForm",
    "PlanItemForm",
    "PlanItemFormSet",
    "RegistrationForm",
    "ReopenForm",
    "ReturnForm",
    "ReturneeForm",
    "closure_reason_choices",
    "country_choices",
    "documents_from",
    "duplicate_check_attrs",
    "items_from",
    "list_formset_factory",
    "members_from",
    "municipality_choices",
    "staff_choices",
]
