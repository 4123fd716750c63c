"""The individual level (docs/domain-individual.md): returnee, household, case and the steps of a case."""

import functools
import operator
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, ExtractYear
from django.db.models.lookups import Contains
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country, CountryField

from reintegra.access.fields import EncryptedCharField, EncryptedDateField, EncryptedTextField
from reintegra.access.org_key import key_target, organisation_key
from reintegra.access.roles import SensitiveCategory
from reintegra.access.versioning import Versioned
from reintegra.cases.choices import (
    ATTENTION_FLAG_BITS,
    AssessmentKind,
    AssistanceForm,
    CaseEventKind,
    CaseStatus,
    ClosureCategory,
    ClosureReason,
    ContactMode,
    Dimension,
    DocumentType,
    NameTokenKind,
    NeedLevel,
    PlanItemStatus,
    Relationship,
    ReturnType,
    Sex,
)


class YearOf(ExtractYear):
    """A date's year. SQLite keeps dates as ISO text: its first four characters (a generated column may only
    use deterministic SQL; Django's ExtractYear calls a Python function there)."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(self.lhs)
        # No ", " inside: Django's SQLite introspection splits the table's definition on it.
        return f"CAST(SUBSTR({sql},1,4) AS INTEGER)", tuple(params)


def _attention_mask() -> Any:
    """The attention flags as the sum of their bits (`ATTENTION_FLAG_BITS`), from the JSON list's text: the
    quoted code in the text, which reads the same on SQLite and PostgreSQL."""
    text = Cast("attention_flags", models.TextField())
    parts = [
        models.Case(models.When(Contains(text, f'"{code}"'), then=models.Value(bit)), default=models.Value(0))
        for code, bit in ATTENTION_FLAG_BITS.items()
    ]
    return models.ExpressionWrapper(functools.reduce(operator.add, parts), output_field=models.IntegerField())


class Returnee(Versioned):
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="returnees", verbose_name=_("organisation")
    )
    # Names, contact details and the exact birth date are encrypted at rest (docs/BLIND_INDEXES.md): they
    # are found through the keyed-hash tables NameToken and MatchKey, never by their columns.
    given_names = EncryptedCharField(_("given names"), max_length=120, blank=False)
    first_family_name = EncryptedCharField(_("first family name"), max_length=80, blank=False)
    second_family_name = EncryptedCharField(_("second family name"), max_length=80)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender_identity = EncryptedTextField(_("gender identity"), max_length=80)
    birth_date = EncryptedDateField(_("birth date"), null=True, blank=True)
    # When only an age is known we keep the estimated birth year, so the age stays right over time.
    estimated_birth_year = models.PositiveSmallIntegerField(_("estimated birth year"), null=True, blank=True)
    # The birth year in clear (exact or estimated), for statistics and the duplicate check; set by services.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True, editable=False)
    nationality: "models.Field[str | Country, Country]" = CountryField(_("nationality"))
    phone = EncryptedCharField(_("phone"), max_length=32)
    # Encrypted: an indigenous language tells the person's ethnic origin (docs/data-protection.md).
    languages = EncryptedTextField(
        _("languages"), max_length=200, help_text=_("Comma-separated, e.g. español, k'iche'")
    )
    return_country: "models.Field[str | Country, Country]" = CountryField(_("country of return"))
    admin1 = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("state / department of return"),
    )
    municipality = models.ForeignKey(
        "places.AdminArea",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality of return"),
    )
    locality = EncryptedCharField(_("locality / community"), max_length=120)
    address = EncryptedCharField(_("address"), max_length=250)
    attention_flags = models.JSONField(_("differential attention"), default=list, blank=True)
    # Facts for the monitoring engine, computed by the database whenever the row is written (by any writer:
    # the services, bulk imports, the synthetic data generator), never by a nightly rebuild.
    attention_mask = models.GeneratedField(
        expression=_attention_mask(), output_field=models.IntegerField(), db_persist=True
    )
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    # For the duplicate check (cases/name_index.py, kept in sync by services): a keyed hash of the exact
    # birth date, which ranks candidates without decrypting them, and the names and birth date in one
    # ciphertext, so that scoring a candidate costs one decryption instead of four.
    birth_date_index = models.BigIntegerField(null=True, editable=False)
    match_record = EncryptedTextField(editable=False)
    # Set by retention: personal data replaced, statistics kept.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("returnee")
        verbose_name_plural = _("returnees")
        # Not by name: names are encrypted, the database cannot sort them (lists sort by case dates).
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=~Q(given_names="") & ~Q(first_family_name=""), name="returnee_has_name"),
            key_target("returnee_organisation_key"),
        ]
        # The columns every monitoring disaggregation reads of a person, joined by id from the case: read from
        # this narrow index alone instead of the wide rows (a million returnees are a gigabyte of encrypted
        # fields). docs/scaling.md, "The monitoring engine at a million cases".
        indexes = [
            models.Index(
                fields=["id", "sex", "birth_year", "attention_mask", "municipality"], name="returnee_dimensions_idx"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def family_names(self) -> str:
        return " ".join(part for part in (self.first_family_name, self.second_family_name) if part)

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}".strip()

    def age_on(self, day: date | None = None) -> int | None:
        day = day or timezone.localdate()
        if self.birth_date:
            born: date = self.birth_date  # (an encrypted field: typed Any)
            return day.year - born.year - int((day.month, day.day) < (born.month, born.day))
        if self.estimated_birth_year:
            return day.year - self.estimated_birth_year
        return None

    @property
    def is_minor(self) -> bool:
        age = self.age_on()
        return age is not None and age < 18


class IdentityDocument(models.Model):
    returnee = models.ForeignKey(Returnee, on_delete=models.CASCADE, related_name="documents")
    # The returnee's organisation, so that the database can hold each document once per register.
    organisation = models.ForeignKey("access.Organisation", on_delete=models.PROTECT, related_name="+")
    document_type = models.CharField(_("document type"), max_length=24, choices=DocumentType.choices)
    number = EncryptedTextField(_("document number"), category=SensitiveCategory.IDENTITY_DOCUMENT)
    # Keyed hash of the normalised number: exact lookup without the number in clear.
    number_index = models.CharField(max_length=64, db_index=True, editable=False)
    issuing_country: "models.Field[str | Country, Country]" = CountryField(_("issuing country"))

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        constraints = [
            # One person per document in an organisation's register, whatever the race between two
            # registrations (the same person in two organisations' registers is two records by design).
            models.UniqueConstraint(
                fields=["organisation", "document_type", "issuing_country", "number_index"],
                name="identity_document_unique_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.get_document_type_display()


class MatchKey(models.Model):
    """Blocking keys for duplicate detection (cases/matching.py), stored as keyed hashes scoped to the
    organisation (cases/name_index.py): the table holds no phonetic code or year in clear."""

    organisation_from = "returnee"
    # PostgreSQL: the organisation key checked once per statement (`access.org_key.statement_key_sql`, migration
    # cases.0018): a manifest import writes hundreds of thousands of these rows.
    organisation_per_statement = True
    returnee = models.ForeignKey(Returnee, on_delete=models.CASCADE, related_name="+")
    organisation = organisation_key()
    key = models.BigIntegerField()

    class Meta:
        # (key, returnee) lets the duplicate check count shared keys from the index alone.
        indexes = [models.Index(fields=["key", "returnee"], name="match_key_returnee_idx")]


class NameToken(models.Model):
    """Name search index: keyed hashes of a returnee's name words, their prefixes and phonetic keys
    (matching.name_search_terms), scoped to the organisation (cases/name_index.py). A search is an index
    lookup of the digests of what was typed; no name, prefix or phonetic code is stored in clear."""

    organisation_from = "returnee"
    organisation_per_statement = True  # as MatchKey's: some 14 rows a person
    returnee = models.ForeignKey(Returnee, on_delete=models.CASCADE, related_name="+")
    organisation = organisation_key()
    kind = models.PositiveSmallIntegerField(choices=NameTokenKind.choices)
    digest = models.BigIntegerField()

    class Meta:
        # (digest, returnee): a search term is one index range, read without touching the table.
        indexes = [models.Index(fields=["digest", "returnee"], name="name_token_digest_idx")]


class Household(Versioned):
    organisation = models.ForeignKey("access.Organisation", on_delete=models.PROTECT, related_name="+")
    notes = EncryptedTextField(_("household notes"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [key_target("household_organisation_key")]


class HouseholdMember(models.Model):
    organisation_from = "household"
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    organisation = organisation_key()
    given_names = EncryptedCharField(_("given names"), max_length=120, blank=False)
    family_names = EncryptedCharField(_("family names"), max_length=160)
    relationship = models.CharField(_("relationship"), max_length=20, choices=Relationship.choices)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = EncryptedDateField(_("birth date"), null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(
        _("estimated age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    is_minor = models.BooleanField(_("minor"), default=False)
    returned_too = models.BooleanField(_("returned too"), default=False)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_names}".strip()


class Case(Versioned):
    case_number = models.CharField(_("case number"), max_length=40, unique=True)
    returnee = models.ForeignKey(Returnee, on_delete=models.PROTECT, related_name="cases", verbose_name=_("returnee"))
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("household")
    )
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation")
    )
    programme = models.ForeignKey(
        "access.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("programme"),
    )
    team = models.ForeignKey(
        "access.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases", verbose_name=_("team")
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("case manager"),
    )
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    # Return information.
    return_date = models.DateField(_("return date"))
    # The return year, computed by the database (the age at return, a monitoring disaggregation, is this year
    # minus the returnee's birth year).
    return_year = models.GeneratedField(
        expression=YearOf("return_date"), output_field=models.IntegerField(), db_persist=True
    )
    return_type = models.CharField(_("return type"), max_length=24, choices=ReturnType.choices)
    host_country: "models.Field[str | Country, Country]" = CountryField(_("host country"), blank=True, default="")
    transit_countries = models.JSONField(_("transit countries"), default=list, blank=True)
    reception_place = EncryptedTextField(_("reception place"), max_length=200)
    reception_assistance = models.JSONField(_("assistance received at reception"), default=list, blank=True)
    causes_of_migration = models.JSONField(_("causes of migration"), default=list, blank=True)
    causes_note = EncryptedTextField(_("other causes / details"), max_length=300)
    # Closure.
    closure_reason = models.CharField(
        _("closure reason"), max_length=30, choices=ClosureReason.choices, blank=True, default=""
    )
    closure_category = models.CharField(
        _("closure category"), max_length=12, choices=ClosureCategory.choices, blank=True, default=""
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_note = EncryptedTextField(_("closure note"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-return_date", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="case_org_status_idx"),
            models.Index(fields=["case_manager", "status"], name="case_manager_status_idx"),
            models.Index(fields=["team", "status"], name="case_team_status_idx"),
            models.Index(fields=["return_date", "id"], name="case_return_date_idx"),
            # A name search goes from the people its tokens find to their cases: with the case's organisation,
            # return date and id in the index that lookup reads no table row (an index-only scan on PostgreSQL).
            models.Index(fields=["returnee", "organisation", "return_date", "id"], name="case_returnee_search_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=CaseStatus.CLOSED) | (~Q(closure_reason="") & Q(closed_on__isnull=False)),
                name="closed_case_has_reason",
            ),
            key_target("case_organisation_key"),
        ]

    def __str__(self) -> str:
        return self.case_number

    @property
    def is_closed(self) -> bool:
        return self.status == CaseStatus.CLOSED


class CaseSearchToken(models.Model):
    """The name search index at the level of the case: one row per case and search token of its returnee
    (`NameToken`'s digests), with the case's organisation and return date, so that a search's first page (newest
    return first) and its capped count walk one index range per token without reading a case
    (docs/BLIND_INDEXES.md, `cases.selectors.search_cases`). Kept by `cases.name_index` (the writes of a
    person's names, a case's receivers) and rebuilt by `reintegra rebuild-search-index`; holds no name."""

    # (case, digest) is the key: a case's rows are found (rewritten, deleted) by its index, and no id is stored.
    pk = models.CompositePrimaryKey("case", "digest")
    # The organisation is the case's (access.org_key): the database holds `(case_id, organisation_id)` to the
    # case's `(id, organisation_id)` by one composite foreign key (migration cases.0016), which also checks that
    # the case exists, so the case's own single-column constraint is not kept (one check per row, not two).
    organisation_from = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, db_index=False, db_constraint=False, related_name="+")
    # Copies of the case's columns (kept exact by `name_index.case_saved`; the organisation also by the
    # database): no index of their own.
    organisation = models.ForeignKey(
        "access.Organisation", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    returnee = models.ForeignKey(
        Returnee, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    return_date = models.DateField()
    digest = models.BigIntegerField()

    class Meta:
        # A token's cases of one organisation in return-date order, read from the index alone (the returnee
        # lets the other typed words be checked on NameToken's index).
        indexes = [
            models.Index(
                fields=["digest", "organisation", "return_date", "case", "returnee"], name="case_search_token_idx"
            )
        ]


class CaseNumberSequence(models.Model):
    """Per organisation and year counter, locked while a number is drawn."""

    organisation = models.ForeignKey("access.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "year"], name="case_sequence_unique")]


class Assessment(Versioned):
    organisation_from = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    organisation = organisation_key()
    kind = models.CharField(_("kind"), max_length=20, choices=AssessmentKind.choices, default=AssessmentKind.INITIAL)
    assessed_on = models.DateField(_("date"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("assessed by")
    )
    # The assessment's free text is encrypted; the need levels stay in clear for statistics.
    needs_vulnerabilities = EncryptedTextField(_("needs and vulnerabilities"))
    capacities_skills = EncryptedTextField(_("capacities and skills"))
    risk_factors = EncryptedTextField(_("risk factors"))
    protective_factors = EncryptedTextField(_("protective factors"))
    family_situation = EncryptedTextField(_("family situation"))
    economic_need = models.CharField(
        _("economic need"), max_length=10, choices=NeedLevel.choices, default=NeedLevel.NONE
    )
    economic_needs = EncryptedTextField(_("economic needs"))
    social_need = models.CharField(_("social need"), max_length=10, choices=NeedLevel.choices, default=NeedLevel.NONE)
    social_needs = EncryptedTextField(_("social needs"))
    psychosocial_need = models.CharField(
        _("psychosocial need"), max_length=10, choices=NeedLevel.choices, default=NeedLevel.NONE
    )
    psychosocial_needs = EncryptedTextField(_("psychosocial needs"))
    protection_concerns = EncryptedTextField(_("protection concerns"), category=SensitiveCategory.PROTECTION)
    health_notes = EncryptedTextField(_("health"), category=SensitiveCategory.HEALTH)
    mental_health_notes = EncryptedTextField(_("mental health"), category=SensitiveCategory.MENTAL_HEALTH)
    gbv_notes = EncryptedTextField(_("gender-based violence"), category=SensitiveCategory.GBV)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-id"]


class CounsellingSession(models.Model):
    organisation_from = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="counselling_sessions")
    organisation = organisation_key()
    held_on = models.DateField(_("date"))
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("counsellor")
    )
    mode = models.CharField(_("mode"), max_length=12, choices=ContactMode.choices, default=ContactMode.IN_PERSON)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    topics = EncryptedTextField(_("topics"), max_length=300)
    notes = EncryptedTextField(_("psychosocial notes"), category=SensitiveCategory.PSYCHOSOCIAL)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        ordering = ["-held_on", "-id"]


class ReintegrationPlan(Versioned):
    organisation_from = "case"
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    organisation = organisation_key()
    goals = EncryptedTextField(_("goals"))
    motivations = EncryptedTextField(_("motivations"))
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    agreed_late_reason = EncryptedTextField(_("reason for agreeing after the first month"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reintegration plan")
        verbose_name_plural = _("reintegration plans")
        constraints = [key_target("plan_organisation_key")]

    @property
    def is_agreed(self) -> bool:
        return self.agreed_on is not None


class PlanItem(models.Model):
    organisation_from = "plan"
    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="items")
    organisation = organisation_key()
    dimension = models.CharField(_("dimension"), max_length=12, choices=Dimension.choices)
    approach = models.CharField(_("approach"), max_length=120)
    description = EncryptedTextField(_("description"))
    assistance_form = models.CharField(_("form of assistance"), max_length=10, choices=AssistanceForm.choices)
    amount = models.DecimalField(
        _("amount"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="")
    responsible = models.CharField(_("responsible"), max_length=160, blank=True, default="")
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanItemStatus.choices, default=PlanItemStatus.PLANNED
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["dimension", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""), name="plan_item_amount_has_currency"
            ),
        ]

    def __str__(self) -> str:
        return self.approach


class FollowUpVisit(models.Model):
    organisation_from = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    organisation = organisation_key()
    visited_on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=12, choices=ContactMode.choices, default=ContactMode.IN_PERSON)
    conducted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("conducted by")
    )
    notes = EncryptedTextField(_("notes"))
    significant_changes = EncryptedTextField(_("significant changes"))
    next_visit_on = models.DateField(_("next visit"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        ordering = ["-visited_on", "-id"]
        constraints = [key_target("visit_organisation_key")]
        # A case's visits in a period, counted from the index alone; the visits of a period with their case, for
        # monitoring's visits in the period (grouped by case, or by the case's disaggregations).
        indexes = [
            models.Index(fields=["case", "visited_on"], name="cases_visit_case_day"),
            models.Index(fields=["visited_on", "case"], name="visit_day_case_idx"),
        ]


class PlanItemProgress(models.Model):
    organisation_from = "visit"
    visit = models.ForeignKey(FollowUpVisit, on_delete=models.CASCADE, related_name="progress")
    organisation = organisation_key()
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="progress")
    status = models.CharField(_("status"), max_length=12, choices=PlanItemStatus.choices)
    note = EncryptedTextField(_("note"), max_length=300)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="progress_unique_item")]


class CaseEvent(models.Model):
    """One line of the case timeline. Written by services only, never edited."""

    organisation_from = "case"
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    organisation = organisation_key()
    kind = models.CharField(max_length=20, choices=CaseEventKind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # Non-sensitive summary (status names, reason codes, dates); never free-text notes.
    data = models.JSONField(default=dict, blank=True)
    # The free text an event carries (the reason a case was reopened), encrypted.
    note = EncryptedTextField(max_length=300)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["case", "occurred_at"], name="case_event_idx")]
