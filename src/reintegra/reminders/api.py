"""`/api/v1/reminders/`: the signed-in user's own reminders."""

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from reintegra.api.pagination import StandardPagination
from reintegra.reminders import selectors, services
from reintegra.reminders.models import Reminder
from reintegra.reminders.serializers import ReminderSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Your reminders",
        parameters=[OpenApiParameter("unread", bool, description="Only the ones not yet read.")],
        tags=["reminders"],
    ),
    retrieve=extend_schema(summary="One of your reminders", tags=["reminders"]),
)
class ReminderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ReminderSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    queryset = Reminder.objects.none()

    def get_queryset(self) -> QuerySet[Reminder]:
        unread = self.request.query_params.get("unread", "").lower() in {"1", "true", "yes"}
        return selectors.reminders_for(self.request.user, unread_only=unread)

    @extend_schema(request=None, responses=ReminderSerializer, summary="Mark a reminder as read", tags=["reminders"])
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: Any = None) -> Response:
        reminder = self.get_object()
        return Response(ReminderSerializer(services.mark_read(request.user, reminder)).data)
