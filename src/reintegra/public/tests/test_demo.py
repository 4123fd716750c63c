"""`reintegra demo`'s public content: guides for five municipalities, public services, questions and feedback in
every state, a sensitive item only the focal point sees, and the focal point's login among the printed ones."""

from django.test import Client

from reintegra.access.models import User
from reintegra.public.choices import FeedbackKind, FeedbackStatus, InformationRequestStatus
from reintegra.public.models import Feedback, Guide, InformationRequest, SatisfactionSurvey
from reintegra.referrals.models import Service


def test_demo_public_content(demo_site: str) -> None:
    printed = demo_site
    assert "Public portal: " in printed and "focal" in printed
    assert Guide.objects.exclude(municipality=None).values("municipality").distinct().count() == 5
    assert Service.objects.filter(is_public=True).exclude(public_contact="").count() >= 5
    assert set(Feedback.objects.values_list("status", flat=True)) == set(FeedbackStatus.values)
    assert set(InformationRequest.objects.values_list("status", flat=True)) == set(InformationRequestStatus.values)
    sensitive = Feedback.objects.get(kind=FeedbackKind.SENSITIVE)
    for username, status in (("focal", 200), ("supervisora", 404), ("gerente", 404), ("gestora", 404)):
        client = Client()
        client.force_login(User.objects.get(username=username))
        assert client.get(f"/retroalimentacion/{sensitive.pk}/").status_code == status, username
    assert User.objects.get(username="focal").check_password("reintegra-demo")
    municipality = Guide.objects.exclude(municipality=None).first()
    assert municipality is not None
    page = Client().get(f"/info/municipio/{municipality.municipality_id}/").content.decode()
    assert "Trabajo y capacitación" in page
    assert "Qué pasa al llegar al Centro de Recepción" in page  # the country's guides show on every municipality
    assert SatisfactionSurvey.objects.count() >= 5
    assert Feedback.objects.exclude(provider=None).count() >= 2  # the items heard by staff
    board = Client()
    board.force_login(User.objects.get(username="supervisora"))
    panel = board.get("/retroalimentacion/panel/").content.decode()
    assert 'id="feedback-satisfaction"' in panel
