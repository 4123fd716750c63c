"""Request types for views."""

from django.http import HttpRequest

from reintegra.access.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """The request a view behind `login_required` receives: `user` is a signed-in `User`.

    For annotations only (django-stubs types `HttpRequest.user` as `AbstractBaseUser | AnonymousUser`);
    Django still passes its own request object.
    """

    user: User
