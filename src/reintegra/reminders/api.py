"""`/api/v1/reminders/`: the signed-in user's own reminders."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.api.pagination import StandardPagination
from reintegra.api.permissions import acting_user
from reintegra.api.query import QueryParametersMixin
from reintegra.reminders import selectors, services
from reintegra.reminders.models import Reminder
from reintegra.reminders.serializers import ReminderSerializer


class ReminderFilters(serializers.Serializer):
    unread = serializers.BooleanField(required=False, help_text="Only the ones not yet read.")


@extend_schema_view(
    list=extend_schema(summary="Your reminders", tags=["reminders"]),
    retrieve=extend_schema(summary="One of your reminders", tags=["reminders"]),
)
class ReminderViewSet(QueryParametersMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReminderSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    queryset = Reminder.objects.none()
    query_parameters = {"list": ReminderFilters}

    def get_queryset(self) -> QuerySet[Reminder]:
        return selectors.reminders_for(acting_user(self.request), unread_only=bool(self.query.get("unread")))

    @extend_schema(request=None, responses=ReminderSerializer, summary="Mark a reminder as read", tags=["reminders"])
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        reminder = self.get_object()
        return Response(ReminderSerializer(services.mark_read(acting_user(request), reminder)).data)
