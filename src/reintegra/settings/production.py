"""Production settings: `DJANGO_SETTINGS_MODULE=reintegra.settings.production` or `REINTEGRA_ENV=production`."""

import os

from django.core.exceptions import ImproperlyConfigured

from reintegra.settings import *  # noqa: F403
from reintegra.settings import env_bool, env_list
from reintegra.settings.keys import require_fernet_keys, require_secret_key

REINTEGRA_ENVIRONMENT = "production"
# Never on in production: the debug pages print every setting, the database password among them.
if env_bool("REINTEGRA_DEBUG", False):
    raise ImproperlyConfigured("REINTEGRA_DEBUG must be off with REINTEGRA_ENV=production.")
DEBUG = False
SECRET_KEY = os.environ.get("REINTEGRA_SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("REINTEGRA_SECRET_KEY must be a random value of at least 50 characters.")
ALLOWED_HOSTS = env_list("REINTEGRA_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("REINTEGRA_ALLOWED_HOSTS must list the host names the site is served on.")

SECURE_SSL_REDIRECT = env_bool("REINTEGRA_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("REINTEGRA_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Reminders are e-mailed through your SMTP relay (REINTEGRA_EMAIL_HOST etc.); another backend may be named.
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("REINTEGRA_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("REINTEGRA_EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("REINTEGRA_EMAIL_PORT", "25")),
            "username": os.environ.get("REINTEGRA_EMAIL_USER", ""),
            "password": os.environ.get("REINTEGRA_EMAIL_PASSWORD", ""),
            "use_tls": env_bool("REINTEGRA_EMAIL_TLS", False),
        },
    }
}

# Personal data must not be protected by keys derived from the secret key, or by short keys, in production.
REINTEGRA_FIELD_KEYS = require_fernet_keys("REINTEGRA_FIELD_KEYS")
REINTEGRA_BLIND_INDEX_KEY = require_secret_key("REINTEGRA_BLIND_INDEX_KEY")
REINTEGRA_PSEUDONYM_KEY = require_secret_key("REINTEGRA_PSEUDONYM_KEY")

# The metrics token is a password for the scraper: a short one is refused.
REINTEGRA_METRICS_TOKEN = os.environ.get("REINTEGRA_METRICS_TOKEN", "")
if REINTEGRA_METRICS_TOKEN and len(REINTEGRA_METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("REINTEGRA_METRICS_TOKEN must be a random value of at least 32 characters.")

# A partner installation is reached over HTTPS only in production.
REINTEGRA_HANDOVER_ALLOW_HTTP = False
