"""API representations of the individual case, and the parsing of API input into service arguments.

Serializers only validate shapes and types; every rule that depends on the case lives in `services`
and `lifecycle`, so the web UI and the API cannot disagree. Sensitive fields are handled by
`SensitiveFieldsMixin` (omitted for users who may not see them, and ignored on input from them).

One module per concept (`returnees`, `cases`, `plan`; shared pieces in `common`); everything is importable
from `reintegra.cases.serializers`.
"""

from reintegra.cases.serializers.cases import (
    AssignSerializer,
    CaseCreateSerializer,
    CaseDetailSerializer,
    CaseFilterSerializer,
    CaseListSerializer,
    CloseSerializer,
    HouseholdMemberSerializer,
    HouseholdSerializer,
    OpenMatterSerializer,
    ReopenSerializer,
    ReturneeSummarySerializer,
    ReturnInformationSerializer,
    TimelineEventSerializer,
    household_data,
    return_input,
)
from reintegra.cases.serializers.common import (
    LIST_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    CaseChoiceField,
    ProtectedModelSerializer,
    UserRefSerializer,
    request_user,
)
from reintegra.cases.serializers.plan import (
    AssessmentSerializer,
    CounsellingSessionSerializer,
    FollowUpVisitSerializer,
    PlanAgreeSerializer,
    PlanItemSerializer,
    PlanSerializer,
    PlanWriteSerializer,
    ProgressSerializer,
)
from reintegra.cases.serializers.returnees import (
    DocumentSerializer,
    DuplicateCandidateSerializer,
    DuplicateQuerySerializer,
    DuplicateResultSerializer,
    ErrorCodeSerializer,
    PossibleDuplicateSerializer,
    ReturneeCreateSerializer,
    ReturneeSerializer,
    returnee_input,
)

__all__ = [
    "LIST_MAX_LENGTH",
    "TEXT_MAX_LENGTH",
    "AssessmentSerializer",
    "AssignSerializer",
    "CaseChoiceField",
    "CaseCreateSerializer",
    "CaseDetailSerializer",
    "CaseFilterSerializer",
    "CaseListSerializer",
    "CloseSerializer",
    "CounsellingSessionSerializer",
    "DocumentSerializer",
    "DuplicateCandidateSerializer",
    "DuplicateQuerySerializer",
    "DuplicateResultSerializer",
    "ErrorCodeSerializer",
    "FollowUpVisitSerializer",
    "HouseholdMemberSerializer",
    "HouseholdSerializer",
    "OpenMatterSerializer",
    "PlanAgreeSerializer",
    "PlanItemSerializer",
    "PlanSerializer",
    "PlanWriteSerializer",
    "PossibleDuplicateSerializer",
    "ProgressSerializer",
    "ProtectedModelSerializer",
    "ReopenSerializer",
    "ReturnInformationSerializer",
    "ReturneeCreateSerializer",
    "ReturneeSerializer",
    "ReturneeSummarySerializer",
    "TimelineEventSerializer",
    "UserRefSerializer",
    "household_data",
    "request_user",
    "return_input",
    "returnee_input",
]
