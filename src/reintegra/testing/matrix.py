"""One cell of an app's role × route × organisation permission matrix (the reception and community matrices):
the row a route gets, the answer expected from ROLE_CAPABILITIES, the cells to run and the request of a cell.

The rule: without any of the row's capabilities, 403 (checked before any lookup); an object of another
organisation does not exist for the user (404); otherwise the row's success code. Anonymous: the login
page (302) or 401 in the API."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import reverse

from reintegra.access.roles import ROLE_CAPABILITIES, Capability, Role
from reintegra.testing.api_clients import ReadThenWriteClient

OWN, OTHER = "own", "other"


@dataclass(frozen=True)
class Row:
    needs: frozenset[Capability]  # any one of them
    takes: str = ""  # the kind of object in the URL ("arrival", "community"...): world.objects[relation][takes]
    ok: int = 200
    data: Callable[[Any], dict[str, Any]] | None = None


def expected(role: Role | None, row: Row, relation: str, *, api: bool) -> int:
    if role is None:
        return 401 if api else 302
    if not ROLE_CAPABILITIES[role] & row.needs:
        return 403
    if row.takes and relation == OTHER:
        return 404
    return row.ok


def cells(matrix: Mapping[tuple[str, str], Row]) -> list[tuple[str, str, Role | None, str]]:
    return [
        (name, method, role, relation)
        for (name, method), row in sorted(matrix.items())
        for role in [None, *Role]
        for relation in ((OWN, OTHER) if row.takes else (OWN,))
    ]


def answer(world: Any, name: str, method: str, row: Row, role: Role | None, args: list[Any]) -> Any:
    """The response to the cell's request, rolled back (a PUT sends the ETag it read, as a client does)."""
    api = name.startswith("api:")
    client: Any = ReadThenWriteClient() if api else Client()
    if role is not None:
        user = world.users[role]
        if api:
            client.force_authenticate(user)
        else:
            client.force_login(user)
    url = reverse(name, args=args)
    data = row.data(world) if row.data and method in {"POST", "PUT"} else {}
    with transaction.atomic():
        if method == "POST":
            response = client.post(url, data, format="json") if api else client.post(url, data)
        elif method == "PUT":
            response = client.put(url, data, format="json")
        else:
            response = client.get(url)
        transaction.set_rollback(True)
    return response
