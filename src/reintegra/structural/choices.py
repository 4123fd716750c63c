"""The Handbook's lists (module 4) as choices: categories, functions, types, steps, phases and sectors."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from reintegra.vocabulary.choices import GeographicLevel as GeographicLevel  # a stakeholder's level (re-exported)


class GrantScope(models.TextChoices):
    """What a write grant covers (models.WriteGrant)."""

    STRUCTURAL = "structural", _("Structural records of a programme")
    REGIONAL = "regional", _("Regional actions the organisation entered")


# Mainstreaming initiatives are national or local (Handbook §4.3); a process has no international level.
MAINSTREAMING_LEVELS = [
    (value, label) for value, label in GeographicLevel.choices if value != GeographicLevel.INTERNATIONAL
]


class StakeholderCategory(models.TextChoices):
    """Cuadro 4.1."""

    NATIONAL_AUTHORITY = "national_authority", _("National authority, ministry or government agency")
    LOCAL_GOVERNMENT = "local_government", _("Provincial or local government, municipal actor")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    NGO = "ngo", _("Non-governmental organisation")
    DIASPORA = "diaspora", _("Diaspora organisation")
    MIGRANT_ASSOCIATION = "migrant_association", _("Migrant association")
    INTERNATIONAL = "international", _("International organisation, foreign government or donor")
    ACADEMIC = "academic", _("Academic institution")


class StakeholderFunction(models.TextChoices):
    """Possible functions of Cuadro 4.1 (merged across categories; the form lists them all)."""

    ADAPT_LEGAL_FRAMEWORK = "adapt_legal_framework", _("Adapt the legal or policy framework")
    PLAN_POLICIES = "plan_policies", _("Plan and implement policies and projects")
    RUN_INSTITUTIONS = "run_institutions", _("Set up and coordinate institutions and services for return")
    ENDORSE_INITIATIVES = "endorse_initiatives", _("Endorse initiatives")
    LIAISE = "liaise", _("Liaise with international, national and local partners")
    MANAGE_FUNDS = "manage_funds", _("Manage public funds and provide funding")
    COORDINATION_PLATFORM = "coordination_platform", _("Provide multi-stakeholder coordination platforms")
    DELEGATE_SERVICES = "delegate_services", _("Delegate service delivery")
    LOCAL_DEVELOPMENT = "local_development", _("Design and implement local development plans")
    SERVE_RETURNEES = "serve_returnees", _("Provide services to returnees")
    EMPLOY_RETURNEES = "employ_returnees", _("Employ returnees")
    PUBLIC_PRIVATE_PARTNERSHIP = "ppp", _("Take part in public-private partnerships")
    APPRENTICESHIPS = "apprenticeships", _("Offer apprenticeships and on-the-job learning")
    MENTORING = "mentoring", _("Mentor returnees")
    COMMUNITY_NETWORKS = "community_networks", _("Mobilise community networks")
    SPECIALISED_SUPPORT = "specialised_support", _("Economic, social or psychosocial support")
    CAMPAIGNS = "campaigns", _("Partner in advocacy, awareness and information campaigns")
    DIASPORA_INVESTMENT = "diaspora_investment", _("Invest in collective or community projects")
    PRE_RETURN_INFORMATION = "pre_return_information", _("Inform returnees before and after return")
    PEER_SUPPORT = "peer_support", _("Psychosocial guidance from lived experience")
    LINK_DEVELOPMENT = "link_development", _("Link reintegration to development programmes")
    REFERRAL_SYSTEMS = "referral_systems", _("Include returnees in referral systems")
    RESEARCH = "research", _("Research and analysis (e.g. labour-market assessments)")
    LANGUAGE_COURSES = "language_courses", _("Education and language courses")


class Stance(models.TextChoices):
    SUPPORTIVE = "supportive", _("Supportive")
    NEUTRAL = "neutral", _("Neutral")
    SCEPTICAL = "sceptical", _("Sceptical")
    OPPOSED = "opposed", _("Opposed")
    UNKNOWN = "unknown", _("Unknown")


class EngagementCategory(models.TextChoices):
    """Figure 4.1 (engagement.py computes it)."""

    MANAGE_CLOSELY = "manage_closely", _("Manage closely")
    COMMUNICATE = "communicate", _("Communicate")
    INFORM = "inform", _("Inform")


class InteractionKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    CALL = "call", _("Call")
    EVENT = "event", _("Event")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    OTHER = "other", _("Other")


class ProductKind(models.TextChoices):
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action")
    PROPOSAL = "proposal", _("Proposal")
    RECOMMENDATION = "recommendation", _("Recommendation")


class ProductStatus(models.TextChoices):
    AGREED = "agreed", _("Agreed")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", pgettext_lazy("common product status", "Completed")
    STALLED = "stalled", _("Stalled")
    DROPPED = "dropped", _("Dropped")


class ReviewReason(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled review")
    SIGNIFICANT_CHANGE = "significant_change", _("After a significant change")


class ProgressAssessment(models.TextChoices):
    SUFFICIENT = "sufficient", _("Sufficient progress")
    INSUFFICIENT = "insufficient", _("Insufficient progress: approach adapted")


class AgreementKind(models.TextChoices):
    MOU = "mou", _("Memorandum of understanding")
    LONG_TERM = "long_term", _("Long-term agreement")
    PPP = "ppp", _("Public-private partnership")
    RESEARCH = "research", _("Research agreement")
    DATA_SHARING = "data_sharing", _("Data-sharing agreement")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    NEGOTIATION = "negotiation", _("Under negotiation")
    IN_FORCE = "in_force", _("In force")
    EXPIRED = "expired", _("Expired")
    TERMINATED = "terminated", _("Terminated")


class WorkStatus(models.TextChoices):
    """Status of planned work: capacity activities, action items, sector opportunities, plans."""

    PLANNED = "planned", pgettext_lazy("planned work status", "Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", pgettext_lazy("planned work status", "Cancelled")


class Aspect(models.TextChoices):
    TANGIBLE = "tangible", _("Tangible")
    INTANGIBLE = "intangible", _("Intangible")


class CapacityPriority(models.TextChoices):
    """How pressing a capacity gap is. Not a referral's priority (`referrals.choices.ReferralPriority`),
    which is a deadline to answer."""

    HIGH = "high", pgettext_lazy("capacity gap priority", "High")
    MEDIUM = "medium", pgettext_lazy("capacity gap priority", "Medium")
    LOW = "low", pgettext_lazy("capacity gap priority", "Low")


class CapacityPhase(models.TextChoices):
    """Cuadro 4.5: the phases a capacity-development plan is organised by."""

    SITUATION_ANALYSIS = "situation_analysis", _("Situation analysis")
    OBJECTIVES = "objectives", _("Strategic objectives and priorities")
    STRATEGY = "strategy", _("Capacity-building strategy")
    IMPLEMENTATION = "implementation", _("Implementation of the plan")
    MONITORING = "monitoring", _("Monitoring and evaluation")


class CapacityActivityKind(models.TextChoices):
    """Cuadro 4.6 activities; the first five are tangible, the rest intangible (ASPECT_OF_ACTIVITY)."""

    TRAINING = "training", _("Training")
    EQUIPMENT_FUNDING = "equipment_funding", _("Equipment or funding")
    SOP_SUPPORT = "sop_support", _("Technical support for SOPs")
    COORDINATION_SUPPORT = "coordination_support", _("Coordination arrangements")
    POLICY_SUPPORT = "policy_support", _("Policy support")
    MULTI_ACTOR_MEETINGS = "multi_actor_meetings", _("Multi-actor meetings")
    STAFF_SKILLS = "staff_skills", _("Social skills of staff")
    INSTITUTIONAL_CULTURE = "institutional_culture", _("Institutional values, culture and motivation")


ASPECT_OF_ACTIVITY = {
    CapacityActivityKind.TRAINING: Aspect.TANGIBLE,
    CapacityActivityKind.EQUIPMENT_FUNDING: Aspect.TANGIBLE,
    CapacityActivityKind.SOP_SUPPORT: Aspect.TANGIBLE,
    CapacityActivityKind.COORDINATION_SUPPORT: Aspect.TANGIBLE,
    CapacityActivityKind.POLICY_SUPPORT: Aspect.TANGIBLE,
    CapacityActivityKind.MULTI_ACTOR_MEETINGS: Aspect.INTANGIBLE,
    CapacityActivityKind.STAFF_SKILLS: Aspect.INTANGIBLE,
    CapacityActivityKind.INSTITUTIONAL_CULTURE: Aspect.INTANGIBLE,
}


class MechanismKind(models.TextChoices):
    INTER_AGENCY = "inter_agency", _("Inter-agency working group")
    INTER_MINISTERIAL = "inter_ministerial", _("Inter-ministerial committee")
    CASE_MANAGEMENT = "case_management", _("Case-management committee")
    STEERING = "steering", _("Steering committee")


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")
    EXPERT = "expert", _("Expert")
    OBSERVER = "observer", _("Observer")


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Agreement document")
    APPROVAL = "approval", _("Official approval")
    SOP = "sop", _("Standard operating procedure")
    EVIDENCE = "evidence", _("Evidence")
    OTHER = "other", _("Other")


class DataCategory(models.TextChoices):
    """What an integrated information-exchange system holds (§4.2)."""

    SERVICES = "services", _("Available services (host and origin)")
    RETURNEE_PROFILES = "returnee_profiles", _("Returnee profiles")
    NEEDS_INTENTIONS = "needs_intentions", _("Needs and intentions")
    ASSISTANCE = "assistance", _("Past and current assistance measures")
    ORIGIN_SITUATION = "origin_situation", _("Situation in the country of origin")
    MONITORING = "monitoring", _("Monitoring data")


class PolicySector(models.TextChoices):
    """Cuadro 4.8: the policy sectors return and reintegration is mainstreamed into. Not the kinds of
    service of the directory (`referrals.choices.ServiceSector`)."""

    LABOUR = "labour", _("Labour")
    EDUCATION = "education", _("Education and training")
    SOCIAL = "social", _("Social affairs and welfare")
    HEALTH = "health", _("Health")
    GENDER = "gender", _("Gender and LGBTI")
    ENVIRONMENT = "environment", _("Environment and climate adaptation")
    BUSINESS = "business", _("Business and finance")


class StepStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class ChecklistKind(models.TextChoices):
    PRIVATE_SECTOR = "private_sector", _("Private-sector engagement strategy")
    DIASPORA = "diaspora", _("Diaspora engagement")
    COORDINATION = "coordination", _("Setting up a coordination mechanism")
    COOPERATION = "cooperation", _("International cooperation flow")
    PRECONDITIONS = "preconditions", _("Preconditions for mainstreaming")
    MAINSTREAMING = "mainstreaming", _("Mainstreaming process")


# The steps of each checklist, in order: (code, label, what the Handbook says it involves).
CHECKLIST_STEPS: dict[str, list[tuple[str, object, object]]] = {
    ChecklistKind.PRIVATE_SECTOR: [  # Cuadro 4.2
        (
            "skills_needs",
            _("Identify returnees' predominant skills, difficulties and needs"),
            _("Decide whether to focus on job placement, vocational training, in-kind support or counselling."),
        ),
        (
            "existing_strategies",
            _("Identify and assess existing private-sector engagement strategies"),
            _("Join suitable existing strategies rather than creating separate ones."),
        ),
        (
            "companies",
            _("Identify relevant companies"),
            _("Companies that can offer jobs, training, internships or apprenticeships."),
        ),
        (
            "intermediation",
            _("Identify existing labour-intermediation mechanisms"),
            _("Public or private employment services, skills-assessment institutes, recognition of prior learning."),
        ),
        (
            "roadmap",
            _("Develop and apply a private-sector engagement roadmap"),
            _("From awareness raising to wage co-financing or apprenticeship co-payment."),
        ),
        (
            "monitoring",
            _("Monitoring and evaluation"),
            _("Assess the effect on beneficiaries' socioeconomic reintegration against baseline indicators."),
        ),
    ],
    ChecklistKind.DIASPORA: [  # Cuadro 4.4
        (
            "mapping",
            _("Diaspora mapping"),
            _("Demographics, socioeconomic profile and ties with the country of origin."),
        ),
        (
            "priorities",
            _("Identify priority diaspora communities"),
            _("By demographic weight, involvement in development and bilateral relations."),
        ),
        (
            "strategies",
            _("Develop diaspora engagement strategies"),
            _(
                "Governance participation, investment incentives, political participation, service partnerships, "
                "ministries and embassies."
            ),
        ),
        (
            "implementation",
            _("Implement diaspora engagement strategies"),
            _("Dialogue and exchange through return and reintegration offices in host countries."),
        ),
        (
            "monitoring",
            _("Monitor and evaluate diaspora engagement"),
            _("Assess effectiveness continuously and adjust the strategy."),
        ),
    ],
    ChecklistKind.COORDINATION: [  # Figure 4.2
        (
            "ownership",
            _("Ensure national and local ownership"),
            _("Overall coordination by the government of origin; horizontal and vertical coordination."),
        ),
        (
            "mapping",
            _("Map the roles of government agencies and service providers"),
            _("Existing mechanisms, hierarchy and relationships; reuse frameworks where possible."),
        ),
        (
            "mechanism",
            _("Develop a coordination mechanism"),
            _(
                "Officially approved, chaired by the competent authority, senior officials of each ministry, "
                "supported by experts, international organisations and civil society."
            ),
        ),
        (
            "sops",
            _("Prepare standard operating procedures and related documents"),
            _("From registration and assessment to monitoring and evaluation."),
        ),
    ],
    ChecklistKind.COOPERATION: [  # Figure 4.3
        (
            "mapping",
            _("Initial mapping"),
            _(
                "Scoping in the country of origin, nationals in the host country, migration dynamics, "
                "stakeholders in both countries."
            ),
        ),
        (
            "design",
            _("Programme design"),
            _("Legal frameworks of both countries, implementing partners, agreements with stakeholders."),
        ),
        (
            "steering",
            _("Steering committee"),
            _("Lead organisation, donors and key implementing partners; one entity fully accountable."),
        ),
        (
            "models",
            _("Cooperation models"),
            _("Government-to-government agreements, regional processes, local partnerships."),
        ),
        (
            "mobility",
            _("Safe and regular mobility channels"),
            _("Awareness of host governments; regular migration channels."),
        ),
        (
            "framework",
            _("Cooperation framework from pre-departure to post-return"),
            _("Agreed objectives and roles, information-exchange mechanism with SOPs, MoUs."),
        ),
    ],
    ChecklistKind.PRECONDITIONS: [  # Cuadro 4.7
        (
            "political_support",
            _("Strong high-level political support"),
            _("High-level actors motivated to put return and reintegration on the agenda."),
        ),
        (
            "ownership",
            _("National and local ownership"),
            _("The government of origin leads; every level of government takes part."),
        ),
        (
            "participation",
            _("Inclusive participation with clear roles"),
            _("Returnees, communities, diaspora, civil society, academia, employers, development partners."),
        ),
        (
            "shared_objectives",
            _("Shared objectives"),
            _("A clear, transparent approach and regular dialogue avoid divergent programmes."),
        ),
        (
            "timelines",
            _("Realistic timelines"),
            _("Time for reflection, evidence and consensus; flexibility and learning."),
        ),
    ],
    ChecklistKind.MAINSTREAMING: [  # Figure 4.5
        (
            "awareness",
            _("1. Awareness"),
            _("Bring key stakeholders together on the purpose and objectives of mainstreaming."),
        ),
        (
            "scoping",
            _("2. Scoping"),
            _("Existing return and reintegration components in sectoral policies; timelines, actors, difficulties."),
        ),
        ("objectives", _("3. Objective setting"), _("Define and prioritise objectives with all key stakeholders.")),
        (
            "action_planning",
            _("4. Action planning"),
            _("Programmes and projects, beneficiaries, key activities and partners."),
        ),
        (
            "implementation",
            _("5. Implementation"),
            _("Implementation plan, resource mobilisation, roles and reporting."),
        ),
        (
            "monitoring",
            _("6. Monitoring"),
            _("Review the plan continuously; every new action joins the single action plan."),
        ),
    ],
}
