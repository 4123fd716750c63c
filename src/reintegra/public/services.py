"""Every write of the public app: the public forms (feedback, information requests; no user, spam-checked),
the staff steps on feedback (record, acknowledge, note, respond, close the loop), the answers to information
requests and their anonymised publication, the practical guides (versioned, reviewed) and a programme's
public settings. Each staff service checks capability and object on its first line; each refusal is a
`ValidationError` keyed by field with a code, or a `TransitionError` for a step the status does not allow.

Sensitive feedback (SEA, fraud, staff misconduct, safety) may be recorded by any staff member who hears it,
but only the focal point (Capability.HANDLE_SENSITIVE_FEEDBACK) reads and handles it afterwards."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from auditlog.context import set_actor
from django.db import transaction
from django.db.models import Choices
from django.utils import timezone
from django.utils.translation import gettext as _

from reintegra.access import permissions
from reintegra.access.audit import record_access
from reintegra.access.models import AccessEvent, Programme
from reintegra.access.roles import Capability
from reintegra.access.transitions import TransitionError
from reintegra.cases import scoping as case_scoping
from reintegra.cases.models import Case
from reintegra.cases.permissions import require_case_write
from reintegra.places.models import AdminArea
from reintegra.public import selectors, spam
from reintegra.public.choices import (
    SATISFACTION_ITEMS,
    FeedbackChannel,
    FeedbackKind,
    FeedbackPriority,
    FeedbackStatus,
    FeedbackStep,
    GuideLanguage,
    GuideTopic,
    InformationRequestStatus,
    RequesterKind,
    SatisfactionAnswer,
    SensitiveConcern,
)
from reintegra.public.models import (
    Feedback,
    FeedbackEvent,
    Guide,
    GuideVersion,
    InformationRequest,
    PublicSettings,
    SatisfactionSurvey,
)
from reintegra.referrals.models import ServiceProvider
from reintegra.validation import FieldErrors

if TYPE_CHECKING:
    from datetime import date

    from reintegra.access.models import User

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone
CODE_LENGTH = 10
MAX_TEXT = 4000
MAX_CONTACT = 300


@contextmanager
def _write(user: User | None) -> Iterator[None]:
    with transaction.atomic(), set_actor(user):
        yield


def new_tracking_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _choice(errors: FieldErrors, name: str, value: str, allowed: type[Choices], *, blank: bool = False) -> None:
    if (blank and value == "") or value in allowed.values:
        return
    if value == "":
        errors.add(name, _("This field is required."), "required")
    else:
        errors.add(name, _("Choose a value from the list."), "invalid_choice")


def _text(errors: FieldErrors, name: str, value: str, limit: int, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.add(name, _("This field is required."), "required")
    if len(value) > limit:
        errors.add(name, _("Write at most %(limit)s characters."), "max_length", {"limit": limit})
    return value


def _public_programme(errors: FieldErrors, programme_id: int | None) -> Programme | None:
    if programme_id is None:
        errors.add("programme", _("This field is required."), "required")
        return None
    found = next((p for p in selectors.public_programmes() if p.pk == programme_id), None)
    if found is None:
        errors.add("programme", _("Choose a value from the list."), "invalid_choice")
    return found


def _public_municipality(errors: FieldErrors, municipality_id: int | None) -> AdminArea | None:
    if municipality_id is None:
        return None
    try:
        return selectors.get_municipality(municipality_id)
    except AdminArea.DoesNotExist:
        errors.add("municipality", _("Choose a value from the list."), "invalid_choice")
        return None


def _deadlines(programme: Programme, kind: str, received: date) -> tuple[date, date]:
    settings = selectors.settings_of(programme)
    days = settings.sensitive_acknowledge_days if kind == FeedbackKind.SENSITIVE else settings.acknowledge_days
    return received + timedelta(days=days), received + timedelta(days=settings.resolve_days)


# --- feedback: the public form ----------------------------------------------------------------------


@dataclass(frozen=True)
class PublicFeedbackInput:
    programme: int | None
    kind: str
    text: str
    concern: str = ""
    municipality: int | None = None
    contact: str = ""


def _kind_errors(errors: FieldErrors, kind: str, concern: str) -> None:
    _choice(errors, "kind", kind, FeedbackKind)
    if kind == FeedbackKind.SENSITIVE:
        _choice(errors, "concern", concern, SensitiveConcern)
    elif concern:
        errors.add("concern", _("Only a sensitive report says what it is about."), "not_sensitive")


def submit_feedback(submission: spam.Submission, data: PublicFeedbackInput) -> Feedback:
    """Feedback from the public form, anonymous unless a contact is given; returns it with its tracking code."""
    errors = FieldErrors()
    programme = _public_programme(errors, data.programme)
    _kind_errors(errors, data.kind, data.concern)
    text = _text(errors, "text", data.text, MAX_TEXT, required=True)
    contact = _text(errors, "contact", data.contact, MAX_CONTACT, required=False)
    area = _public_municipality(errors, data.municipality)
    spam.check(errors, submission)
    errors.raise_if_any()
    assert programme is not None
    return _create_feedback(
        None, programme, data.kind, data.concern, FeedbackChannel.WEB, FeedbackPriority.NORMAL, text, contact, area
    )


def _create_feedback(
    user: User | None,
    programme: Programme,
    kind: str,
    concern: str,
    channel: str,
    priority: str,
    text: str,
    contact: str,
    area: AdminArea | None,
    case: Case | None = None,
    provider: ServiceProvider | None = None,
) -> Feedback:
    now = timezone.now()
    acknowledge_by, resolve_by = _deadlines(programme, kind, timezone.localdate(now))
    if kind == FeedbackKind.SENSITIVE and priority in (FeedbackPriority.LOW, FeedbackPriority.NORMAL):
        priority = FeedbackPriority.HIGH  # a sensitive report is never handled at normal pace
    with _write(user):
        item = Feedback.objects.create(
            tracking_code=_free_code(Feedback),
            programme=programme,
            kind=kind,
            concern=concern if kind == FeedbackKind.SENSITIVE else "",
            channel=channel,
            priority=priority,
            municipality=area,
            case=case,
            case_consent=case is not None,
            provider=provider,
            text=text,
            contact=contact,
            acknowledge_by=acknowledge_by,
            resolve_by=resolve_by,
            recorded_by=user,
            received_at=now,
        )
        FeedbackEvent.objects.create(feedback=item, step=FeedbackStep.RECEIVED, actor=user, at=now)
    return item


def _free_code(model: type[Feedback] | type[InformationRequest]) -> str:
    while True:
        code = new_tracking_code()
        if not model.objects.filter(tracking_code=code).exists():
            return code


# --- feedback: staff ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackInput:
    programme: int | None
    kind: str
    channel: str
    text: str
    priority: str = FeedbackPriority.NORMAL
    concern: str = ""
    municipality: int | None = None
    contact: str = ""
    case: int | None = None
    case_consent: bool = False
    provider: int | None = None


def _staff_programme(errors: FieldErrors, user: User, programme_id: int | None) -> Programme | None:
    if programme_id is None:
        errors.add("programme", _("This field is required."), "required")
        return None
    found = selectors.programmes_for(user).filter(pk=programme_id).first()
    if found is None:
        errors.add("programme", _("Choose a value from the list."), "invalid_choice")
    return found


def _linked_case(errors: FieldErrors, user: User, data: FeedbackInput) -> Case | None:
    if data.case is None:
        return None
    case = Case.objects.filter(pk=data.case).first()
    if case is None or not case_scoping.can_see_case(user, case):
        errors.add("case", _("Choose a value from the list."), "invalid_choice")
        return None
    if not data.case_consent:
        errors.add(
            "case_consent", _("Link the case only when the person agrees: tick their consent."), "consent_required"
        )
    return case


def record_feedback(user: User, data: FeedbackInput) -> Feedback:
    """Feedback a staff member heard in person, by phone or at a case's closure."""
    permissions.require(user, Capability.HANDLE_FEEDBACK)
    errors = FieldErrors()
    programme = _staff_programme(errors, user, data.programme)
    _kind_errors(errors, data.kind, data.concern)
    _choice(errors, "channel", data.channel, FeedbackChannel)
    _choice(errors, "priority", data.priority, FeedbackPriority)
    text = _text(errors, "text", data.text, MAX_TEXT, required=True)
    contact = _text(errors, "contact", data.contact, MAX_CONTACT, required=False)
    area = None
    if data.municipality is not None:
        area = AdminArea.objects.filter(pk=data.municipality).first()
        if area is None:
            errors.add("municipality", _("Choose a value from the list."), "invalid_choice")
    case = _linked_case(errors, user, data)
    provider = _linked_provider(errors, programme, data.provider)
    errors.raise_if_any()
    assert programme is not None
    return _create_feedback(
        user, programme, data.kind, data.concern, data.channel, data.priority, text, contact, area, case, provider
    )


def _linked_provider(
    errors: FieldErrors, programme: Programme | None, provider_id: int | None
) -> ServiceProvider | None:
    """An active provider of the directory working in one of the programme's countries (the directory is
    shared; a provider elsewhere cannot be what this programme's feedback is about)."""
    if provider_id is None:
        return None
    found = selectors.providers_for_feedback(programme).filter(pk=provider_id).first() if programme else None
    if found is None and programme is not None:
        errors.add("provider", _("Choose a value from the list."), "invalid_choice")
    return found


def require_feedback_handler(user: User, item: Feedback) -> None:
    """PermissionDenied unless the user handles this item (their organisation's; sensitive: focal point)."""
    permissions.require(user, Capability.HANDLE_FEEDBACK, Capability.HANDLE_SENSITIVE_FEEDBACK)
    if not selectors.feedback_for(user).filter(pk=item.pk).exists():
        raise permissions.denied()


def record_read(user: User, item: Feedback, *, channel: str = "web") -> None:
    """The access trail of a read of an item (sensitive ones flagged: their own trail for the focal point)."""
    record_access(user, AccessEvent.Action.VIEW, item, flagged=item.kind == FeedbackKind.SENSITIVE, channel=channel)


def _locked(item: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().get(pk=item.pk)


def _step(item: Feedback, user: User, step: str, note: str = "") -> None:
    FeedbackEvent.objects.create(feedback=item, step=step, actor=user, note=note)


def acknowledge_feedback(user: User, item: Feedback, *, note: str = "") -> Feedback:
    require_feedback_handler(user, item)
    errors = FieldErrors()
    note = _text(errors, "note", note, MAX_TEXT, required=False)
    errors.raise_if_any()
    with _write(user):
        locked = _locked(item)
        if locked.status != FeedbackStatus.RECEIVED:
            raise TransitionError(_("This item was acknowledged already."), "already_acknowledged")
        locked.status = FeedbackStatus.ACKNOWLEDGED
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["status", "acknowledged_at"])
        _step(locked, user, FeedbackStep.ACKNOWLEDGED, note)
    return locked


def add_note(user: User, item: Feedback, *, note: str) -> Feedback:
    require_feedback_handler(user, item)
    errors = FieldErrors()
    note = _text(errors, "note", note, MAX_TEXT, required=True)
    errors.raise_if_any()
    with _write(user):
        _step(item, user, FeedbackStep.NOTE, note)
    return item


def respond_feedback(user: User, item: Feedback, *, response: str) -> Feedback:
    """The response (shown to whoever follows the item with its tracking code); acknowledges it if needed."""
    require_feedback_handler(user, item)
    errors = FieldErrors()
    response = _text(errors, "response", response, MAX_TEXT, required=True)
    errors.raise_if_any()
    with _write(user):
        locked = _locked(item)
        if locked.status == FeedbackStatus.CLOSED:
            raise TransitionError(_("This item is closed: its response was communicated."), "feedback_closed")
        now = timezone.now()
        locked.acknowledged_at = locked.acknowledged_at or now
        locked.status = FeedbackStatus.RESPONDED
        locked.responded_at = now
        locked.response = response
        locked.save(update_fields=["status", "acknowledged_at", "responded_at", "response"])
        _step(locked, user, FeedbackStep.RESPONDED)
    return locked


def close_loop(user: User, item: Feedback, *, how: str) -> Feedback:
    """Records that the response reached the person (how: a call, a visit, the tracking page...)."""
    require_feedback_handler(user, item)
    errors = FieldErrors()
    how = _text(errors, "how", how, 200, required=True)
    errors.raise_if_any()
    with _write(user):
        locked = _locked(item)
        if locked.status != FeedbackStatus.RESPONDED:
            raise TransitionError(_("Respond first, then record that the response was communicated."), "not_responded")
        locked.status = FeedbackStatus.CLOSED
        locked.closed_at = timezone.now()
        locked.communicated_how = how
        locked.save(update_fields=["status", "closed_at", "communicated_how"])
        _step(locked, user, FeedbackStep.LOOP_CLOSED, how)
    return locked


def set_provider(user: User, item: Feedback, *, provider: int | None) -> Feedback:
    """Names (or changes, or removes with None) the service provider the item is about, after it was received:
    a provider of the directory the item's programme may name (`selectors.providers_for_feedback`, as when it
    is recorded). A line of the handling history says which (a provider's name is not personal); the change
    itself is in the audit trail."""
    require_feedback_handler(user, item)
    errors = FieldErrors()
    found = _linked_provider(errors, item.programme, provider)
    errors.raise_if_any()
    with _write(user):
        locked = _locked(item)  # the stored provider, not the caller's copy of the item
        if (found.pk if found else None) == locked.provider_id:
            errors.add("provider", _("This is already the service provider concerned."), "unchanged")
            errors.raise_if_any()
        locked.provider = found
        locked.save(update_fields=["provider"])
        _step(locked, user, FeedbackStep.PROVIDER, found.name if found else "")
    return locked


# --- information requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class InformationRequestInput:
    programme: int | None
    requester_kind: str
    question: str
    municipality: int | None = None
    topic: str = GuideTopic.OTHER
    contact: str = ""
    agrees_to_publish: bool = False


def submit_information_request(submission: spam.Submission, data: InformationRequestInput) -> InformationRequest:
    errors = FieldErrors()
    programme = _public_programme(errors, data.programme)
    _choice(errors, "requester_kind", data.requester_kind, RequesterKind)
    _choice(errors, "topic", data.topic, GuideTopic)
    question = _text(errors, "question", data.question, MAX_TEXT, required=True)
    contact = _text(errors, "contact", data.contact, MAX_CONTACT, required=False)
    area = _public_municipality(errors, data.municipality)
    spam.check(errors, submission)
    errors.raise_if_any()
    assert programme is not None
    with _write(None):
        return InformationRequest.objects.create(
            tracking_code=_free_code(InformationRequest),
            programme=programme,
            municipality=area,
            topic=data.topic,
            requester_kind=data.requester_kind,
            question=question,
            contact=contact,
            agrees_to_publish=data.agrees_to_publish,
        )


def require_request_handler(user: User, request: InformationRequest) -> None:
    permissions.require(user, Capability.PUBLISH_INFORMATION)
    permissions.require_holding_organisation(user, request.programme.organisation_id)


def answer_request(user: User, request: InformationRequest, *, answer: str) -> InformationRequest:
    require_request_handler(user, request)
    errors = FieldErrors()
    answer = _text(errors, "answer", answer, MAX_TEXT, required=True)
    errors.raise_if_any()
    with _write(user):
        locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
        locked.answer = answer
        if locked.status == InformationRequestStatus.OPEN:
            locked.status = InformationRequestStatus.ANSWERED
        locked.answered_by = user
        locked.answered_at = timezone.now()
        locked.save(update_fields=["answer", "status", "answered_by", "answered_at"])
    return locked


def publish_request(
    user: User, request: InformationRequest, *, public_question: str, public_answer: str
) -> InformationRequest:
    """Publishes the anonymised question and answer on the municipality's page (only with the agreement)."""
    require_request_handler(user, request)
    errors = FieldErrors()
    public_question = _text(errors, "public_question", public_question, MAX_TEXT, required=True)
    public_answer = _text(errors, "public_answer", public_answer, MAX_TEXT, required=True)
    if request.municipality_id is None:
        errors.add("public_question", _("Only a question about a municipality is published."), "no_municipality")
    with _write(user):
        locked = InformationRequest.objects.select_for_update().get(pk=request.pk)
        if not locked.agrees_to_publish:
            raise TransitionError(_("The person did not agree to publish their question."), "no_agreement")
        if locked.status == InformationRequestStatus.OPEN:
            raise TransitionError(_("Answer the question before publishing it."), "not_answered")
        errors.raise_if_any()
        locked.public_question = public_question
        locked.public_answer = public_answer
        locked.status = InformationRequestStatus.PUBLISHED
        locked.save(update_fields=["public_question", "public_answer", "status"])
    return locked


# --- guides --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GuideInput:
    programme: int | None
    country: str
    topic: str
    title: str
    body: str
    language: str = GuideLanguage.ES
    municipality: int | None = None
    is_published: bool = True


def require_guide_write(user: User, guide: Guide) -> None:
    permissions.require(user, Capability.PUBLISH_INFORMATION)
    permissions.require_holding_organisation(user, guide.programme.organisation_id)


def _guide_errors(user: User, data: GuideInput) -> tuple[FieldErrors, Programme | None, AdminArea | None]:
    errors = FieldErrors()
    programme = _staff_programme(errors, user, data.programme)
    country = (data.country or "").strip().upper()
    if len(country) != 2:
        errors.add("country", _("This field is required."), "required")
    _choice(errors, "topic", data.topic, GuideTopic)
    _choice(errors, "language", data.language, GuideLanguage)
    _text(errors, "title", data.title, 200, required=True)
    _text(errors, "body", data.body, 20000, required=True)
    area = None
    if data.municipality is not None:
        area = AdminArea.objects.filter(pk=data.municipality, country=country).first()
        if area is None:
            errors.add("municipality", _("Choose a municipality of the guide's country."), "invalid_choice")
    return errors, programme, area


def save_guide(user: User, guide: Guide | None, data: GuideInput) -> Guide:
    """Creates a guide or writes a new version of it; either way it counts as reviewed today."""
    permissions.require(user, Capability.PUBLISH_INFORMATION)
    if guide is not None:
        require_guide_write(user, guide)
    errors, programme, area = _guide_errors(user, data)
    errors.raise_if_any()
    assert programme is not None
    today = timezone.localdate()
    months = selectors.settings_of(programme).guide_review_months
    with _write(user):
        target = Guide() if guide is None else Guide.objects.select_for_update().get(pk=guide.pk)
        changed = guide is None or (target.title, target.body) != (data.title.strip(), data.body.strip())
        target.programme = programme
        target.country = data.country.strip().upper()
        target.municipality = area
        target.topic = data.topic
        target.language = data.language
        target.title = data.title.strip()
        target.body = data.body.strip()
        target.is_published = data.is_published
        target.owner = target.owner if guide is not None else user
        target.last_reviewed_on = today
        target.review_due_on = today + timedelta(days=30 * months)
        target.updated_at = timezone.now()
        if guide is not None and changed:
            target.version += 1
        target.save()
        if changed:
            GuideVersion.objects.create(
                guide=target, version=target.version, title=target.title, body=target.body, edited_by=user
            )
    return target


def mark_guide_reviewed(user: User, guide: Guide) -> Guide:
    """The text is still right: stamps today's review and sets the next review date."""
    require_guide_write(user, guide)
    today = timezone.localdate()
    months = selectors.settings_of(guide.programme).guide_review_months
    with _write(user):
        locked = Guide.objects.select_for_update().get(pk=guide.pk)
        locked.last_reviewed_on = today
        locked.review_due_on = today + timedelta(days=30 * months)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["last_reviewed_on", "review_due_on", "updated_at"])
    return locked


# --- a programme's public settings --------------------------------------------------------------------


@dataclass(frozen=True)
class SettingsInput:
    is_listed: bool
    summary: str = ""
    eligibility: str = ""
    acknowledge_days: int | None = None
    sensitive_acknowledge_days: int | None = None
    resolve_days: int | None = None
    guide_review_months: int | None = None


def _days(errors: FieldErrors, name: str, value: int | None, low: int, high: int) -> int | None:
    if value is None:
        errors.add(name, _("This field is required."), "required")
    elif not low <= value <= high:
        errors.add(name, _("Give a number from %(low)s to %(high)s."), "out_of_range", {"low": low, "high": high})
    return value


def save_settings(user: User, programme: Programme, data: SettingsInput) -> PublicSettings:
    permissions.require(user, Capability.PUBLISH_INFORMATION)
    permissions.require_holding_organisation(user, programme.organisation_id)
    errors = FieldErrors()
    summary = _text(errors, "summary", data.summary, MAX_TEXT, required=data.is_listed)
    eligibility = _text(errors, "eligibility", data.eligibility, MAX_TEXT, required=data.is_listed)
    _days(errors, "acknowledge_days", data.acknowledge_days, 1, 60)
    _days(errors, "sensitive_acknowledge_days", data.sensitive_acknowledge_days, 1, 14)
    _days(errors, "resolve_days", data.resolve_days, 1, 180)
    _days(errors, "guide_review_months", data.guide_review_months, 1, 24)
    if (data.acknowledge_days or 0) > (data.resolve_days or 0) and "resolve_days" not in errors:
        errors.add("resolve_days", _("Resolve no sooner than acknowledging."), "out_of_range")
    errors.raise_if_any()
    with _write(user):
        settings, _created = PublicSettings.objects.select_for_update().get_or_create(programme=programme)
        settings.is_listed = data.is_listed
        settings.summary = summary
        settings.eligibility = eligibility
        settings.acknowledge_days = data.acknowledge_days or 0
        settings.sensitive_acknowledge_days = data.sensitive_acknowledge_days or 0
        settings.resolve_days = data.resolve_days or 0
        settings.guide_review_months = data.guide_review_months or 0
        settings.save()
    return settings


# --- a case's satisfaction survey ---------------------------------------------------------------------

ANSWER_POINTS = {SatisfactionAnswer.YES: 1.0, SatisfactionAnswer.PARTLY: 0.5, SatisfactionAnswer.NO: 0.0}


@dataclass(frozen=True)
class SatisfactionInput:
    taken_on: date | None
    informed_of_options: str
    took_part_in_decisions: str
    confidentiality_respected: str
    would_recommend: str
    comment: str = ""


def satisfaction_score(answers: dict[str, str]) -> float:
    """The share of the items answered "yes" ("partly" counts half), 0–100, rounded to one decimal."""
    points = [ANSWER_POINTS[SatisfactionAnswer(answers[name])] for name, _question in SATISFACTION_ITEMS]
    return round(100 * sum(points) / len(points), 1)


def record_satisfaction_survey(user: User, case: Case, data: SatisfactionInput) -> SatisfactionSurvey:
    """The case manager records what the person answered: a case the user may change (their organisation
    holds it and they see it). Not on a case that is not open yet, nor dated in the future or before return."""
    require_case_write(user, case)
    errors = FieldErrors()
    answers = {name: getattr(data, name) for name, _question in SATISFACTION_ITEMS}
    for name, value in answers.items():
        _choice(errors, name, value, SatisfactionAnswer)
    comment = _text(errors, "comment", data.comment, MAX_TEXT, required=False)
    if data.taken_on is None:
        errors.add("taken_on", _("This field is required."), "required")
    elif data.taken_on > timezone.localdate():
        errors.add("taken_on", _("The date cannot be in the future."), "future_date")
    elif case.return_date and data.taken_on < case.return_date:
        errors.add("taken_on", _("The survey cannot be dated before the return."), "before_return")
    errors.raise_if_any()
    assert data.taken_on is not None
    with _write(user):
        return SatisfactionSurvey.objects.create(
            case=case,
            taken_on=data.taken_on,
            score=satisfaction_score(answers),
            comment=comment,
            recorded_by=user,
            **answers,
        )
