"""Rate limits per client address for the API's endpoints that answer without a login (the token endpoint,
the hand-over inbox of partner installations): DRF's `ScopedRateThrottle`, rates in
`REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`, counted in the default cache (per process: with several
workers the effective limit is the rate times the workers). The answer is the same 429 as a throttled login:
a translated message, `code: "throttled"` and `Retry-After`."""

from collections.abc import Sequence
from datetime import timedelta
from typing import NoReturn

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle, ScopedRateThrottle

from reintegra.access import throttle


class AddressRateLimited:
    """Mix into an APIView and set `throttle_scope` (and `wait_message` when the login's does not fit)."""

    throttle_classes: Sequence[type[BaseThrottle]] = [ScopedRateThrottle]
    throttle_scope: str

    def wait_message(self, wait: timedelta) -> str:
        return throttle.wait_message(wait)

    def throttled(self, request: Request, wait: float | None) -> NoReturn:
        exc = exceptions.Throttled(wait)
        code = throttle.Throttled.code
        exc.detail = {
            "detail": exceptions.ErrorDetail(self.wait_message(timedelta(seconds=wait or 1)), code=code),
            "code": exceptions.ErrorDetail(code, code=code),
        }
        raise exc


def requests_wait_message(wait: timedelta) -> str:
    return _("Too many requests from this address. Wait %(wait)s and try again.") % {"wait": throttle.wait_text(wait)}
