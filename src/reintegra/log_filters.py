"""Request logs without query strings.

Query strings carry what people typed: names and document numbers in searches and duplicate checks.
Request-logging loggers (runserver's `django.server`, Django's `django.request`, gunicorn's
`gunicorn.access` and `gunicorn.error`) write request lines or URLs; `StripQueryStrings` cuts everything
from the `?` of each URL in the message. `settings.LOGGING` puts it on the console handler and on those
loggers; `configure_logging` (settings.LOGGING_CONFIG) adds it to gunicorn's loggers too, which gunicorn
sets up itself (their handlers are left alone).
"""

import logging
import logging.config
import re
from typing import Any

REQUEST_LOGGERS = ("django.server", "django.request", "gunicorn.access", "gunicorn.error")

# A path (or full URL) followed by a query string: keep the path, drop from the "?" on.
_QUERY = re.compile(r"""(/[^\s?"'<>]*)\?[^\s"'<>]*""")


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(r"\1", text)


class StripQueryStrings(logging.Filter):
    """Rewrites the record's message with every URL's query string removed; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's business, not ours
            return True
        stripped = strip_query_strings(message)
        if stripped != message:
            record.msg, record.args = stripped, None
        return True


def configure_logging(config: dict[str, Any]) -> None:
    """settings.LOGGING_CONFIG: dictConfig, then the filter on every request-logging logger."""
    logging.config.dictConfig(config)
    for name in REQUEST_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, StripQueryStrings) for existing in logger.filters):
            logger.addFilter(StripQueryStrings())
