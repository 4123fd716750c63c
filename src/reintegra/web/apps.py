from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    """The UI kit and the site's frame (layout, login, home dashboard, navigation): the bottom of the UI.

    Every app with pages imports it; it imports no app. What it shows from an app (navigation entries,
    dashboard panels) the app registers in its own `ready()`."""

    name = "reintegra.web"
    label = "web"
    verbose_name = _("Web interface")
