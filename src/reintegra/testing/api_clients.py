"""API clients for tests whose subject is not concurrency.

Every change through the API carries the version it was based on (If-Match). Tests about who may
change what read the record first, as a real client does, so that the answer they check is the
permission answer and not the missing precondition (428)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.test import APIClient

if TYPE_CHECKING:
    from reintegra.access.models import User


class ReadThenWriteClient(APIClient):
    """PATCH and PUT without an If-Match read the record first and send the ETag it answered with."""

    def _with_version(self, path: str, extra: dict[str, Any]) -> dict[str, Any]:
        if "HTTP_IF_MATCH" not in extra:
            etag = self.get(path).headers.get("ETag")
            if etag:
                extra = {**extra, "HTTP_IF_MATCH": etag}
        return extra

    def patch(self, path: Any, *args: Any, **extra: Any) -> Any:
        return super().patch(path, *args, **self._with_version(str(path), extra))

    def put(self, path: Any, *args: Any, **extra: Any) -> Any:
        return super().put(path, *args, **self._with_version(str(path), extra))


def api_client_for(user: User) -> ReadThenWriteClient:
    client = ReadThenWriteClient()
    client.force_authenticate(user)
    return client
