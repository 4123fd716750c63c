"""Family tracing and reunification: the rules of the services, whoever calls them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.access.models import AccessEvent
from reintegra.access.roles import Role
from reintegra.access.transitions import TransitionError
from reintegra.cases import services as case_services
from reintegra.children import tracing_reminders, tracing_selectors
from reintegra.children import tracing_services as services
from reintegra.children.tracing_choices import TracingStatus
from reintegra.children.tracing_models import ReunificationFollowUp
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


def today() -> date:
    return timezone.localdate()


def codes(exc: ValidationError) -> dict[str, set[str]]:
    return {field: {e.code for e in errors} for field, errors in exc.error_dict.items()}


@pytest.fixture
def world():
    org = factories.organisation("dif-gt", country="GT")
    manager = factories.user(org, Role.CASE_MANAGER)
    child = factories.returnee(
        manager,
        given_names="Ana Lucía",
        first_family_name="Pérez",
        second_family_name="Xol",
        birth_date=today() - timedelta(days=15 * 365),
        return_country="GT",
        nationality="GT",
    )
    case = factories.case(manager, child, case_manager=manager)
    return org, manager, case


def request_input(**kw):
    values = dict(
        relationship="mother",
        given_names="Rosa",
        family_names="Xol Caal",
        birth_year=1985,
        opened_on=today() - timedelta(days=5),
    )
    values.update(kw)
    return services.TracingRequestInput(**values)


def open_request(manager, case, **kw):
    return services.open_tracing_request(manager, case, request_input(**kw))


class TestRequests:
    def test_open(self, world):
        _org, manager, case = world
        request = open_request(manager, case)
        assert request.status == TracingStatus.OPEN
        assert request.given_names == "Rosa"

    @pytest.mark.parametrize(
        ("changes", "field", "code"),
        [
            ({"relationship": "cousin"}, "relationship", "invalid_choice"),
            ({"given_names": " ", "family_names": ""}, "given_names", "required"),
            ({"birth_year": 1800}, "birth_year", "out_of_range"),
            ({"opened_on": None}, "opened_on", "required"),
            ({"opened_on": date.today() + timedelta(days=3)}, "opened_on", "in_future"),
        ],
    )
    def test_refused(self, world, changes, field, code):
        _org, manager, case = world
        with pytest.raises(ValidationError) as exc:
            open_request(manager, case, **changes)
        assert code in codes(exc.value)[field]

    def test_closed_case_refuses(self, world):
        _org, manager, case = world
        case.status = "closed"
        with pytest.raises(TransitionError) as exc:
            open_request(manager, case)
        assert exc.value.code == "case_closed"

    def test_close_without_finding(self, world):
        _org, manager, case = world
        request = open_request(manager, case)
        closed = services.close_tracing_request(manager, case, request_id=request.pk, closed_on=today())
        assert closed.status == TracingStatus.CLOSED
        with pytest.raises(ValidationError) as exc:
            services.close_tracing_request(manager, case, request_id=request.pk, closed_on=today())
        assert "closed" in codes(exc.value)["request"]


def action_input(request, **kw):
    values = dict(
        request=request.pk,
        method="phone",
        taken_on=today(),
        carried_out_by="Consulado de Guatemala en Tapachula",
        result="lead",
        result_notes="Una vecina da un número",
    )
    values.update(kw)
    return services.TracingActionInput(**values)


class TestActions:
    def test_record(self, world):
        _org, manager, case = world
        request = open_request(manager, case)
        action = services.record_tracing_action(manager, case, action_input(request))
        assert action.request == request
        assert list(tracing_selectors.actions_of(case)) == [action]

    def test_request_of_another_case_is_refused_as_unknown(self, world):
        _org, manager, case = world
        other_case = factories.case(manager, case_manager=manager)
        foreign = open_request(manager, other_case)
        with pytest.raises(ValidationError) as exc:
            services.record_tracing_action(manager, case, action_input(foreign))
        assert codes(exc.value) == {"request": {"invalid_choice"}}

    @pytest.mark.parametrize(
        ("changes", "field", "code"),
        [
            ({"method": "pigeon"}, "method", "invalid_choice"),
            ({"result": "great"}, "result", "invalid_choice"),
            ({"taken_on": None}, "taken_on", "required"),
            ({"taken_on": date.today() + timedelta(days=1)}, "taken_on", "in_future"),
            ({"taken_on": date.today() - timedelta(days=30)}, "taken_on", "before_opening"),
            ({"carried_out_by": "  "}, "carried_out_by", "required"),
        ],
    )
    def test_refused(self, world, changes, field, code):
        _org, manager, case = world
        request = open_request(manager, case)
        with pytest.raises(ValidationError) as exc:
            services.record_tracing_action(manager, case, action_input(request, **changes))
        assert code in codes(exc.value)[field]


def found_input(request, **kw):
    values = dict(
        request=request.pk,
        relationship="mother",
        given_names="Rosa",
        family_names="Xol Caal",
        found_on=today(),
        contact="+502 5555 1234",
    )
    values.update(kw)
    return services.FamilyMemberInput(**values)


def reunify_input(found, **kw):
    values = dict(
        assessed_on=today() - timedelta(days=1),
        family_member=found.pk,
        family_willing="yes",
        family_able="yes",
        home_safe="yes",
        child_wish="wants",
        authority="PGN Quetzaltenango",
        authority_view="agrees",
        recommendation="reunify",
        reasons="La madre la espera",
        reunified_on=today(),
    )
    values.update(kw)
    return services.ReunificationInput(**values)


class TestFoundAndReunification:
    def test_found_closes_the_request(self, world):
        _org, manager, case = world
        request = open_request(manager, case)
        found = services.record_family_member_found(manager, case, found_input(request))
        request.refresh_from_db()
        assert request.status == TracingStatus.FOUND
        assert found.contact == "+502 5555 1234"

    def test_found_refuses_a_person_the_user_may_not_see(self, world):
        _org, manager, case = world
        other_org = factories.organisation("ong-mx")
        stranger = factories.user(other_org, Role.CASE_MANAGER)
        hidden = factories.returnee(stranger)
        request = open_request(manager, case)
        with pytest.raises(ValidationError) as exc:
            services.record_family_member_found(manager, case, found_input(request, returnee=hidden.pk))
        assert codes(exc.value) == {"returnee": {"invalid_choice"}}

    def test_reunification_plans_the_follow_ups(self, world):
        _org, manager, case = world
        found = services.record_family_member_found(manager, case, found_input(open_request(manager, case)))
        assessment = services.save_reunification_assessment(manager, case, reunify_input(found))
        visits = tracing_selectors.follow_ups_of(case)
        assert [v.milestone for v in visits] == ["2w", "1m", "3m", "6m"]
        assert visits[0].due_on == today() + timedelta(days=14)
        assert assessment.revision == 1

    @pytest.mark.parametrize(
        ("changes", "field", "code"),
        [
            ({"family_willing": "no"}, "recommendation", "not_suitable"),
            ({"home_safe": "unknown"}, "recommendation", "not_suitable"),
            ({"family_able": "no"}, "recommendation", "support_needed"),
            ({"child_wish": "not_heard"}, "child_wish", "required"),
            ({"child_wish": "does_not_want", "reasons": ""}, "reasons", "required"),
            ({"authority_view": "disagrees", "reasons": ""}, "reasons", "required"),
            ({"authority_view": "pending"}, "authority_view", "authority_agreement_required"),
            ({"recommendation": "alternative_care"}, "reunified_on", "not_recommended"),
            ({"reunified_on": date.today() + timedelta(days=2)}, "reunified_on", "in_future"),
            ({"assessed_on": date.today()}, "reunified_on", "before_assessment"),
            ({"family_member": None}, "family_member", "required"),
            ({"assessed_on": None}, "assessed_on", "required"),
            ({"child_wish": "maybe"}, "child_wish", "invalid_choice"),
        ],
    )
    def test_refused(self, world, changes, field, code):
        _org, manager, case = world
        found = services.record_family_member_found(manager, case, found_input(open_request(manager, case)))
        if changes.get("assessed_on") == date.today():
            changes["reunified_on"] = today() - timedelta(days=1)
        with pytest.raises(ValidationError) as exc:
            services.save_reunification_assessment(manager, case, reunify_input(found, **changes))
        assert code in codes(exc.value).get(field, set()), codes(exc.value)
        assert not ReunificationFollowUp.objects.filter(case=case).exists()

    def test_family_member_of_another_case(self, world):
        _org, manager, case = world
        other_case = factories.case(manager, case_manager=manager)
        foreign = services.record_family_member_found(
            manager, other_case, found_input(open_request(manager, other_case))
        )
        with pytest.raises(ValidationError) as exc:
            services.save_reunification_assessment(manager, case, reunify_input(foreign))
        assert "invalid_choice" in codes(exc.value)["family_member"]

    def test_assessment_without_reunification_yet(self, world):
        _org, manager, case = world
        found = services.record_family_member_found(manager, case, found_input(open_request(manager, case)))
        data = reunify_input(found, reunified_on=None, authority_view="pending")
        assessment = services.save_reunification_assessment(manager, case, data)
        assert assessment.reunified_on is None
        assert tracing_selectors.follow_ups_of(case) == []

    def test_stale_version_refused(self, world):
        _org, manager, case = world
        found = services.record_family_member_found(manager, case, found_input(open_request(manager, case)))
        services.save_reunification_assessment(manager, case, reunify_input(found, reunified_on=None))
        with pytest.raises(ValidationError) as exc:
            services.save_reunification_assessment(manager, case, reunify_input(found), expected_version=7)
        assert exc.value.code == "stale"

    def test_follow_up_and_date_locked_after_visit(self, world):
        _org, manager, case = world
        found = services.record_family_member_found(manager, case, found_input(open_request(manager, case)))
        assessment = services.save_reunification_assessment(
            manager,
            case,
            reunify_input(found, assessed_on=today() - timedelta(days=30), reunified_on=today() - timedelta(days=20)),
        )
        first = tracing_selectors.follow_ups_of(case)[0]
        done = services.record_reunification_follow_up(
            manager, case, first.pk, services.FollowUpInput(done_on=today(), outlook="stable", notes="Va a la escuela")
        )
        assert done.done_on == today()
        with pytest.raises(ValidationError) as exc:
            services.record_reunification_follow_up(
                manager, case, first.pk, services.FollowUpInput(done_on=today(), outlook="stable")
            )
        assert "already_done" in codes(exc.value)["done_on"]
        with pytest.raises(ValidationError) as exc:
            services.save_reunification_assessment(
                manager,
                case,
                reunify_input(
                    found, assessed_on=today() - timedelta(days=30), reunified_on=today() - timedelta(days=10)
                ),
                expected_version=assessment.revision,
            )
        assert "follow_ups_started" in codes(exc.value)["reunified_on"]

    def test_follow_up_before_reunification(self, world):
        _org, manager, case = world
        found = services.record_family_member_found(manager, case, found_input(open_request(manager, case)))
        services.save_reunification_assessment(manager, case, reunify_input(found))
        first = tracing_selectors.follow_ups_of(case)[0]
        with pytest.raises(ValidationError) as exc:
            services.record_reunification_follow_up(
                manager,
                case,
                first.pk,
                services.FollowUpInput(done_on=today() - timedelta(days=1), outlook="nothing"),
            )
        assert codes(exc.value) == {"done_on": {"before_reunification"}, "outlook": {"invalid_choice"}}
        with pytest.raises(ValidationError) as exc:
            services.record_reunification_follow_up(
                manager, case, first.pk, services.FollowUpInput(done_on=today(), outlook="at_risk", notes=" ")
            )
        assert codes(exc.value) == {"notes": {"required"}}


class TestReminders:
    def test_due_visits_reach_the_case_manager(self, world):
        _org, manager, case = world
        found = services.record_family_member_found(manager, case, found_input(open_request(manager, case)))
        services.save_reunification_assessment(
            manager,
            case,
            reunify_input(found, assessed_on=today() - timedelta(days=20), reunified_on=today() - timedelta(days=10)),
        )
        due = list(tracing_reminders.reunification_follow_ups_due(today()))
        assert [(d.recipient_id, d.params["number"]) for d in due] == [(manager.pk, case.case_number)]
        assert "Rosa" not in repr(due)
        assert due[0].due_on == today() + timedelta(days=4)


class TestAccess:
    def test_writes_need_the_case_and_protection(self, world):
        org, _manager, case = world
        outsider = factories.user(factories.organisation("otra"), Role.CASE_MANAGER)
        me_officer = factories.user(org, Role.ME_OFFICER)
        for user in (outsider, me_officer):
            with pytest.raises(PermissionDenied):
                open_request(user, case)

    def test_section_is_empty_and_unrecorded_for_those_who_may_not_see(self, world):
        org, manager, case = world
        open_request(manager, case)
        colleague_elsewhere = factories.user(org, Role.CASE_MANAGER, team=factories.team(org))
        assert tracing_selectors.section_for(colleague_elsewhere, case) == {"tracing_visible": False, "case": case}
        before = AccessEvent.objects.count()
        section = tracing_selectors.section_for(manager, case)
        assert section["tracing_visible"] and len(section["tracing_requests"]) == 1
        assert AccessEvent.objects.count() == before + 1

    def test_supervisor_sees_and_a_case_manager_without_the_case_does_not(self, world):
        org, _manager, case = world
        supervisor = factories.user(org, Role.SUPERVISOR)
        assert tracing_selectors.can_see_tracing(supervisor, case)
        assert not tracing_selectors.can_see_tracing(factories.user(org, Role.DATA_PROTECTION_OFFICER), case)


class TestMatching:
    def test_registered_parent_found_and_explained(self, world):
        _org, manager, case = world
        mother = factories.returnee(
            manager,
            given_names="Rosa",
            first_family_name="Xol",
            second_family_name="Caal",
            birth_date=date(1985, 3, 1),
            return_country="GT",
            nationality="GT",
        )
        factories.case(manager, mother, case_manager=manager)
        request = open_request(manager, case)
        matches = tracing_selectors.matches_for(manager, request, today=today())
        assert [m.returnee for m in matches] == [mother]
        fields = {f.field: f.contribution for f in matches[0].explanation.fields}
        assert set(fields) == {"given_names", "family_names", "birth"}
        assert fields["given_names"] > 0 and fields["family_names"] > 0

    def test_household_member_elsewhere_found(self, world):
        _org, manager, case = world
        uncle_case = factories.case(manager, case_manager=manager)
        case_services.set_household(
            manager,
            uncle_case,
            [
                case_services.MemberInput(
                    given_names="Rosa",
                    family_names="Xol Caal",
                    relationship="sibling",
                    estimated_age=today().year - 1985,
                )
            ],
        )
        matches = tracing_selectors.matches_for(manager, open_request(manager, case), today=today())
        assert [m.kind for m in matches] == ["household_member"]
        assert matches[0].cases == [(uncle_case.case_number, uncle_case.pk)]

    def test_out_of_scope_matches_are_not_even_counted(self, world):
        org, manager, case = world
        other_team_manager = factories.user(org, Role.CASE_MANAGER, team=factories.team(org))
        mother = factories.returnee(
            other_team_manager,
            given_names="Rosa",
            first_family_name="Xol",
            second_family_name="Caal",
            birth_date=date(1985, 3, 1),
        )
        hidden_case = factories.case(other_team_manager, mother, case_manager=other_team_manager)
        case_services.set_household(
            other_team_manager,
            hidden_case,
            [
                case_services.MemberInput(
                    given_names="Rosa", family_names="Xol Caal", relationship="sibling", estimated_age=40
                )
            ],
        )
        request = open_request(manager, case)
        assert tracing_selectors.matches_for(manager, request, today=today()) == []
        supervisor = factories.user(org, Role.SUPERVISOR)
        kinds = sorted(m.kind for m in tracing_selectors.matches_for(supervisor, request, today=today()))
        assert kinds == ["household_member", "returnee"]

    def test_search_is_recorded_without_names(self, world):
        _org, manager, case = world
        request = open_request(manager, case)
        tracing_selectors.matches_for(manager, request, today=today())
        event = AccessEvent.objects.filter(action="search").latest("at")
        assert event.object_type == "children.tracingrequest" and "Rosa" not in event.purpose


class TestRetention:
    def test_anonymising_the_child_erases_the_family_s_names_and_notes(self, world):
        from reintegra.children.tracing_models import FamilyMemberFound, TracingAction, TracingRequest
        from reintegra.protection import services as protection_services

        _org, manager, case = world
        request = open_request(manager, case, notes="Vive cerca del mercado")
        services.record_tracing_action(manager, case, action_input(request))
        found = services.record_family_member_found(manager, case, found_input(request))
        services.save_reunification_assessment(manager, case, reunify_input(found, child_views="Quiero volver"))
        assert protection_services.anonymise_returnee(case.returnee_id) == 1
        request = TracingRequest.objects.get(pk=request.pk)
        assert (request.given_names, request.family_names, request.notes) == ("", "", "")
        assert request.relationship == "mother" and request.status == TracingStatus.FOUND
        assert TracingAction.objects.get(request=request).carried_out_by == ""
        assert FamilyMemberFound.objects.get(pk=found.pk).contact == ""
        assert tracing_selectors.assessment_of(case).child_views == ""
