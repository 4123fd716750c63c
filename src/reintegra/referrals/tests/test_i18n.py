"""The referral pages speak the user's language: Spanish first, French complete."""

import pytest
from django.test import Client
from django.urls import reverse

from reintegra.referrals import services


@pytest.fixture
def sent(world):
    world.consent()
    return services.send_referral(world.manager, world.referral())


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [
        (
            "es",
            ["Derivación REF-", "Datos del caso compartidos según el POE", "Enviada", "Aceptar", "Rechazar"],
            "Decline",
        ),
        (
            "fr",
            ["Orientation REF-", "Données du dossier partagées selon la POS", "Envoyée", "Accepter", "Refuser"],
            "Decline",
        ),
    ],
)
def test_portal_page_in_the_users_language(world, sent, language, expected, english):
    client = Client()
    client.force_login(world.provider_user)
    html = client.get(reverse("referrals:detail", args=[sent.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    for text in expected:
        assert text in html, text
    assert english not in html


def test_directory_and_case_tab_in_spanish(world, sent):
    client = Client()
    client.force_login(world.manager)
    html = client.get(reverse("referrals:directory"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Directorio de servicios" in html
    assert "Empleo y formación" in html  # the sector of the fixture's services
    html = client.get(reverse("referrals:case", args=[world.case.pk]), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Derivar a un servicio" in html
    assert "Enviada" in html
