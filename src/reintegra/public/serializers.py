"""Serializers of the public app: the public ones present only published content; the write ones parse and
hand a service its input (the service decides)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from reintegra.places.models import AdminArea
from reintegra.public import services, spam
from reintegra.public.choices import FeedbackStatus, GuideTopic
from reintegra.public.models import Feedback, Guide, SatisfactionSurvey
from reintegra.referrals.models import Service


class PublicServiceSerializer(serializers.ModelSerializer[Service]):
    provider = serializers.CharField(source="provider.name", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "description",
            "provider",
            "sector",
            "dimension",
            "public_contact",
            "opening_hours",
            "cost",
            "languages",
        ]


class MunicipalitySerializer(serializers.ModelSerializer[AdminArea]):
    country = serializers.CharField()
    department = serializers.CharField(source="parent.name", default="", read_only=True)

    class Meta:
        model = AdminArea
        fields = ["id", "name", "department", "country"]


class PublicServicesSerializer(serializers.Serializer[Any]):
    municipality = MunicipalitySerializer()
    services = PublicServiceSerializer(many=True)


class PublicGuideSerializer(serializers.ModelSerializer[Guide]):
    municipality = serializers.IntegerField(source="municipality_id", allow_null=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Guide
        fields = [
            "id",
            "title",
            "topic",
            "language",
            "country",
            "municipality",
            "body",
            "version",
            "last_reviewed_on",
            "review_due_on",
            "url",
        ]

    def get_url(self, guide: Guide) -> str:
        return f"/info/guias/{guide.pk}/"


class ServicesQuery(serializers.Serializer[Any]):
    municipality = serializers.CharField(max_length=100, help_text="A municipality's id or its name (typos allowed)")


class GuidesQuery(serializers.Serializer[Any]):
    municipality = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    country = serializers.CharField(required=False, max_length=2)
    language = serializers.ChoiceField(choices=["es", "en", "fr"], required=False)
    topic = serializers.ChoiceField(choices=GuideTopic.choices, required=False)


class ChallengeSerializer(serializers.Serializer[Any]):
    question = serializers.CharField()
    token = serializers.CharField()


class _SubmissionFields(serializers.Serializer[Any]):
    challenge_token = serializers.CharField(required=False, allow_blank=True, default="")
    challenge_answer = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    website = serializers.CharField(required=False, allow_blank=True, default="", help_text="Leave empty")
    programme = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    municipality = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)

    def submission(self, address: str) -> spam.Submission:
        v = self.validated_data
        return spam.Submission(address, v["challenge_token"], v["challenge_answer"], v["website"])


class PublicFeedbackInputSerializer(_SubmissionFields):
    kind = serializers.CharField(required=False, allow_blank=True, default="")
    concern = serializers.CharField(required=False, allow_blank=True, default="")
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)

    def to_input(self) -> services.PublicFeedbackInput:
        v = self.validated_data
        return services.PublicFeedbackInput(
            programme=v.get("programme"),
            kind=v["kind"],
            concern=v["concern"],
            text=v["text"],
            municipality=v.get("municipality"),
            contact=v["contact"],
        )


class InformationRequestInputSerializer(_SubmissionFields):
    requester_kind = serializers.CharField(required=False, allow_blank=True, default="")
    topic = serializers.CharField(required=False, allow_blank=True, default=GuideTopic.OTHER)
    question = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    agrees_to_publish = serializers.BooleanField(required=False, default=False)

    def to_input(self) -> services.InformationRequestInput:
        v = self.validated_data
        return services.InformationRequestInput(
            programme=v.get("programme"),
            requester_kind=v["requester_kind"],
            topic=v["topic"] or GuideTopic.OTHER,
            question=v["question"],
            municipality=v.get("municipality"),
            contact=v["contact"],
            agrees_to_publish=v["agrees_to_publish"],
        )


class TrackingSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField()
    status = serializers.ChoiceField(choices=FeedbackStatus.choices)
    status_label = serializers.CharField()
    received_on = serializers.DateField()
    response = serializers.CharField(help_text="The public response, once given")


class ReceiptSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField()
    status = serializers.CharField()


# --- staff ------------------------------------------------------------------------------------------------


class FeedbackSerializer(serializers.ModelSerializer[Feedback]):
    class Meta:
        model = Feedback
        fields = [
            "id",
            "tracking_code",
            "programme",
            "kind",
            "concern",
            "channel",
            "priority",
            "status",
            "municipality",
            "case",
            "provider",
            "text",
            "contact",
            "response",
            "communicated_how",
            "acknowledge_by",
            "resolve_by",
            "acknowledged_at",
            "responded_at",
            "closed_at",
            "received_at",
        ]
        read_only_fields = fields


class FeedbackInputSerializer(serializers.Serializer[Any]):
    programme = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    kind = serializers.CharField(required=False, allow_blank=True, default="")
    concern = serializers.CharField(required=False, allow_blank=True, default="")
    channel = serializers.CharField(required=False, allow_blank=True, default="")
    priority = serializers.CharField(required=False, allow_blank=True, default="normal")
    text = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    contact = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    municipality = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    case = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)
    case_consent = serializers.BooleanField(required=False, default=False)
    provider = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**63 - 1)

    def to_input(self) -> services.FeedbackInput:
        v = self.validated_data
        return services.FeedbackInput(
            programme=v.get("programme"),
            kind=v["kind"],
            concern=v["concern"],
            channel=v["channel"],
            priority=v["priority"] or "normal",
            text=v["text"],
            contact=v["contact"],
            municipality=v.get("municipality"),
            case=v.get("case"),
            case_consent=v["case_consent"],
            provider=v.get("provider"),
        )


class FeedbackFilterSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField(required=False, allow_blank=True)
    status = serializers.CharField(required=False, allow_blank=True)
    programme = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class NoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class ResponseSerializer(serializers.Serializer[Any]):
    response = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)


class ProviderSerializer(serializers.Serializer[Any]):
    provider = serializers.IntegerField(
        allow_null=True, default=None, help_text="The service provider concerned; null removes it."
    )


class CloseLoopSerializer(serializers.Serializer[Any]):
    how = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class SatisfactionSurveySerializer(serializers.ModelSerializer[SatisfactionSurvey]):
    class Meta:
        model = SatisfactionSurvey
        fields = [
            "id",
            "case",
            "taken_on",
            "informed_of_options",
            "took_part_in_decisions",
            "confidentiality_respected",
            "would_recommend",
            "score",
            "comment",
        ]
        read_only_fields = fields


class SatisfactionInputSerializer(serializers.Serializer[Any]):
    """Parses only: `services.record_satisfaction_survey` checks the answers (codes `required`,
    `invalid_choice`, `future_date`, `before_return`)."""

    taken_on = serializers.DateField(required=False, allow_null=True, default=None)
    informed_of_options = serializers.CharField(required=False, allow_blank=True, default="")
    took_part_in_decisions = serializers.CharField(required=False, allow_blank=True, default="")
    confidentiality_respected = serializers.CharField(required=False, allow_blank=True, default="")
    would_recommend = serializers.CharField(required=False, allow_blank=True, default="")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)

    def to_input(self) -> services.SatisfactionInput:
        return services.SatisfactionInput(**self.validated_data)
