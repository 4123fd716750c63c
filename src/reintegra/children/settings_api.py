"""`/api/v1/programmes/{id}/child-protection-settings/`: a programme's BIA deadlines (days by priority).
Programme managers change them (PUT, with If-Match once they were saved); those who handle child cases read them."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.access import selectors as access_selectors
from reintegra.access.models import Programme
from reintegra.access.roles import Capability
from reintegra.access.versioning import current_version
from reintegra.api import versioning
from reintegra.api.permissions import ProtectedView, acting_user
from reintegra.children import selectors, settings_services
from reintegra.children.api import TAGS
from reintegra.children.models import ChildProtectionSettings


class DeadlinesSerializer(serializers.Serializer[Any]):
    # Whole numbers only: the ranges and their order are the service's rules, as from the web form.
    high_priority_days = serializers.IntegerField(help_text="Days to complete a high-priority BIA (default 2).")
    medium_priority_days = serializers.IntegerField(help_text="Days to complete a medium-priority BIA (default 7).")
    low_priority_days = serializers.IntegerField(help_text="Days to complete a low-priority BIA (default 30).")
    version = versioning.version_field()

    def to_input(self) -> settings_services.DeadlineInput:
        v = self.validated_data
        return settings_services.DeadlineInput(
            high_priority_days=v["high_priority_days"],
            medium_priority_days=v["medium_priority_days"],
            low_priority_days=v["low_priority_days"],
        )


class ChildProtectionSettingsView(ProtectedView):
    """The programme's best-interests assessment deadlines (version 0: the defaults, never saved)."""

    read_capabilities = (Capability.SEE_PROTECTION, Capability.MANAGE_PROGRAMME)
    write_capabilities = (Capability.MANAGE_PROGRAMME,)
    queryset = ChildProtectionSettings.objects.none()
    serializer_class = DeadlinesSerializer

    def _programme(self, request: Request, pk: int) -> Programme:
        try:
            programme: Programme = access_selectors.get_programme(acting_user(request), pk)
        except Programme.DoesNotExist:
            raise Http404 from None
        return programme

    def _answer(self, programme: Programme) -> Response:
        version = current_version(selectors.settings_of(programme))
        days = selectors.deadlines_of(programme)
        data = {f"{priority}_priority_days": value for priority, value in days.items()} | {"revision": version}
        response = Response(DeadlinesSerializer(data).data)
        response["ETag"] = versioning.etag(version)
        return response

    @versioning.read_schema(summary="A programme's best-interests assessment deadlines", tags=TAGS)
    def get(self, request: Request, pk: int) -> Response:
        return self._answer(self._programme(request, pk))

    @versioning.write_schema(
        create=True,
        summary="Change the deadlines (400 out_of_range, or priority_order when high > medium > low is broken)",
        request=DeadlinesSerializer,
        responses=DeadlinesSerializer,
        tags=TAGS,
    )
    def put(self, request: Request, pk: int) -> Response:
        programme = self._programme(request, pk)
        incoming = DeadlinesSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        expected = versioning.expected_version(request, selectors.settings_of(programme))
        settings_services.save_deadlines(
            acting_user(request), programme, incoming.to_input(), expected_version=expected
        )
        return self._answer(programme)
