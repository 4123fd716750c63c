"""Test settings: fast hashing, no throttling, deterministic keys, in-memory static files."""

from reintegra.settings import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_ENABLED = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
REINTEGRA_FIELD_KEYS = ["Q2hhbmdlTWVDaGFuZ2VNZUNoYW5nZU1lQ2hhbmdlTWU="]
REINTEGRA_BLIND_INDEX_KEY = "test-blind-index-key"
REINTEGRA_PSEUDONYM_KEY = "test-pseudonym-key"
