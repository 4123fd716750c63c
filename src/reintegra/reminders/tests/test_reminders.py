from datetime import date

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from reintegra.access.roles import Role
from reintegra.reminders import registry, services
from reintegra.reminders.models import Reminder
from reintegra.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def producer(monkeypatch):
    """A registered producer saying one thing is due for each of the given users."""
    due_for: list[int] = []

    def produce(today: date):
        for uid in due_for:
            yield registry.Due(uid, f"thing:{uid}", "Case %(number)s: follow-up due", {"number": "GT-1"}, "/x/", today)

    monkeypatch.setattr(registry, "_PRODUCERS", {"test_kind": produce})
    return due_for


def test_send_reminders_is_idempotent_and_emails_once(producer):
    org = factories.organisation()
    alice = factories.user(org, Role.CASE_MANAGER, email="alice@example.org")
    bob = factories.user(org, Role.CASE_MANAGER)  # no address: inbox only
    producer.extend([alice.pk, bob.pk])

    first = services.send_reminders(date(2026, 5, 1))
    again = services.send_reminders(date(2026, 5, 2))

    assert first.new == {"test_kind": 2}
    assert again.new == {"test_kind": 0}
    assert Reminder.objects.count() == 2
    assert first.emailed == 1 and again.emailed == 0
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.org"]
    assert "GT-1" in mail.outbox[0].body


def test_command_runs_and_reports(producer, capsys):
    org = factories.organisation()
    producer.append(factories.user(org).pk)
    call_command("send_reminders", "--date", "2026-05-01")
    assert "test_kind: 1 new" in capsys.readouterr().out
    call_command("send_reminders")
    assert Reminder.objects.count() == 1


def test_command_rejects_a_bad_date(producer):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "mañana")


def test_enqueue_runs_the_background_task(producer, capsys):
    org = factories.organisation()
    producer.append(factories.user(org).pk)
    call_command("send_reminders", "--enqueue")  # tests use the immediate backend
    assert "Enqueued task" in capsys.readouterr().out
    assert Reminder.objects.count() == 1


def test_message_is_translated_when_shown(producer):
    from django.utils import translation

    org = factories.organisation()
    producer.append(factories.user(org).pk)
    services.collect(date(2026, 5, 1))
    reminder = Reminder.objects.get()
    assert reminder.text == "Case GT-1: follow-up due"
    with translation.override("es"):
        assert isinstance(reminder.text, str)


def test_a_user_only_sees_and_marks_their_own(producer):
    org = factories.organisation()
    alice, bob = factories.user(org), factories.user(org)
    producer.extend([alice.pk, bob.pk])
    services.collect(date(2026, 5, 1))
    bobs = Reminder.objects.get(recipient=bob)

    web = Client()
    web.force_login(alice)
    page = web.get(reverse("reminders:list"))
    assert page.status_code == 200 and page.context["page"].paginator.count == 1
    assert web.post(reverse("reminders:read", args=[bobs.pk])).status_code == 404
    bobs.refresh_from_db()
    assert bobs.read_at is None

    api = APIClient()
    api.force_authenticate(alice)
    listing = api.get("/api/v1/reminders/").json()
    assert [r["id"] for r in listing["results"]] == [Reminder.objects.get(recipient=alice).pk]
    assert api.post(f"/api/v1/reminders/{bobs.pk}/read/").status_code == 404
    mine = Reminder.objects.get(recipient=alice)
    assert api.post(f"/api/v1/reminders/{mine.pk}/read/").json()["read_at"]
    assert web.post(reverse("reminders:read-all")).status_code == 302


@pytest.mark.parametrize("language", ["es", "fr", "en"])
def test_pages_render_the_unread_badge_in_every_language(language):
    """The badge's plural needs a real number: Spanish and French plural formulas compute n % 1000000
    (three unread, because n == 1 answers before the formula gets there)."""
    user = factories.user(factories.organisation(), Role.CASE_MANAGER)
    Reminder.objects.bulk_create(
        [Reminder(recipient=user, kind="test_kind", key=f"thing:{i}", message="Follow-up due") for i in range(3)]
    )
    client = Client()
    client.force_login(user)
    response = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert '<span class="badge badge--count"' in response.content.decode()
    assert ">3</span>" in response.content.decode()


def test_a_reminders_date_reads_in_the_readers_format():
    from django.utils import translation

    from reintegra.reminders.models import Reminder

    reminder = Reminder(
        message="The agreement “%(agreement)s” ends on %(date)s", params={"agreement": "X", "date": "2026-11-12"}
    )
    with translation.override("es"):
        assert reminder.text.endswith("12/11/2026")
    with translation.override("en"):
        assert "2026-11-12" not in reminder.text and "2026" in reminder.text
