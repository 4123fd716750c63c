"""ASGI entry point (`uvicorn reintegra.asgi:application`): the settings are chosen by
`reintegra.environment`, the same rule as the `reintegra` command and `reintegra.wsgi`."""

from reintegra import environment

environment.setup()

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
