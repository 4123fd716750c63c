"""Rules and permission/object checks of the community services, called directly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reintegra.community import permissions, selectors, services
from reintegra.community.models import Community, ParticipatorySession, SiteScore
from reintegra.community.tests.conftest import community_input, session_input

pytestmark = pytest.mark.django_db


def codes(exc: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in exc.error_dict.items()}  # type: ignore[misc]


def test_a_programme_manager_records_a_community_with_its_population_and_organisations(office):
    community = services.save_community(
        office.programme_manager,
        community_input(office.muni2, locality="Aldea La Capellanía", organisations=[office.other_org.pk]),
    )
    assert community.organisation == office.org
    assert str(community) == "Aldea La Capellanía (Chiantla)"
    assert list(community.organisations.all()) == [office.other_org]
    assert community.created_by == office.programme_manager


def test_every_problem_is_reported_at_once(office):
    with pytest.raises(ValidationError) as exc:
        services.save_community(
            office.programme_manager,
            services.CommunityInput(municipality=None, population=0, population_year=timezone.localdate().year + 1),
        )
    assert codes(exc.value) == {
        "municipality": ["required"],
        "population": ["out_of_range"],
        "population_year": ["in_future"],
        "population_source": ["required"],
    }


def test_a_department_or_an_unknown_area_is_not_a_municipality(office):
    for area_id in (office.muni.parent_id, 999_999):
        with pytest.raises(ValidationError) as exc:
            services.save_community(office.programme_manager, community_input(office.muni2, municipality=area_id))
        assert codes(exc.value) == {"municipality": ["invalid_choice"]}


def test_the_same_place_twice_is_a_duplicate_but_another_organisation_may_record_it(office):
    with pytest.raises(ValidationError) as exc:
        services.save_community(office.programme_manager, community_input(office.muni))
    assert codes(exc.value) == {"locality": ["duplicate"]}
    assert services.save_community(office.other_pm, community_input(office.muni)).organisation == office.other_org


def test_an_unknown_organisation_is_refused(office):
    with pytest.raises(ValidationError) as exc:
        services.save_community(office.programme_manager, community_input(office.muni2, organisations=[987_654]))
    assert codes(exc.value) == {"organisations": ["invalid_choice"]}


@pytest.mark.parametrize("role", ["case_manager", "supervisor", "me_officer", "provider"])
def test_only_editors_record_communities(office, role):
    with pytest.raises(PermissionDenied):
        services.save_community(getattr(office, role), community_input(office.muni2))
    with pytest.raises(PermissionDenied):
        services.record_session(getattr(office, role), office.community, session_input())


def test_a_coordinator_edits_their_organisation_s_communities_not_another_s(office):
    services.save_community(office.coordinator, community_input(office.muni, population=21_000), office.community)
    office.community.refresh_from_db()
    assert office.community.population == 21_000
    with pytest.raises(PermissionDenied):
        services.save_community(office.coordinator, community_input(office.muni), office.other_community)
    with pytest.raises(PermissionDenied):
        services.save_checklist(office.coordinator, office.other_community, [])
    with pytest.raises(PermissionDenied):
        services.record_session(office.coordinator, office.other_community, session_input())


def test_the_checklist_scores_0_to_3_with_evidence(office):
    rows = [
        services.SiteScoreInput("many_returns", 3, "412 retornos en 12 meses"),
        services.SiteScoreInput("civil_society", 0, ""),
    ]
    services.save_checklist(office.programme_manager, office.community, rows)
    checklist = selectors.checklist_of(office.community)
    assert [(r.criterion, r.score) for r in checklist if r.score is not None] == [
        ("many_returns", 3),
        ("civil_society", 0),
    ]
    assert selectors.site_total(checklist) == 3
    assert len(checklist) == 7
    services.save_checklist(office.programme_manager, office.community, [services.SiteScoreInput("many_returns", None)])
    assert list(SiteScore.objects.values_list("criterion", flat=True)) == ["civil_society"]


def test_the_checklist_refuses_bad_scores_and_missing_evidence(office):
    rows = [
        services.SiteScoreInput("many_returns", 4, "x"),
        services.SiteScoreInput("stability", 2, "  "),
        services.SiteScoreInput("weather", 1, "x"),
    ]
    with pytest.raises(ValidationError) as exc:
        services.save_checklist(office.programme_manager, office.community, rows)
    assert codes(exc.value) == {
        "scores.0.score": ["out_of_range"],
        "scores.1.evidence": ["required"],
        "scores.2.criterion": ["invalid_choice"],
    }
    assert not SiteScore.objects.exists()


def test_a_session_counts_returnees_and_residents_without_names(office):
    session = services.record_session(office.programme_manager, office.community, session_input())
    assert session.returnee_total == 9 and session.resident_total == 8
    assert session.priorities == ["Empleo para jóvenes", "Agua potable"]
    stored = ParticipatorySession.objects.filter(pk=session.pk).values_list("tensions", flat=True)
    assert "Rumores" not in str(ParticipatorySession._meta.get_field("tensions").get_prep_value(session.tensions))
    assert list(stored) == ["Rumores de que los retornados traen problemas."]  # decrypted on read


def test_a_session_needs_both_groups(office):
    for participants, code in (
        ({"returnee:male:adult": 4}, "residents_required"),
        ({"non_migrant:male:adult": 4}, "returnees_required"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.record_session(
                office.programme_manager, office.community, session_input(participants=participants)
            )
        assert codes(exc.value) == {"participants": [code]}


def test_a_session_refuses_bad_input(office):
    with pytest.raises(ValidationError) as exc:
        services.record_session(
            office.programme_manager,
            office.community,
            session_input(
                kind="picnic",
                held_on=timezone.localdate() + timedelta(days=1),
                participants={"returnee:male:adult": -1, "non_migrant:female:adult": 2},
            ),
        )
    assert codes(exc.value) == {
        "kind": ["invalid_choice"],
        "held_on": ["in_future"],
        "participants.returnee:male:adult": ["out_of_range"],
    }


def test_a_session_of_another_community_is_not_corrected_through_this_one(office):
    other = services.record_session(office.other_pm, office.other_community, session_input())
    with pytest.raises(PermissionDenied):
        services.record_session(office.programme_manager, office.community, session_input(), other)


def test_selectors_and_helpers_hide_another_organisation_s_community(office):
    assert list(selectors.communities_for(office.case_manager)) == [office.community]
    assert list(selectors.communities_for(office.provider)) == []
    with pytest.raises(Community.DoesNotExist):
        permissions.access_community_by_id(office.programme_manager, office.other_community.pk)
    with pytest.raises(PermissionDenied):
        permissions.access_community_by_id(office.case_manager, office.community.pk, for_write=True)
    with pytest.raises(PermissionDenied):
        permissions.access_community_by_id(office.provider, office.community.pk)
    assert permissions.access_community_by_id(office.me_officer, office.community.pk) == office.community


def test_a_stale_version_is_refused_for_the_community_and_its_checklist(office):
    from reintegra.access.versioning import StaleVersion

    version = office.community.revision
    services.save_community(
        office.programme_manager, community_input(office.muni, population=1), office.community, expected_version=version
    )
    with pytest.raises(StaleVersion):
        services.save_community(
            office.programme_manager, community_input(office.muni), office.community, expected_version=version
        )
    with pytest.raises(StaleVersion):
        services.save_checklist(
            office.programme_manager,
            office.community,
            [services.SiteScoreInput("stability", 1, "x")],
            expected_version=version,
        )
    assert not SiteScore.objects.exists()
