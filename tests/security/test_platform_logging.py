"""Issue 10, item 10: request logs never carry query strings (names and document numbers typed in searches)."""

import io
import logging
import threading
import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.utils.log import configure_logging

from reintegra.log_filters import strip_query_strings

NAME = "Juana María Pérez López"
QUERY = "given_names=Juana+Mar%C3%ADa&family_names=P%C3%A9rez+L%C3%B3pez&document_number=G12345678"


@pytest.fixture
def logs():
    """The project's logging configuration, with every handler of the request loggers writing here."""
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    buffer = io.StringIO()
    swapped = []
    for name in ("django.server", "django.request", "gunicorn.access", "gunicorn.error", ""):
        for handler in logging.getLogger(name).handlers:
            if isinstance(handler, logging.StreamHandler):
                swapped.append((handler, handler.setStream(buffer)))
    yield buffer
    for handler, stream in swapped:
        handler.setStream(stream)


def test_runserver_request_lines_of_4xx_answers_have_no_query_string(logs):
    """A real runserver (Django's WSGIServer and request handler) logs a 404 carrying a person's name."""
    server = WSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(WSGIHandler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/no-such-list/?{QUERY}"
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(url, timeout=30)  # a loopback URL built here
        assert answer.value.code == 404
    finally:
        server.shutdown()
        server.server_close()
    output = logs.getvalue()
    assert "/api/v1/no-such-list/" in output and " 404 " in output  # the request line was logged...
    for leak in ("given_names", "Juana", "G12345678", "?"):
        assert leak not in output  # ...without its query string


def test_django_request_and_gunicorn_loggers_are_scrubbed(logs):
    logging.getLogger("django.request").error("Internal Server Error: %s", f"/api/v1/returnees/duplicates/?{QUERY}")
    # gunicorn's access log: a format with a dict of atoms, on its own logger.
    logging.getLogger("gunicorn.access").warning(
        '%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /api/v1/returnees/?{QUERY} HTTP/1.1", "s": "400"}
    )
    logging.getLogger("gunicorn.error").error("Error handling request /cases/?search=%s", NAME.replace(" ", "+"))
    output = logs.getvalue()
    assert "/api/v1/returnees/duplicates/" in output and "GET /api/v1/returnees/ HTTP/1.1" in output
    for leak in ("given_names", "Juana", "G12345678", "search="):
        assert leak not in output


def test_gunicorns_own_handlers_keep_the_filter():
    """gunicorn configures its loggers itself: the filter is added to the logger, its handlers untouched."""
    access = logging.getLogger("gunicorn.access")
    own = logging.StreamHandler(io.StringIO())
    access.addHandler(own)
    try:
        configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
        assert own in access.handlers
        access.warning('"%s" 400', f"GET /cases/?{QUERY} HTTP/1.1")
        assert own.stream.getvalue().strip() == '"GET /cases/ HTTP/1.1" 400'
    finally:
        access.removeHandler(own)


@pytest.mark.parametrize(
    ("line", "scrubbed"),
    [
        ('"GET /cases/?search=Ana HTTP/1.1" 200 12', '"GET /cases/ HTTP/1.1" 200 12'),
        ("Not Found: /api/v1/x/?a=1&b=2", "Not Found: /api/v1/x/"),
        ("https://reintegra.example.org/cases/?q=Ana+P", "https://reintegra.example.org/cases/"),
        ("no url here? fine", "no url here? fine"),
    ],
)
def test_strip_query_strings(line, scrubbed):
    assert strip_query_strings(line) == scrubbed
