"""Settings for development and the embedded demo; everything comes from the environment.

`reintegra.settings.production` hardens these; `reintegra.settings.test` speeds them up.
"""

import contextlib
import os
from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from reintegra.environment import refuse_in_production
from reintegra.settings import database

# Development settings never serve REINTEGRA_ENV=production (see reintegra.environment).
refuse_in_production(__name__)
REINTEGRA_ENVIRONMENT = "development"

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(os.environ.get("REINTEGRA_HOME", Path.cwd()))
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A development key so `make demo` works with zero setup; production refuses to start without its own.
SECRET_KEY = os.environ.get(
    "REINTEGRA_SECRET_KEY", "dev-insecure-reintegra-key-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"
)
# Off unless asked for: the debug pages print settings (the database password among them) to anyone.
DEBUG = env_bool("REINTEGRA_DEBUG", False)
ALLOWED_HOSTS = env_list("REINTEGRA_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("REINTEGRA_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "auditlog",
    "django_countries",
    "axes",
    "django_otp",
    "reintegra.web",
    "reintegra.access",
    "reintegra.places",
    "reintegra.cases",
    "reintegra.protection",
    "reintegra.reminders",
    "reintegra.sustainability",
    "reintegra.monitoring",
    "reintegra.referrals",
    "reintegra.children",
    "reintegra.structural",
    "reintegra.reception",
    "reintegra.regional",
    "reintegra.handover",
    "reintegra.public",
    "reintegra.community",
    "reintegra.employment",
    "reintegra.demo",  # last: the top layer (the `seed` and `demo` commands)
]

MIDDLEWARE = [
    "reintegra.observability.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "reintegra.replica.ReplicaStickinessMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "reintegra.access.session_refresh.SessionIdleRefreshMiddleware",
    "reintegra.web.navigation.BadgeRefreshMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "reintegra.api.limits.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "reintegra.access.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "reintegra.api.error_pages.RefusedInputMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reintegra.urls"
WSGI_APPLICATION = "reintegra.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "reintegra.web.context_processors.navigation_sections",
            ],
        },
    }
]

# The primary, its optional pool (REINTEGRA_DB_POOL), pgbouncer (REINTEGRA_PGBOUNCER) and the optional streaming
# replica (DATABASE_REPLICA_URL): reintegra.settings.database, docs/deploy.md "Database connections".
DATABASES = database.databases(os.environ, f"sqlite:///{VAR_DIR / 'reintegra.sqlite3'}")
# Migrations and writes go to the primary; dashboards, statistics, exports and indicators read the replica
# when there is one (reintegra.replica). Without DATABASE_REPLICA_URL the router sends everything to default.
DATABASE_ROUTERS = ["reintegra.replica.ReplicaRouter"]
# After a write (POST, PUT, PATCH, DELETE) a browser's reads stay on the primary this long: the replica may
# not have replayed the user's own change yet.
REINTEGRA_REPLICA_STICKY_SECONDS = int(os.environ.get("REINTEGRA_REPLICA_STICKY_SECONDS", "15"))
# A replica that cannot be reached is left alone this long (its reads go to the primary) before the next try.
REINTEGRA_REPLICA_RETRY_SECONDS = int(os.environ.get("REINTEGRA_REPLICA_RETRY_SECONDS", "30"))
# Connections an indicator computation reads on at once (`monitoring.engine.compute_many`: its batches on so many
# threads, on PostgreSQL outside a transaction; 1: one after the other). docs/scaling.md, "Fifth pass".
REINTEGRA_MONITORING_CONNECTIONS = int(os.environ.get("REINTEGRA_MONITORING_CONNECTIONS", "2"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "access.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    "reintegra.access.throttle.ThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "reintegra.access.backends.AccountBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end after 30 minutes of inactivity: shared office computers are common in reception centres.
SESSION_COOKIE_AGE = int(os.environ.get("REINTEGRA_SESSION_SECONDS", "1800"))
# Renewed at most once a minute by `access.session_refresh` (not on every request: one write per page view).
SESSION_SAVE_EVERY_REQUEST = False
# The navigation's badges (unread reminders, approvals waiting) are counted at most this often per session,
# kept in the session (saved with its once-a-minute renewal); a write through the web counts them again.
# 0: counted on every page (reintegra.web.navigation).
REINTEGRA_NAV_BADGE_SECONDS = int(os.environ.get("REINTEGRA_NAV_BADGE_SECONDS", "60"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# Two-factor authentication (reintegra.access.two_factor): the name authenticator apps show, and the
# Django admin never displays a device's secret key once it exists.
OTP_TOTP_ISSUER = "Reintegra"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("REINTEGRA_LOGIN_THROTTLING", True)
AXES_LOCKOUT_CALLABLE = "reintegra.access.throttle.lockout_response"
AXES_CLIENT_IP_CALLABLE = "reintegra.access.throttle.client_ip_address"
REINTEGRA_PROXY_COUNT = int(os.environ.get("REINTEGRA_PROXY_COUNT", "0"))  # reverse proxies in front of the site
# Besides axes (one account from one address), failed logins are counted per address across accounts
# (password spraying) and per account across addresses (reintegra.access.throttle; on with AXES_ENABLED):
# (failures, minutes). Password-reset requests are counted the same way, every request.
REINTEGRA_LOGIN_THROTTLE = {
    "ip": (int(os.environ.get("REINTEGRA_LOGIN_FAILURES_PER_IP", "20")), 15),
    "account": (int(os.environ.get("REINTEGRA_LOGIN_FAILURES_PER_ACCOUNT", "10")), 15),
    "reset_ip": (10, 60),
    "reset_account": (3, 60),
}
PASSWORD_RESET_TIMEOUT = int(os.environ.get("REINTEGRA_PASSWORD_RESET_HOURS", "24")) * 3600

LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("REINTEGRA_TIME_ZONE", "America/Mexico_City")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("REINTEGRA_STATIC_ROOT", VAR_DIR / "static"))
with contextlib.suppress(OSError):  # whitenoise warns on every start when the collectstatic target does not exist yet
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files are served straight from the app's static folders (no collectstatic step for the demo).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reintegra.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "reintegra.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "reintegra.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "reintegra.api.exceptions.exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "reintegra.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Per client address (reintegra.api.throttling). A partner installation's outbox retries with backoff, so
    # a legitimate sender stays far below the inbox's rate.
    "DEFAULT_THROTTLE_RATES": {
        "token": "10/min",
        "handover_inbox": os.environ.get("REINTEGRA_HANDOVER_INBOX_RATE", "30/min"),
    },
}
# API tokens (django-rest-knox, reintegra.access.api_tokens): hashed, named, expiring, never refreshed by use.
KNOX_TOKEN_MODEL = "access.ApiToken"  # noqa: S105 - a model name
# knox's own migrations would create its (swapped-out, unused) token table, with a foreign key to users
# that nothing manages; without them only access.ApiToken exists.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("REINTEGRA_API_TOKEN_DAYS", "30"))),
    "AUTO_REFRESH": False,
    "TOKEN_PREFIX": "rtg_",
    "AUTH_HEADER_PREFIX": "Token",
}
REINTEGRA_API_TOKENS_PER_USER = 20
SPECTACULAR_SETTINGS = {
    "TITLE": "Reintegra API",
    "DESCRIPTION": "Reintegration case management for returning migrants (IOM integrated approach).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Choice sets whose field name another app uses for other choices (monitoring's kind, status, dimension).
    "ENUM_NAME_OVERRIDES": {
        "ResultKindEnum": "reintegra.monitoring.choices.NodeKind",
        "ResultDimensionEnum": "reintegra.monitoring.choices.ResultDimension",
        "PeriodKindEnum": "reintegra.monitoring.choices.PeriodKind",
        "PeriodStatusEnum": "reintegra.monitoring.choices.PeriodStatus",
        "EvaluationTypeEnum": "reintegra.monitoring.choices.EvaluationType",
        "ActionStatusEnum": "reintegra.monitoring.choices.ActionStatus",
        "ReferralStatusEnum": "reintegra.referrals.choices.ReferralStatus",
        "ReunificationAnswerEnum": "reintegra.children.tracing_choices.Answer",  # tracing
        "BiaPriorityEnum": "reintegra.children.choices.BiaPriority",  # core (children)
        # children: choice sets shared by several fields, or field names other sets use too
        "DimensionEnum": "reintegra.vocabulary.choices.Dimension",
        "CommunityProtectionActorEnum": "reintegra.children.plan_choices.CommunityProtectionActor",
        "ClosureConditionStatusEnum": "reintegra.children.plan_choices.ClosureConditionStatus",
        "TracingMethodEnum": "reintegra.children.tracing_choices.TracingMethod",
        "ParticipationMethodEnum": "reintegra.children.choices.ParticipationMethod",
        "BiaRecommendationEnum": "reintegra.children.choices.BiaRecommendation",
        "ReunificationRecommendationEnum": "reintegra.children.tracing_choices.ReunificationRecommendation",
        "ReferralPriorityEnum": "reintegra.referrals.choices.ReferralPriority",  # core (children): a third "priority"
        "HandOverStatusEnum": "reintegra.handover.choices.HandOverStatus",  # handover
        "HandOverDirectionEnum": "reintegra.handover.choices.HandOverDirection",
        "DeliveryStatusEnum": "reintegra.handover.choices.DeliveryStatus",
        "PackageKindEnum": "reintegra.handover.choices.PackageKind",
        "IndicatorDirectionEnum": "reintegra.monitoring.choices.Direction",  # beside the hand-over's direction
        # employment: a "level" among other levels, a contract list used twice
        "CefrLevelEnum": "reintegra.employment.choices.CefrLevel",
        "SatisfactionAnswerEnum": "reintegra.public.choices.SatisfactionAnswer",  # four items share the answers
        "ContractTypeEnum": "reintegra.employment.choices.ContractType",
        "EducationLevelEnum": "reintegra.employment.choices.EducationLevel",
        "InterventionLevelEnum": "reintegra.vocabulary.choices.InterventionLevel",
        # public: the directory's sector on the portal's services, and the feedback's own sets
        "ServiceSectorEnum": "reintegra.referrals.choices.ServiceSector",
        "FeedbackStatusEnum": "reintegra.public.choices.FeedbackStatus",
        "FeedbackKindEnum": "reintegra.public.choices.FeedbackKind",
        "FeedbackChannelEnum": "reintegra.public.choices.FeedbackChannel",
        "FeedbackPriorityEnum": "reintegra.public.choices.FeedbackPriority",
    },
}

# Request size limits (reintegra.api.limits): larger bodies answer 413 before anything reads them.
# Multipart bodies (file uploads) may be larger than other bodies; imports cap rows and cells on their own.
REINTEGRA_MAX_BODY_BYTES = int(os.environ.get("REINTEGRA_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
# Above the 10 MB each import reader accepts (access.uploads), so that a file just over it is refused with
# a message in the form, and only a far larger body with 413.
REINTEGRA_MAX_UPLOAD_BYTES = int(os.environ.get("REINTEGRA_MAX_UPLOAD_BYTES", str(12 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = REINTEGRA_MAX_BODY_BYTES  # the form fields of a body, files excluded
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20
# JSON nested deeper than this is refused with a 400 (reintegra.api.parsers); no payload needs more.
REINTEGRA_MAX_JSON_DEPTH = 32

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Content-Security-Policy: no inline script anywhere; htmx and Chart.js are served from /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# Field encryption keys (Fernet, url-safe base64, 32 bytes), newest first; comma-separated.
# Without them a key is derived from SECRET_KEY so the demo runs; production requires explicit keys.
REINTEGRA_FIELD_KEYS = env_list("REINTEGRA_FIELD_KEYS")
REINTEGRA_BLIND_INDEX_KEY = os.environ.get("REINTEGRA_BLIND_INDEX_KEY", "")
REINTEGRA_PSEUDONYM_KEY = os.environ.get("REINTEGRA_PSEUDONYM_KEY", "")
# Backup archives (`reintegra backup`, docs/backup.md) have keys of their own, never a field key; newest
# first, comma-separated, or one per line in a key file. Only the backup job needs them: set them in its
# environment, not the web server's. There is no derived default: an archive must never depend on SECRET_KEY.
REINTEGRA_BACKUP_KEY = env_list("REINTEGRA_BACKUP_KEY")
REINTEGRA_BACKUP_KEY_FILE = os.environ.get("REINTEGRA_BACKUP_KEY_FILE", "")
REINTEGRA_BACKUP_DIR = Path(os.environ.get("REINTEGRA_BACKUP_DIR", str(VAR_DIR / "backups")))
# Large exports (issue 19): above this many rows a table download runs in the background task queue and its file
# waits in a private directory (never under static or media) for its requester, this many hours.
REINTEGRA_EXPORT_BACKGROUND_ROWS = int(os.environ.get("REINTEGRA_EXPORT_BACKGROUND_ROWS", "20000"))
REINTEGRA_EXPORT_TTL_HOURS = int(os.environ.get("REINTEGRA_EXPORT_TTL_HOURS", "24"))
REINTEGRA_EXPORT_DIR = Path(os.environ.get("REINTEGRA_EXPORT_DIR", str(VAR_DIR / "private" / "exports")))
# Where pg_dump and pg_restore are (default: the newest /usr/lib/postgresql/*/bin, then PATH).
REINTEGRA_PG_BIN = os.environ.get("REINTEGRA_PG_BIN", "")
# Duplicate checks a user may run per minute (they answer names to guesses: a bound on enumeration).
REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE = int(os.environ.get("REINTEGRA_DUPLICATE_CHECKS_PER_MINUTE", "30"))

# Plans should be agreed within about one month of return (docs/domain-individual.md §4).
REINTEGRA_PLAN_DEADLINE_DAYS = 31

# Request logging never carries query strings (names and document numbers typed in searches): the
# filter strips them from every request-logging logger (runserver's, Django's, gunicorn's).
LOGGING_CONFIG = "reintegra.log_filters.configure_logging"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_query_strings": {"()": "reintegra.log_filters.StripQueryStrings"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_query_strings"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("REINTEGRA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {
            "level": "WARNING",
            "handlers": ["console"],
            "filters": ["no_query_strings"],
            "propagate": False,
        },
        "django.request": {
            "level": "ERROR",
            "handlers": ["console"],
            "filters": ["no_query_strings"],
            "propagate": False,
        },
        # One line per request (reintegra.observability): method, route name, status, ms, queries, user id.
        "reintegra.requests": {
            "level": os.environ.get("REINTEGRA_REQUEST_LOG_LEVEL", "INFO"),
            "handlers": ["console"],
            "filters": ["no_query_strings"],  # it logs no path; the filter stays as a second guard
            "propagate": False,
        },
        "axes": {"level": "WARNING"},
    },
}
# Prometheus metrics at /metrics (reintegra.observability): for a scraper sending this bearer token, or a
# signed-in staff user; with no token set only staff users can read them.
REINTEGRA_METRICS_TOKEN = os.environ.get("REINTEGRA_METRICS_TOKEN", "")

# E-mail (reminders): console in development; set REINTEGRA_EMAIL_BACKEND (and its OPTIONS through the
# standard EMAIL_* variables of your SMTP relay) in production.
MAILERS: dict[str, dict[str, object]] = {
    "default": {
        "BACKEND": os.environ.get("REINTEGRA_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("REINTEGRA_FROM_EMAIL", "Reintegra <no-reply@localhost>")
REINTEGRA_BASE_URL = os.environ.get("REINTEGRA_BASE_URL", "")
# Cross-border hand-over (reintegra.handover): how long a sealed package stays valid, how often and how
# late a push is retried, and whether a partner base URL may be plain http (loopback tests, never production).
REINTEGRA_HANDOVER_PACKAGE_HOURS = int(os.environ.get("REINTEGRA_HANDOVER_PACKAGE_HOURS", "72"))
REINTEGRA_HANDOVER_MAX_ATTEMPTS = int(os.environ.get("REINTEGRA_HANDOVER_MAX_ATTEMPTS", "8"))
REINTEGRA_HANDOVER_RETRY_SECONDS = int(os.environ.get("REINTEGRA_HANDOVER_RETRY_SECONDS", "60"))
REINTEGRA_HANDOVER_REMINDER_DAYS = int(os.environ.get("REINTEGRA_HANDOVER_REMINDER_DAYS", "5"))
REINTEGRA_HANDOVER_ALLOW_HTTP = env_bool("REINTEGRA_HANDOVER_ALLOW_HTTP", True)
