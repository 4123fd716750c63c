"""The fields a user fills in on each structural record: the web forms and the API serializers both take
them from here, so the two channels ask for the same things."""

from __future__ import annotations

STAKEHOLDER = (
    "programme",
    "name",
    "category",
    "level",
    "country",
    "area",
    "relevance",
    "functions",
    "stance",
    "interest",
    "influence",
    "engagement_strategy",
    "concerns",
    "expectations",
    "perceptions",
    "engaged_on",
    "significant_change_on",
    "owner",
)
INTERACTION = ("kind", "occurred_on", "summary")
COMMON_PRODUCT = ("kind", "description", "owner", "due_on", "status")
AGREEMENT = ("programme", "title", "kind", "parties", "scope", "starts_on", "ends_on", "status")
MECHANISM = (
    "programme",
    "name",
    "kind",
    "level",
    "chair",
    "mandate",
    "approved_on",
    "approval_reference",
    "experts_observers",
    "is_active",
)
MEETING = ("held_on", "location", "agenda", "minutes", "decisions", "attendees")
ACTION_ITEM = ("description", "owner", "owner_stakeholder", "due_on", "status")
CAPACITY_ASSESSMENT = (
    "programme",
    "stakeholder",
    "area",
    "aspect",
    "current_level",
    "target_level",
    "gap",
    "priority",
    "assessed_on",
)
CAPACITY_PLAN = (
    "programme",
    "title",
    "stakeholders",
    "objectives",
    "priorities_alignment",
    "assessment_summary",
    "starts_on",
    "ends_on",
    "status",
)
CAPACITY_ACTIVITY = ("phase", "kind", "title", "responsible", "starts_on", "ends_on", "budget", "status", "progress")
INDICATOR = ("name", "baseline", "target", "current")
FRAMEWORK = (
    "programme",
    "title",
    "host_country",
    "origin_country",
    "steering_committee",
    "accountable_entity",
    "parties",
    "agreements",
    "objectives",
    "roles",
    "system_owner",
)
PROCESS = ("programme", "title", "level", "area", "lead", "purpose", "started_on", "status")
OPPORTUNITY = ("sector", "opportunity", "responsible", "due_on", "status")
