"""Roles and what each may do. Pure Python: the single table every permission check reads.

Field-level protection (issue: access control) keys sensitive data by category; a role sees a
category only when it holds the matching capability, in the UI, the API, exports and search alike.
"""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    PROGRAMME_MANAGER = "programme_manager"
    SUPERVISOR = "supervisor"
    CASE_MANAGER = "case_manager"
    ME_OFFICER = "me_officer"
    SERVICE_PROVIDER = "service_provider"
    COORDINATOR = "coordinator"
    DATA_PROTECTION_OFFICER = "data_protection_officer"
    # Receives the sensitive feedback (sexual exploitation and abuse, fraud, staff misconduct, safety risks);
    # no other role sees it, not even the supervisors (docs/public.md).
    FEEDBACK_FOCAL_POINT = "feedback_focal_point"


class Capability(StrEnum):
    # Reading and writing individual cases.
    VIEW_ASSIGNED_CASES = "view_assigned_cases"  # own and team's cases
    VIEW_ORGANISATION_CASES = "view_organisation_cases"
    EDIT_CASES = "edit_cases"
    ASSIGN_CASES = "assign_cases"
    # Sensitive field categories.
    SEE_PROTECTION = "see_protection"
    SEE_HEALTH = "see_health"
    SEE_MENTAL_HEALTH = "see_mental_health"
    SEE_GBV = "see_gbv"
    SEE_PSYCHOSOCIAL_NOTES = "see_psychosocial_notes"
    SEE_IDENTITY_DOCUMENTS = "see_identity_documents"
    # Other duties.
    VIEW_PSEUDONYMISED = "view_pseudonymised"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_AGGREGATES_ALL_ORGANISATIONS = "view_aggregates_all_organisations"
    VIEW_AUDIT = "view_audit"
    MANAGE_CONSENT = "manage_consent"
    VIEW_CONSENT_REGISTRY = "view_consent_registry"
    APPLY_RETENTION = "apply_retention"
    MANAGE_USERS = "manage_users"
    RECEIVE_REFERRALS = "receive_referrals"
    # Programme configuration (instruments, schedules, feasibility grid, programme settings).
    MANAGE_PROGRAMME = "manage_programme"
    # Sustainability measurement: import survey submissions collected offline (ODK/Kobo).
    IMPORT_SUBMISSIONS = "import_submissions"
    # Referral network: the service directory and referral pathways (SOPs).
    VIEW_SERVICE_DIRECTORY = "view_service_directory"
    MANAGE_SERVICE_DIRECTORY = "manage_service_directory"
    VIEW_REFERRAL_REPORTS = "view_referral_reports"
    # Structural level: stakeholders, agreements, capacity, coordination, cooperation, policy, actions.
    VIEW_STRUCTURAL = "view_structural"
    EDIT_STRUCTURAL = "edit_structural"
    # Monitoring and evaluation: results frameworks, indicators, reporting periods, evaluations, lessons.
    MANAGE_MONITORING = "manage_monitoring"
    # Children: approve best-interests assessments, see every determination of the organisation's cases.
    APPROVE_BEST_INTERESTS = "approve_best_interests"
    # Reception: record arrivals and the intake of each person at a reception point.
    RECORD_RECEPTION = "record_reception"
    # Reception: import the migration authority's manifests of arriving people (bulk arrivals and intakes).
    IMPORT_MANIFESTS = "import_manifests"
    # Public portal (reintegra.public): write the practical guides and answer information requests.
    PUBLISH_INFORMATION = "publish_information"
    # Feedback and complaints: record, acknowledge, answer and close the loop of the non-sensitive items.
    HANDLE_FEEDBACK = "handle_feedback"
    # Sensitive feedback (SEA, fraud, staff misconduct, safety risk): the focal point only.
    HANDLE_SENSITIVE_FEEDBACK = "handle_sensitive_feedback"


C = Capability
_SENSITIVE = {
    C.SEE_PROTECTION,
    C.SEE_HEALTH,
    C.SEE_MENTAL_HEALTH,
    C.SEE_GBV,
    C.SEE_PSYCHOSOCIAL_NOTES,
    C.SEE_IDENTITY_DOCUMENTS,
}

_STAFF_READ = {C.VIEW_SERVICE_DIRECTORY, C.VIEW_STRUCTURAL}

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    # A system administrator runs the platform; reading case content is not part of that job.
    Role.ADMIN: frozenset({C.MANAGE_USERS}),
    Role.PROGRAMME_MANAGER: frozenset(
        {
            C.VIEW_ASSIGNED_CASES,
            C.VIEW_ORGANISATION_CASES,
            C.EDIT_CASES,
            C.ASSIGN_CASES,
            C.VIEW_AGGREGATES,
            C.MANAGE_CONSENT,
            C.SEE_PROTECTION,
            C.SEE_IDENTITY_DOCUMENTS,
            C.MANAGE_USERS,
            C.MANAGE_PROGRAMME,
            C.IMPORT_SUBMISSIONS,
            C.IMPORT_MANIFESTS,
            C.MANAGE_SERVICE_DIRECTORY,
            C.VIEW_REFERRAL_REPORTS,
            C.EDIT_STRUCTURAL,
            C.MANAGE_MONITORING,
            C.RECORD_RECEPTION,
            C.PUBLISH_INFORMATION,
            C.HANDLE_FEEDBACK,
            *_STAFF_READ,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            C.VIEW_ASSIGNED_CASES,
            C.VIEW_ORGANISATION_CASES,
            C.EDIT_CASES,
            C.ASSIGN_CASES,
            C.VIEW_AGGREGATES,
            C.MANAGE_CONSENT,
            C.IMPORT_SUBMISSIONS,
            C.IMPORT_MANIFESTS,
            C.VIEW_REFERRAL_REPORTS,
            C.APPROVE_BEST_INTERESTS,
            C.RECORD_RECEPTION,
            C.PUBLISH_INFORMATION,
            C.HANDLE_FEEDBACK,
            *_SENSITIVE,
            *_STAFF_READ,
        }
    ),
    Role.CASE_MANAGER: frozenset(
        {
            C.VIEW_ASSIGNED_CASES,
            C.EDIT_CASES,
            C.MANAGE_CONSENT,
            C.RECORD_RECEPTION,
            C.HANDLE_FEEDBACK,
            *_SENSITIVE,
            *_STAFF_READ,
        }
    ),
    Role.ME_OFFICER: frozenset(
        {C.VIEW_PSEUDONYMISED, C.VIEW_AGGREGATES, C.VIEW_REFERRAL_REPORTS, C.MANAGE_MONITORING, *_STAFF_READ}
    ),
    Role.SERVICE_PROVIDER: frozenset({C.RECEIVE_REFERRALS, C.VIEW_SERVICE_DIRECTORY}),
    Role.COORDINATOR: frozenset(
        {
            C.VIEW_AGGREGATES,
            C.VIEW_AGGREGATES_ALL_ORGANISATIONS,
            C.VIEW_REFERRAL_REPORTS,
            C.MANAGE_SERVICE_DIRECTORY,
            C.EDIT_STRUCTURAL,
            *_STAFF_READ,
        }
    ),
    Role.DATA_PROTECTION_OFFICER: frozenset(
        {C.VIEW_AUDIT, C.VIEW_CONSENT_REGISTRY, C.APPLY_RETENTION, C.VIEW_AGGREGATES}
    ),
    # Sees and handles every feedback item of the organisation, the sensitive ones only here; reads no case.
    Role.FEEDBACK_FOCAL_POINT: frozenset({C.HANDLE_FEEDBACK, C.HANDLE_SENSITIVE_FEEDBACK}),
}


def capabilities_for(roles: "set[Role] | frozenset[Role] | list[Role]") -> frozenset[Capability]:
    result: set[Capability] = set()
    for role in roles:
        result |= ROLE_CAPABILITIES[Role(role)]
    return frozenset(result)


class SensitiveCategory(StrEnum):
    """Kinds of sensitive data; each model field holding one is tagged with its category."""

    PROTECTION = "protection"
    HEALTH = "health"
    MENTAL_HEALTH = "mental_health"
    GBV = "gbv"
    PSYCHOSOCIAL = "psychosocial"
    IDENTITY_DOCUMENT = "identity_document"


CATEGORY_CAPABILITY: dict[SensitiveCategory, Capability] = {
    SensitiveCategory.PROTECTION: C.SEE_PROTECTION,
    SensitiveCategory.HEALTH: C.SEE_HEALTH,
    SensitiveCategory.MENTAL_HEALTH: C.SEE_MENTAL_HEALTH,
    SensitiveCategory.GBV: C.SEE_GBV,
    SensitiveCategory.PSYCHOSOCIAL: C.SEE_PSYCHOSOCIAL_NOTES,
    SensitiveCategory.IDENTITY_DOCUMENT: C.SEE_IDENTITY_DOCUMENTS,
}
