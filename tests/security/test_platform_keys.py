"""Issue 10, item 12: production refuses short blind-index / pseudonym keys and invalid field keys."""

import runpy

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from reintegra.settings import keys

GOOD = {
    "REINTEGRA_ENV": "production",
    "REINTEGRA_SECRET_KEY": "production-secret-key-" + "s" * 40,
    "REINTEGRA_ALLOWED_HOSTS": "reintegra.example.org",
    "REINTEGRA_FIELD_KEYS": f"{Fernet.generate_key().decode()},{Fernet.generate_key().decode()}",
    "REINTEGRA_BLIND_INDEX_KEY": "b" * 32,
    "REINTEGRA_PSEUDONYM_KEY": "p" * 32,
}


def load_production(monkeypatch, **changes):
    """Run the production settings module with these variables (a fresh run, like a process start)."""
    for name, value in {**GOOD, **changes}.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "reintegra.settings.production")
    return runpy.run_module("reintegra.settings.production", run_name="production_settings_under_test")


def test_production_accepts_long_keys_and_valid_fernet_keys(monkeypatch):
    loaded = load_production(monkeypatch)
    assert loaded["REINTEGRA_BLIND_INDEX_KEY"] == "b" * 32
    assert loaded["REINTEGRA_PSEUDONYM_KEY"] == "p" * 32
    assert len(loaded["REINTEGRA_FIELD_KEYS"]) == 2
    assert loaded["DEBUG"] is False


@pytest.mark.parametrize("name", ["REINTEGRA_BLIND_INDEX_KEY", "REINTEGRA_PSEUDONYM_KEY"])
@pytest.mark.parametrize("value", ["x", "k" * 31, "ñ" * 15])
def test_production_refuses_short_keyed_hash_keys(monkeypatch, name, value):
    with pytest.raises(ImproperlyConfigured) as refused:
        load_production(monkeypatch, **{name: value})
    message = str(refused.value)
    assert name in message and "32 bytes" in message
    assert value not in message  # the message names the variable, never its value


@pytest.mark.parametrize("name", ["REINTEGRA_BLIND_INDEX_KEY", "REINTEGRA_PSEUDONYM_KEY", "REINTEGRA_FIELD_KEYS"])
def test_production_refuses_missing_keys(monkeypatch, name):
    with pytest.raises(ImproperlyConfigured, match=name):
        load_production(monkeypatch, **{name: None})


@pytest.mark.parametrize(
    "bad", ["x", "not-base64-at-all!!", "c2hvcnQ=", "Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU"[:-4], "A" * 44 + "=="]
)
def test_production_refuses_field_keys_that_are_not_fernet_keys(monkeypatch, bad):
    with pytest.raises(ImproperlyConfigured) as refused:
        load_production(monkeypatch, REINTEGRA_FIELD_KEYS=f"{Fernet.generate_key().decode()}, {bad}")
    message = str(refused.value)
    assert "Key number 2 of REINTEGRA_FIELD_KEYS" in message
    assert bad not in message


def test_production_refuses_debug(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="REINTEGRA_DEBUG"):
        load_production(monkeypatch, REINTEGRA_DEBUG="1")


def test_key_checks_count_bytes_not_characters():
    assert keys.require_secret_key("K", {"K": "é" * 16}) == "é" * 16  # 32 bytes in UTF-8
    with pytest.raises(ImproperlyConfigured):
        keys.require_secret_key("K", {"K": "é" * 15})
