"""WSGI entry point (`gunicorn reintegra.wsgi`): the settings are chosen by `reintegra.environment`,
the same rule as the `reintegra` command (REINTEGRA_ENV=production → production settings)."""

from reintegra import environment

environment.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
