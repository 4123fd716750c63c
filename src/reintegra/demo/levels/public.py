"""Demo data of the public portal (data/public.yaml): oim-gt's public page, the Guatemalan directory services it
marks public, guides for the whole country and five municipalities, questions from abroad in every state and
feedback in every state (the items heard by staff tied to a provider of the directory), with one sensitive report
that only the feedback focal point ("focal") sees, and satisfaction surveys on some of oim-gt's cases. Written
through the public and referrals services by the programme manager ("gerente") and the case manager
("gestora"), so every rule applies."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.utils import timezone

from reintegra.access.models import Programme, User
from reintegra.cases.models import Case
from reintegra.demo import vocabulary
from reintegra.demo.levels.context import DemoContext
from reintegra.places.models import AdminArea
from reintegra.public import selectors, services, spam
from reintegra.public.models import Feedback, Guide, InformationRequest
from reintegra.referrals import services as referral_services
from reintegra.referrals.models import Service

_DATA = vocabulary.load("public.yaml")


def load(context: DemoContext) -> str:
    org = context.organisations.get("oim-gt")
    manager = context.users.get("gerente")
    recorder = context.users.get("gestora")
    if org is None or manager is None or recorder is None:
        return "Public portal: no demo organisation."
    programme = Programme.objects.filter(organisation=org).order_by("pk").first()
    if programme is None or Guide.objects.filter(programme=programme).exists():
        return "Public portal: demo data already present."
    settings = _DATA["settings"]
    services.save_settings(
        manager, programme, services.SettingsInput(True, settings["summary"], settings["eligibility"], 3, 1, 30, 6)
    )
    marked = _public_services(manager)
    areas = _municipalities()
    guides = _guides(manager, programme, areas)
    questions = _questions(manager, programme, areas)
    items = _feedback(manager, recorder, programme, areas)
    surveys = _satisfaction_surveys(programme)
    return (
        f"Public portal: {marked} public services, {guides} guides, {questions} questions from abroad, "
        f"{items} feedback items (one sensitive, for the focal point), {surveys} satisfaction surveys."
    )


def _public_services(manager: User) -> int:
    count = 0
    for code, contact in _DATA["public_services"].items():
        service = Service.objects.filter(code=code).first()
        if service is None:
            continue
        data = replace(referral_services.ServiceInput.of(service), is_public=True, public_contact=contact)
        referral_services.save_service(manager, data, service)
        count += 1
    return count


def _municipalities() -> dict[str, AdminArea]:
    names = _DATA["municipalities"]
    found = AdminArea.objects.filter(country="GT", level=2, name__in=names).order_by("code")
    return {area.name: area for area in found}


def _guides(manager: User, programme: Programme, areas: dict[str, AdminArea]) -> int:
    count = 0
    for entry in _DATA["country_guides"]:
        data = services.GuideInput(
            programme.pk, "GT", entry["topic"], entry["title"], entry["body"], entry.get("language", "es")
        )
        services.save_guide(manager, None, data)
        count += 1
    for name, area in areas.items():
        for entry in _DATA["municipal_guides"]:
            title = entry["title"].format(municipality=name)
            data = services.GuideInput(programme.pk, "GT", entry["topic"], title, entry["body"], municipality=area.pk)
            services.save_guide(manager, None, data)
            count += 1
    # One guide past its review date: flagged on the portal, reminded to its owner.
    first = Guide.objects.filter(programme=programme, topic="health").order_by("pk").values_list("pk", flat=True)[:1]
    Guide.objects.filter(pk__in=list(first)).update(review_due_on=timezone.localdate() - timedelta(days=10))
    return count


def _submission(n: int) -> spam.Submission:
    """A demo submission from its own address, with its challenge answered (the demo writes as the form does)."""
    from django.core import signing

    challenge = spam.new_challenge()
    total = signing.loads(challenge.token, salt=spam.SALT)["s"]
    return spam.Submission(f"demo-{n}", challenge.token, str(total))


def _backdate(model: type[Feedback] | type[InformationRequest], pk: int, days_ago: int, **more: Any) -> None:
    when = timezone.now() - timedelta(days=days_ago)
    model.objects.filter(pk=pk).update(received_at=when, **more)


def _questions(manager: User, programme: Programme, areas: dict[str, AdminArea]) -> int:
    for n, entry in enumerate(_DATA["questions"]):
        area = areas.get(entry["municipality"])
        data = services.InformationRequestInput(
            programme=programme.pk,
            requester_kind=entry["kind"],
            question=entry["question"],
            municipality=area.pk if area else None,
            topic=entry["topic"],
            agrees_to_publish=bool(entry.get("publish")),
        )
        request = services.submit_information_request(_submission(100 + n), data)
        _backdate(InformationRequest, request.pk, entry["days_ago"])
        if entry.get("answer"):
            services.answer_request(manager, request, answer=entry["answer"])
        if entry.get("publish"):
            services.publish_request(
                manager, request, public_question=entry["public_question"], public_answer=entry["public_answer"]
            )
    return len(_DATA["questions"])


def _feedback(manager: User, recorder: User, programme: Programme, areas: dict[str, AdminArea]) -> int:
    # What staff hear is often about a provider (a clinic, a training centre): a few of the directory's.
    providers = list(selectors.providers_for_feedback(programme).filter(services__isnull=False).distinct()[:3])
    for n, entry in enumerate(_DATA["feedback"]):
        area = areas.get(entry["municipality"])
        if entry["channel"] == "web":
            item = services.submit_feedback(
                _submission(n),
                services.PublicFeedbackInput(
                    programme.pk, entry["kind"], entry["text"], municipality=area.pk if area else None
                ),
            )
        else:
            item = services.record_feedback(
                recorder,
                services.FeedbackInput(
                    programme.pk,
                    entry["kind"],
                    entry["channel"],
                    entry["text"],
                    municipality=area.pk if area else None,
                    provider=providers[n % len(providers)].pk if providers else None,
                ),
            )
        _steps(manager, item, entry)
        received = timezone.localdate() - timedelta(days=entry["days_ago"])
        _backdate(
            Feedback,
            item.pk,
            entry["days_ago"],
            acknowledge_by=received + timedelta(days=3),
            resolve_by=received + timedelta(days=30),
        )
    s = _DATA["sensitive"]
    services.record_feedback(
        recorder,
        services.FeedbackInput(
            programme.pk, s["kind"], s["channel"], s["text"], priority=s["priority"], concern=s["concern"]
        ),
    )
    return len(_DATA["feedback"]) + 1


def _steps(manager: User, item: Feedback, entry: dict[str, Any]) -> None:
    if entry["status"] in ("acknowledged", "responded", "closed"):
        services.acknowledge_feedback(manager, item)
    if entry["status"] in ("responded", "closed"):
        services.respond_feedback(manager, item, response=entry["response"])
    if entry["status"] == "closed":
        services.close_loop(manager, item, how=entry["how"])


# The answers of the demo's surveys, in turn: mostly satisfied, a few not (yes / partly / no per item).
_SURVEY_ANSWERS = [
    ("yes", "yes", "yes", "yes"),
    ("yes", "partly", "yes", "yes"),
    ("partly", "no", "yes", "partly"),
    ("yes", "yes", "yes", "no"),
    ("no", "partly", "yes", "no"),
    ("yes", "yes", "partly", "yes"),
]
SURVEYED_CASES = 15


def _satisfaction_surveys(programme: Programme) -> int:
    """A survey on some of the programme's cases, recorded by each case's own case manager."""
    cases = Case.objects.filter(programme=programme, case_manager__isnull=False).select_related("case_manager")
    count = 0
    today = timezone.localdate()
    for n, case in enumerate(cases.order_by("pk")[:SURVEYED_CASES]):
        answers = _SURVEY_ANSWERS[n % len(_SURVEY_ANSWERS)]
        taken_on = min(today, (case.return_date or today) + timedelta(days=30 + 7 * n))
        assert case.case_manager is not None
        services.record_satisfaction_survey(case.case_manager, case, services.SatisfactionInput(taken_on, *answers))
        count += 1
    return count
