"""Importing the perception survey's answers collected offline (an ODK / Kobo export of the community's
XLSForm): the rules of one answer for every row, every bad row by row and column with nothing written, a
re-import that adds nothing, the page, the API and the audit trail."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from reintegra.access.models import AccessEvent
from reintegra.community import perception_services
from reintegra.community.models import PerceptionResponse
from reintegra.community.tests.conftest import Office
from reintegra.testing.api_clients import api_client_for

pytestmark = pytest.mark.django_db

HEADER = [
    "start",
    "survey_date",
    "grp_profile/respondent_group",
    "grp_profile/respondent_sex",
    "grp_profile/respondent_age_band",
    "cohesion_trust",
    "services_health",
    "stigma_failure",
    "economy_work",
    "needs_priority",
    "meta/instanceID",
]


def _row(key: str, **changes: Any) -> dict[str, Any]:
    row = {
        "start": "",
        "survey_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "grp_profile/respondent_group": "non_migrant",
        "grp_profile/respondent_sex": "female",
        "grp_profile/respondent_age_band": "adult",
        "cohesion_trust": "agree",
        "services_health": "fair",
        "stigma_failure": "disagree",
        "economy_work": "poor",
        "needs_priority": "jobs health",
        "meta/instanceID": key,
    }
    row.update(changes)
    return row


def _csv(*rows: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _xlsx(*rows: dict[str, Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append([row[h] for h in HEADER])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(office: Office, content: bytes, name: str = "perception.csv") -> dict[str, Any]:
    user = office.programme_manager
    return perception_services.import_responses(user, office.community, content, name).as_dict()


def test_a_good_export_records_each_answer_anonymously_with_its_scores(office: Office) -> None:
    report = _import(office, _csv(_row("uuid:1"), _row("uuid:2", **{"grp_profile/respondent_group": "returnee"})))
    assert report == {"total": 2, "imported": 2, "already_imported": 0, "rejected": 0, "errors": []}
    responses = list(PerceptionResponse.objects.filter(community=office.community).order_by("submission_key"))
    assert [(r.group, r.sex, r.age_band, r.submission_key) for r in responses] == [
        ("non_migrant", "female", "adult", "uuid:1"),
        ("returnee", "female", "adult", "uuid:2"),
    ]
    assert responses[0].answers["needs_priority"] == ["jobs", "health"]
    assert any(getattr(responses[0], d) is not None for d in ("economic", "social", "psychosocial"))
    assert responses[0].recorded_by == office.programme_manager


def test_an_xlsx_export_is_read_too(office: Office) -> None:
    report = _import(office, _xlsx(_row("uuid:x1"), _row("uuid:x2")), "perception.xlsx")
    assert (report["imported"], report["errors"]) == (2, [])


def test_every_bad_row_is_reported_by_row_and_column_and_nothing_is_written(office: Office) -> None:
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    report = _import(
        office,
        _csv(
            _row("uuid:ok"),
            _row("uuid:b1", cohesion_trust="maybe", **{"grp_profile/respondent_sex": ""}),
            _row("uuid:b2", survey_date=future),
            _row("uuid:b3", survey_date="ayer"),
        ),
    )
    assert report["imported"] == 0 and report["rejected"] == 3
    cells = {(e["row"], e["column"]) for e in report["errors"]}
    assert cells == {(3, "cohesion_trust"), (3, "respondent_sex"), (4, "survey_date"), (5, "survey_date")}
    assert not PerceptionResponse.objects.exists()  # not even the good row


def test_importing_the_same_export_again_adds_nothing(office: Office) -> None:
    content = _csv(_row("uuid:1"), _row("uuid:2"), _row("uuid:2"))  # twice in the file too
    assert _import(office, content)["imported"] == 2
    again = _import(office, content)
    assert (again["imported"], again["already_imported"], again["errors"]) == (0, 3, [])
    assert PerceptionResponse.objects.count() == 2


def test_another_organisation_may_not_import_into_the_community(office: Office) -> None:
    with pytest.raises(PermissionDenied):
        perception_services.import_responses(office.other_pm, office.community, _csv(_row("uuid:1")), "a.csv")
    with pytest.raises(PermissionDenied):  # a reader of the community level, not an editor
        perception_services.import_responses(office.case_manager, office.community, _csv(_row("uuid:1")), "a.csv")
    api = api_client_for(office.other_pm)
    url = reverse("api:community-perception-submissions", args=[office.community.pk])
    assert api.post(url, {"file": SimpleUploadedFile("a.csv", _csv(_row("uuid:1")))}).status_code == 404
    assert not PerceptionResponse.objects.exists()


def test_the_api_answers_the_report_and_the_import_is_audited(office: Office) -> None:
    api = api_client_for(office.programme_manager)
    url = reverse("api:community-perception-submissions", args=[office.community.pk])
    answer = api.post(url, {"file": SimpleUploadedFile("a.csv", _csv(_row("uuid:1"), _row("uuid:2")))})
    assert answer.status_code == 200, answer.content
    assert answer.json()["imported"] == 2
    bad = api.post(url, {"file": SimpleUploadedFile("b.csv", _csv(_row("uuid:3", economy_work="nope")))})
    assert bad.status_code == 200 and bad.json()["errors"][0]["column"] == "economy_work"
    assert api.post(url, {}).status_code == 400
    purposes = [e.purpose for e in AccessEvent.objects.filter(action="import", user=office.programme_manager)]
    assert purposes.count("Perception survey submissions: 2 imported") == 1
    assert purposes.count("Perception survey submissions: 0 imported") == 1


def test_the_page_imports_a_file_and_shows_the_rows_to_correct(office: Office, client: Any) -> None:
    client.force_login(office.programme_manager)
    url = reverse("community:perception-import", args=[office.community.pk])
    detail = client.get(reverse("community:detail", args=[office.community.pk])).content.decode()
    assert url in detail
    assert client.get(url).status_code == 200
    bad = client.post(url, {"file": SimpleUploadedFile("a.csv", _csv(_row("uuid:1", services_health="x")))})
    assert bad.status_code == 200 and "services_health" in bad.content.decode()
    assert not PerceptionResponse.objects.exists()
    good = client.post(url, {"file": SimpleUploadedFile("a.csv", _csv(_row("uuid:1")))})
    assert good.status_code == 200 and PerceptionResponse.objects.count() == 1
    assert client.post(url, {}).status_code == 400
