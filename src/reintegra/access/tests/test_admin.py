import pytest
from django.apps import apps
from django.contrib import admin

from reintegra.access.models import AccessEvent, Organisation, RoleAssignment, Team, User
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, db):
    superuser = User.objects.create_superuser("root", "root@example.org", "una-clave-muy-larga-123")
    client.force_login(superuser)
    return client


def test_platform_models_are_registered():
    for model in (Organisation, Team, User):
        assert admin.site.is_registered(model)


def test_personal_data_and_the_trail_are_not_in_the_admin():
    for app in ("cases", "protection"):
        for model in apps.get_app_config(app).get_models():
            assert not admin.site.is_registered(model), model
    for model in (AccessEvent, RoleAssignment):
        assert not admin.site.is_registered(model)


def test_user_admin_pages(admin_client_, case_manager):
    assert admin_client_.get("/admin/access/user/").status_code == 200
    assert admin_client_.get("/admin/access/user/add/").status_code == 200
    page = admin_client_.get(f"/admin/access/user/{case_manager.pk}/change/")
    assert page.status_code == 200
    assert b"role_assignments" in page.content  # the roles inline
    assert b"is_mental_health_professional" in page.content
    assert admin_client_.get("/admin/access/organisation/").status_code == 200
    assert admin_client_.get("/admin/access/team/").status_code == 200


def add_user(client, **values):
    data = {
        "username": "nueva",
        "usable_password": "true",
        "password1": "una-clave-muy-larga-456",
        "password2": "una-clave-muy-larga-456",
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-0-role": "case_manager",
    }
    data.update(values)
    return client.post("/admin/access/user/add/", data)


def test_user_admin_adds_a_user_with_roles(admin_client_, org, team):
    response = add_user(admin_client_, organisation=org.pk, team=team.pk)
    assert response.status_code == 302
    user = User.objects.get(username="nueva")
    assert (user.organisation, user.team, user.roles) == (org, team, {"case_manager"})


def test_user_admin_refuses_a_team_of_another_organisation(admin_client_, org, other_org):
    foreign = factories.team(other_org, "Equipo GT")
    response = add_user(admin_client_, organisation=org.pk, team=foreign.pk)
    assert response.status_code == 200
    assert not User.objects.filter(username="nueva").exists()
    assert "team" in response.context["adminform"].form.errors


def test_authenticator_apps_are_listed_and_removed_never_shown(admin_client_, case_manager):
    from reintegra.access import two_factor
    from reintegra.access.models import TOTPDevice

    device = two_factor.start_enrolment(case_manager)
    secret = two_factor.secret_base32(device)
    listing = admin_client_.get("/admin/access/totpdevice/")
    page = admin_client_.get(f"/admin/access/totpdevice/{device.pk}/change/")
    assert listing.status_code == page.status_code == 200
    for response in (listing, page):
        assert device.key.encode() not in response.content and secret.encode() not in response.content
    assert admin_client_.get("/admin/access/totpdevice/add/").status_code == 403  # apps are set up by their user
    assert admin_client_.post(f"/admin/access/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.exists()  # a lost phone: the user sets up a new app
