"""Issue 19, health and observability: one request log line with timing and no personal data, and the
Prometheus metrics at /metrics for a bearer token or a staff user only."""

from __future__ import annotations

import logging

import pytest
from django.utils import timezone

from reintegra.access.roles import Role
from reintegra.testing import factories

NAME = "Juana María Pérez López"
QUERY = "given_names=Juana+Mar%C3%ADa&document_number=G12345678"
TOKEN = "m" * 40


def _request_lines(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "reintegra.requests"]


@pytest.mark.django_db
def test_each_request_logs_its_route_name_status_time_and_user_id_never_the_path_or_query(client, caplog):
    org = factories.organisation()
    user = factories.user(org, Role.CASE_MANAGER, username="juana.perez", first_name="Juana", last_name="Pérez")
    case = factories.case(user)
    client.force_login(user)
    caplog.set_level(logging.INFO, logger="reintegra.requests")
    client.get(f"/casos/{case.pk}/?q=Juana+P%C3%A9rez&{QUERY}")
    client.get(f"/no-such-page/?{QUERY}")
    lines = _request_lines(caplog)
    assert len(lines) == 2
    seen, missing = lines
    assert seen.route == "cases:detail" and seen.status == 200 and seen.http_method == "GET"
    assert seen.user_id == str(user.pk) and seen.duration_ms >= 0 and seen.db_queries > 0
    assert seen.getMessage().startswith("GET cases:detail 200 ") and f"user={user.pk}" in seen.getMessage()
    assert missing.route == "unmatched" and missing.status == 404
    text = caplog.text + " ".join(str(vars(record)) for record in lines)
    for leak in (
        "?",
        "Juana",
        "Pérez",
        "juana.perez",
        "G12345678",
        "given_names",
        f"/casos/{case.pk}",
        case.case_number,
    ):
        assert leak not in text


@pytest.mark.django_db
def test_probes_do_not_load_a_session_to_log_the_user(client, caplog):
    caplog.set_level(logging.INFO, logger="reintegra.requests")
    client.get("/healthz")
    (line,) = _request_lines(caplog)
    assert line.route == "healthz" and line.user_id == "-" and line.db_queries == 1


@pytest.mark.django_db
def test_metrics_are_hidden_from_anyone_but_staff_and_the_scraper(client, settings):
    settings.REINTEGRA_METRICS_TOKEN = TOKEN
    org = factories.organisation()
    assert client.get("/metrics").status_code == 404  # anonymous: the endpoint does not show itself
    client.force_login(factories.user(org, Role.ADMIN))
    assert client.get("/metrics").status_code == 404  # a role, even the administrator's, is not staff
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    client.force_login(factories.user(org, Role.ADMIN, is_staff=True))
    assert client.get("/metrics").status_code == 200
    client.logout()
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.post("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 405


@pytest.mark.django_db
def test_no_token_configured_refuses_every_bearer(client, settings):
    settings.REINTEGRA_METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 401


@pytest.mark.django_db
def test_metrics_count_requests_by_route_name_with_queries_heartbeat_and_queue(client, settings):
    from reintegra.web.management.commands.worker import beat
    from reintegra.web.models import WorkerHeartbeat

    settings.REINTEGRA_METRICS_TOKEN = TOKEN
    org = factories.organisation()
    user = factories.user(org, Role.CASE_MANAGER)
    case = factories.case(user)
    client.force_login(user)
    client.get(f"/casos/{case.pk}/?{QUERY}")
    beat("worker-a", timezone.now())
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timezone.timedelta(seconds=42))
    client.logout()
    body = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert 'reintegra_http_requests_total{method="GET",route="cases:detail",status="200"}' in body
    assert 'reintegra_http_request_duration_seconds_bucket{le="0.01",method="GET",route="cases:detail"}' in body
    assert 'reintegra_db_queries_total{database="default"}' in body
    assert "reintegra_worker_heartbeat_age_seconds 4" in body  # 42 s and a little more
    assert "reintegra_task_queue_depth" in body and "reintegra_replica" not in body  # no replica configured
    for leak in (f"/casos/{case.pk}", "given_names", "G12345678", user.username):
        assert leak not in body
