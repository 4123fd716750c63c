"""Test settings: fast hashing, no throttling, deterministic keys, in-memory static files."""

from reintegra.environment import refuse_in_production
from reintegra.settings import *  # noqa: F403

# The test settings never serve REINTEGRA_ENV=production (see reintegra.environment).
refuse_in_production(__name__)
REINTEGRA_ENVIRONMENT = "test"

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
# Each test client builds the middleware chain again; WhiteNoise's index of the static files is built once per process
# (reintegra.testing.static_files), not once per client.
MIDDLEWARE = [
    "reintegra.testing.static_files.WhiteNoiseIndexedOnce"
    if name == "whitenoise.middleware.WhiteNoiseMiddleware"
    else name
    for name in MIDDLEWARE  # noqa: F405
]
