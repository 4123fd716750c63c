"""WhiteNoise for the tests: the static files found by Django's finders are indexed once per process, not once per
test client.

Django's test `Client` (and DRF's `APIClient`) builds the whole middleware chain again for each new client, and
`WhiteNoiseMiddleware.__init__` then walks every static file of every app (`WHITENOISE_USE_FINDERS`): about 450
files, 0.1-0.4 s per client, more than most tests' own work. The index only depends on the settings and on the files
on disk, which do not change while the tests run, so it is kept per process, keyed by the settings it reads (a test
that overrides one of them gets an index of its own). Everything else is WhiteNoise's own code: the same files,
the same headers. The test settings put it in WhiteNoise's place in MIDDLEWARE.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from whitenoise.middleware import WhiteNoiseMiddleware

_INDEXES: dict[str, dict[str, Any]] = {}


def _key() -> str:
    """The settings WhiteNoise's index depends on (what `WhiteNoiseMiddleware.__init__` and Django's finders read)."""
    read = ("DEBUG", "STATIC_URL", "STATIC_ROOT", "STATICFILES_DIRS", "STATICFILES_FINDERS", "INSTALLED_APPS")
    whitenoise = sorted(name for name in dir(settings) if name.startswith("WHITENOISE_"))
    return repr([(name, getattr(settings, name, None)) for name in (*read, *whitenoise)])


class WhiteNoiseIndexedOnce(WhiteNoiseMiddleware):  # type: ignore[misc]  # whitenoise is untyped
    def add_files_from_finders(self) -> None:
        key = _key()
        found = _INDEXES.get(key)
        if found is None:
            before = dict(self.files)
            super().add_files_from_finders()
            found = _INDEXES[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(found)
