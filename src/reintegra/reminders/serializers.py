from rest_framework import serializers

from reintegra.reminders.models import Reminder


class ReminderSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text="The reminder in the request's language.")

    class Meta:
        model = Reminder
        fields = ["id", "kind", "key", "text", "url", "due_on", "created_at", "read_at"]
        read_only_fields = fields
