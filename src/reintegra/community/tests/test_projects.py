"""Community projects and community profiles: the rules of the services and their permission and object
checks (a case of another organisation, a case shared with the organisation, a hidden stakeholder)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.community import selectors, services
from reintegra.community.models import ProjectParticipant
from reintegra.community.tests.conftest import community_input, project_input, stakeholder
from reintegra.regional import selectors as regional_selectors
from reintegra.testing import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}  # type: ignore[misc]


@pytest.fixture
def project(office):
    return services.save_project(
        office.programme_manager, project_input(office.community, partners=[stakeholder(office.org).pk])
    )


# --- Projects ------------------------------------------------------------------------------------------


def test_a_programme_manager_records_a_project_with_its_budget_milestones_and_partners(office, project):
    assert project.organisation == office.org
    assert project.country == "GT"
    assert project.status == "planned"
    assert [p.name for p in project.partners.all()] == ["Municipalidad de Huehuetenango"]
    assert project.budget_lines == [{"line": "Semillas y herramientas", "budget": "12000.00", "spent": "4500.50"}]
    assert project.milestones[0]["status"] == "pending"
    budget = selectors.budget_of(project)
    assert (budget.budget, budget.spent) == (Decimal("12000.00"), Decimal("4500.50"))


def test_a_budget_without_currency_is_in_the_communities_currency(office):
    # Issue 18.5: the communities are in Guatemala, so the budget is in quetzales unless the user says otherwise.
    saved = services.save_project(office.programme_manager, project_input(office.community, currency=""))
    assert saved.currency == "GTQ"
    again = services.save_project(office.programme_manager, project_input(office.community, currency="usd"))
    assert again.currency == "USD"


def test_every_problem_of_a_project_is_reported_at_once(office):
    with pytest.raises(ValidationError) as exc:
        services.save_project(
            office.programme_manager,
            services.ProjectInput(
                title="",
                approach="",
                dimensions=[],
                communities=[],
                starts_on=TODAY(),
                ends_on=TODAY() - timedelta(days=1),
                budget_lines=[{"line": "", "budget": "-5"}],
                milestones=[{"title": "", "status": "finished"}],
            ),
        )
    assert codes(exc.value) == {
        "title": ["required"],
        "approach": ["required"],
        "dimensions": ["required"],
        "communities": ["required"],
        "ends_on": ["ends_before_start"],
        "budget_lines.0.budget": ["out_of_range"],
        "budget_lines.0.line": ["required"],
        "currency": ["required"],
        "milestones.0.title": ["required"],
        "milestones.0.status": ["invalid_choice"],
    }


def test_an_activity_must_belong_to_a_chosen_dimension(office):
    with pytest.raises(ValidationError) as exc:
        services.save_project(
            office.programme_manager,
            project_input(office.community, dimensions=["social"], activities=["savings_credit"]),
        )
    assert codes(exc.value) == {"activities": ["activity_dimension"]}


def test_another_organisation_s_community_or_a_hidden_stakeholder_cannot_be_named(office):
    hidden = stakeholder(office.other_org, "Alcaldía de San Pedro Sula")
    with pytest.raises(ValidationError) as exc:
        services.save_project(
            office.programme_manager,
            project_input(office.community, communities=[office.community.pk, office.other_community.pk]),
        )
    assert codes(exc.value) == {"communities": ["invalid_choice"]}
    with pytest.raises(ValidationError) as exc:
        services.save_project(office.programme_manager, project_input(office.community, partners=[hidden.pk]))
    assert codes(exc.value) == {"partners": ["invalid_choice"]}


@pytest.mark.parametrize("role", ["case_manager", "supervisor", "me_officer", "provider"])
def test_only_editors_record_projects(office, project, role):
    with pytest.raises(PermissionDenied):
        services.save_project(getattr(office, role), project_input(office.community))
    with pytest.raises(PermissionDenied):
        services.add_residents(getattr(office, role), project, services.ResidentsInput(count=3))


def test_another_organisation_cannot_change_the_project(office, project):
    with pytest.raises(PermissionDenied):
        services.save_project(office.other_pm, project_input(office.other_community), project)
    with pytest.raises(PermissionDenied):
        services.change_project_status(office.other_pm, project, services.StatusInput("active"))


def test_the_lifecycle_goes_planned_active_closed_with_a_visit_and_a_closing_assessment(office, project):
    pm = office.programme_manager
    with pytest.raises(ValidationError) as exc:
        services.change_project_status(pm, project, services.StatusInput("closed"))
    assert codes(exc.value) == {"status": ["invalid_transition"]}
    with pytest.raises(ValidationError) as exc:
        services.record_visit(pm, project, services.VisitInput(TODAY(), "Todo bien"))
    assert codes(exc.value) == {"status": ["not_active"]}
    services.change_project_status(pm, project, services.StatusInput("active"))
    closing = services.StatusInput("closed", TODAY(), "achieved", "Las familias venden su cosecha.")
    with pytest.raises(ValidationError) as exc:
        services.change_project_status(pm, project, closing)
    assert codes(exc.value) == {"status": ["visit_required"]}
    with pytest.raises(ValidationError) as exc:
        services.record_visit(pm, project, services.VisitInput(TODAY() + timedelta(days=1), ""))
    assert codes(exc.value) == {"visited_on": ["in_future"], "findings": ["required"]}
    services.record_visit(pm, project, services.VisitInput(TODAY(), "Huertos sembrados", "Capacitación"))
    with pytest.raises(ValidationError) as exc:
        services.change_project_status(pm, project, services.StatusInput("closed", None, "", ""))
    assert codes(exc.value) == {
        "closed_on": ["required"],
        "result": ["required"],
        "closing_assessment": ["required"],
    }
    services.change_project_status(pm, project, closing)
    project.refresh_from_db()
    assert (project.status, project.result, project.closed_on) == ("closed", "achieved", TODAY())
    with pytest.raises(ValidationError) as exc:
        services.save_project(pm, project_input(office.community), project)
    assert codes(exc.value) == {"status": ["closed"]}


def test_a_stale_version_is_refused(office, project):
    from reintegra.access.versioning import StaleVersion

    services.save_project(office.programme_manager, project_input(office.community, title="Nuevo"), project)
    with pytest.raises(StaleVersion):
        services.save_project(
            office.coordinator, project_input(office.community, title="Otro"), project, expected_version=1
        )


# --- Participants --------------------------------------------------------------------------------------


def test_a_case_manager_links_their_case_with_its_plan_item_and_the_case_page_shows_it(office, project):
    case = f.agreed_case(office.case_manager)
    item = case.plan.items.get()
    participant = services.add_returnee(office.case_manager, project, services.ReturneeInput(case.pk, item.pk))
    assert (participant.case, participant.plan_item, participant.count) == (case, item, 1)
    assert [p.project for p in selectors.projects_of_case(office.case_manager, case)] == [project]
    assert selectors.projects_of_case(office.other_pm, case) == []
    with pytest.raises(ValidationError) as exc:
        services.add_returnee(office.case_manager, project, services.ReturneeInput(case.pk))
    assert codes(exc.value) == {"case": ["duplicate"]}


def test_a_plan_item_of_another_case_is_refused(office, project):
    case = f.case(office.case_manager)
    other = f.agreed_case(office.case_manager)
    with pytest.raises(ValidationError) as exc:
        services.add_returnee(office.case_manager, project, services.ReturneeInput(case.pk, other.plan.items.get().pk))
    assert codes(exc.value) == {"plan_item": ["invalid_choice"]}


def test_a_case_of_another_organisation_is_refused_without_saying_it_exists(office, project):
    foreign = f.case(f.user(office.other_org, Role.CASE_MANAGER))
    for case_id in (foreign.pk, 987_654):
        with pytest.raises(ValidationError) as exc:
            services.add_returnee(office.programme_manager, project, services.ReturneeInput(case_id))
        assert codes(exc.value) == {"case": ["invalid_choice"]}
    assert not ProjectParticipant.objects.exists()


def test_a_case_manager_cannot_link_a_colleague_s_case_nor_into_another_organisation_s_project(office, project):
    colleague = f.user(office.org, Role.CASE_MANAGER)
    case = f.case(colleague)
    with pytest.raises(ValidationError) as exc:
        services.add_returnee(office.case_manager, project, services.ReturneeInput(case.pk))
    assert codes(exc.value) == {"case": ["invalid_choice"]}  # not assigned to them: hidden
    other_project = services.save_project(office.other_pm, project_input(office.other_community))
    with pytest.raises(PermissionDenied):
        services.add_returnee(colleague, other_project, services.ReturneeInput(case.pk))


def test_an_m_and_e_officer_who_reads_the_project_cannot_link_a_case(office, project):
    case = f.case(office.case_manager)
    with pytest.raises(ValidationError):  # they see no case at all
        services.add_returnee(office.me_officer, project, services.ReturneeInput(case.pk))


def test_a_shared_case_is_seen_but_linked_only_by_its_holder(office, project):
    from reintegra.protection import services as protection_services

    other_cm = f.user(office.other_org, Role.PROGRAMME_MANAGER)
    case = f.case(other_cm)
    protection_services.record_consent(
        other_cm,
        case.returnee,
        "cross_border",
        "signed",
        TODAY() - timedelta(days=2),
        recipient_organisation=office.org,
    )
    protection_services.share_case(other_cm, case, office.org, "Seguimiento comunitario")
    with pytest.raises(PermissionDenied):
        services.add_returnee(office.programme_manager, project, services.ReturneeInput(case.pk))


def test_non_migrants_are_counts_and_the_ratio_is_computed(office, project):
    pm = office.programme_manager
    for cm_case in (f.case(office.case_manager), f.case(office.case_manager)):
        services.add_returnee(office.case_manager, project, services.ReturneeInput(cm_case.pk))
    services.add_residents(pm, project, services.ResidentsInput(12, "female", "adult", "member"))
    services.add_residents(pm, project, services.ResidentsInput(3))
    with pytest.raises(ValidationError) as exc:
        services.add_residents(pm, project, services.ResidentsInput(0, "other", "", "boss"))
    assert codes(exc.value) == {"count": ["out_of_range"], "sex": ["invalid_choice"], "role": ["invalid_choice"]}
    participation = selectors.participation_of(pm, project)
    assert (participation.returnee_total, participation.resident_total) == (2, 15)
    assert participation.ratio == "2 : 15"
    assert participation.returnee_percent == 12
    # Someone who reads the project but not those cases sees the count, not the case.
    hidden = selectors.participation_of(office.me_officer, project)
    assert hidden.returnee_total == 2 and all(line.case is None for line in hidden.returnees)


def test_a_case_manager_removes_their_case_s_link_but_not_residents(office, project):
    case = f.case(office.case_manager)
    link = services.add_returnee(office.case_manager, project, services.ReturneeInput(case.pk))
    residents = services.add_residents(office.programme_manager, project, services.ResidentsInput(4))
    with pytest.raises(PermissionDenied):
        services.remove_participant(office.case_manager, residents)
    services.remove_participant(office.case_manager, link)
    assert list(project.participants.all()) == [residents]


# --- Regional matrix -----------------------------------------------------------------------------------


def test_started_projects_are_community_level_actions_of_their_country_in_the_regional_matrix(office, project):
    pm = office.programme_manager
    assert regional_selectors.matrix_counts(pm, "GT") == []  # planned: not yet an action
    services.change_project_status(pm, project, services.StatusInput("active"))
    assert sorted(regional_selectors.matrix_counts(pm, "GT")) == [
        ("community", "economic", 1),
        ("community", "psychosocial", 1),
    ]
    assert regional_selectors.matrix_counts(pm, "HN") == []
    assert regional_selectors.matrix_counts(office.other_pm, "GT") == []  # another organisation's projects
    cells = {(c.level, c.dimension): c.count for c in regional_selectors.matrix_for(pm, "GT")[0]}
    assert cells[("community", "economic")] == 1


def test_a_matrix_cell_lists_the_projects_it_counts(office, project, client):
    pm = office.programme_manager
    services.change_project_status(pm, project, services.StatusInput("active"))
    other = services.save_project(office.other_pm, project_input(office.other_community, title="Otro proyecto"))
    services.change_project_status(office.other_pm, other, services.StatusInput("active"))
    cell = regional_selectors.ActionFilters(country="GT", level="community", dimension="economic")
    listed = regional_selectors.contributed_actions(pm, cell)
    assert [(a.id, a.title, a.country, a.url) for a in listed] == [
        (project.pk, project.title, "GT", f"/comunidades/proyectos/{project.pk}/")
    ]
    # One line per project on the catalogue's list, one per cell it covers in the matrix.
    assert len(regional_selectors.contributed_actions(pm, regional_selectors.ActionFilters(country="GT"))) == 1
    everywhere = regional_selectors.contributed_actions(pm, regional_selectors.ActionFilters(), per_cell=True)
    assert {a.dimension for a in everywhere} == {"economic", "psychosocial"}
    assert regional_selectors.contributed_actions(pm, regional_selectors.ActionFilters(dimension="social")) == []
    assert regional_selectors.contributed_actions(pm, regional_selectors.ActionFilters(q="huertos chiantla"))
    assert not regional_selectors.contributed_actions(pm, regional_selectors.ActionFilters(q="panaderia"))
    assert not regional_selectors.contributed_actions(pm, regional_selectors.ActionFilters(funding_source="state"))
    client.force_login(pm)
    cell_query = {"country": "GT", "level": "community", "dimension": "economic"}
    page = client.get("/acciones-regionales/acciones/", cell_query)
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    assert f"/comunidades/proyectos/{project.pk}/" in html and "Otro proyecto" not in html
    matrix = client.get("/api/v1/regional-actions/matrix/", {"country": "GT"}).json()
    cells = {(c["level"], c["dimension"]): c for c in matrix["cells"]}
    assert cells[("community", "economic")]["count"] == 1
    assert [a["id"] for a in cells[("community", "economic")]["contributed"]] == [project.pk]
    assert cells[("individual", "economic")]["contributed"] == []


# --- Profiles ------------------------------------------------------------------------------------------


def sections(**overrides):
    values = {
        code: services.SectionInput(2, f"Evidencia de {code}", "Sesión comunitaria")
        for code in ("needs", "resources", "impact_of_returns", "drivers", "barriers", "resilience")
    }
    values.update(overrides)
    return values


def test_profiles_are_dated_versions_with_six_rated_sections(office):
    pm = office.programme_manager
    first = services.save_profile(pm, office.community, services.ProfileInput(TODAY() - timedelta(days=90), sections()))
    second = services.save_profile(
        pm, office.community, services.ProfileInput(TODAY(), sections(needs=services.SectionInput(3, "Más retornos")))
    )
    assert (first.number, second.number) == (1, 2)
    assert list(selectors.profiles_of(office.community)) == [second, first]
    rows = {r.section: r for r in selectors.profile_rows(second)}
    assert (rows["needs"].rating, rows["needs"].evidence) == (3, "Más retornos")
    with pytest.raises(ValidationError) as exc:
        services.save_profile(pm, office.community, services.ProfileInput(TODAY() - timedelta(days=10), sections()))
    assert codes(exc.value) == {"as_of": ["before_latest"]}


def test_a_profile_needs_every_section_rated_with_evidence(office):
    with pytest.raises(ValidationError) as exc:
        services.save_profile(
            office.programme_manager,
            office.community,
            services.ProfileInput(
                TODAY() + timedelta(days=1),
                sections(needs=services.SectionInput(4, "x"), drivers=services.SectionInput(1, ""), resilience=None),
            ),
        )
    assert codes(exc.value) == {
        "as_of": ["in_future"],
        "sections.needs.rating": ["out_of_range"],
        "sections.drivers.evidence": ["required"],
        "sections.resilience.rating": ["required"],
    }


def test_only_the_organisation_s_editors_write_profiles(office):
    for user in (office.case_manager, office.me_officer, office.other_pm):
        with pytest.raises(PermissionDenied):
            services.save_profile(user, office.community, services.ProfileInput(TODAY(), sections()))


def test_a_second_community_keeps_its_own_numbering(office):
    other = services.save_community(office.programme_manager, community_input(office.muni2))
    services.save_profile(office.programme_manager, office.community, services.ProfileInput(TODAY(), sections()))
    assert (
        services.save_profile(office.programme_manager, other, services.ProfileInput(TODAY(), sections())).number == 1
    )
