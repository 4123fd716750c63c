"""Forms of the public app: they parse and type-check; the services decide (one rule path)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reintegra.access.text_limits import TextLimitsMixin
from reintegra.public import models as text_model
from reintegra.public import selectors, services, spam
from reintegra.public.choices import (
    SATISFACTION_ITEMS,
    FeedbackChannel,
    FeedbackKind,
    FeedbackPriority,
    GuideLanguage,
    GuideTopic,
    RequesterKind,
    SatisfactionAnswer,
    SensitiveConcern,
)
from reintegra.web.forms import marked_required
from reintegra.web.widgets import DateInput


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", "—"), *choices]


def _id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return -1  # refused by the service as invalid_choice


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Municipality"), required=False, max_length=100)


class _PublicForm(forms.Form):
    """The challenge and the honeypot every public form carries (see spam.py)."""

    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)
    challenge_answer = forms.CharField(label=_("Question to check you are a person"), required=False, max_length=10)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        challenge = spam.new_challenge()
        self.challenge_question = challenge.question
        self.fields["challenge_answer"].help_text = challenge.question
        marked_required(self.fields["challenge_answer"])
        # A fresh question each time the form is shown (also when re-displayed with errors); the posted
        # answer is kept aside for the service.
        self.initial["challenge_token"] = challenge.token
        self.posted = ("", "", "")
        if self.is_bound:
            self.posted = (
                self.data.get("challenge_token", ""),
                self.data.get("challenge_answer", ""),
                self.data.get("website", ""),
            )
            data = dict(self.data.items())
            data["challenge_token"] = challenge.token
            data["challenge_answer"] = ""
            self.data = data
        programmes = [(p.pk, p.name) for p in selectors.public_programmes()]
        self.fields["programme"] = forms.TypedChoiceField(
            label=_("Programme"), choices=_blank(programmes), coerce=int, required=False, empty_value=None
        )
        marked_required(self.fields["programme"])

    def submission(self, address: str) -> spam.Submission:
        token, answer, honeypot = self.posted
        return spam.Submission(address=address, challenge_token=token, challenge_answer=answer, honeypot=honeypot)


class PublicFeedbackForm(TextLimitsMixin, _PublicForm):
    text_models = (text_model.Feedback,)
    kind = forms.ChoiceField(label=_("What is it?"), choices=_blank(FeedbackKind.choices), required=False)
    concern = forms.ChoiceField(
        label=_("If it is sensitive: what is it about?"),
        choices=_blank(SensitiveConcern.choices),
        required=False,
        help_text=_("Sensitive reports are read only by the programme's feedback focal point."),
    )
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    municipality = forms.CharField(widget=forms.HiddenInput, required=False)
    contact = forms.CharField(
        label=_("How can we reach you? (optional)"),
        required=False,
        help_text=_("Leave it empty to stay anonymous: follow the answer with your tracking code."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("kind", "text"):
            marked_required(self.fields[name])

    def to_input(self) -> services.PublicFeedbackInput:
        d = self.cleaned_data
        return services.PublicFeedbackInput(
            programme=d["programme"],
            kind=d["kind"],
            concern=d["concern"],
            text=d["text"],
            municipality=_id(d["municipality"]),
            contact=d["contact"],
        )


class InformationRequestForm(TextLimitsMixin, _PublicForm):
    text_models = (text_model.InformationRequest,)
    requester_kind = forms.ChoiceField(label=_("Who is asking?"), choices=_blank(RequesterKind.choices), required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=GuideTopic.choices, initial=GuideTopic.OTHER, required=False)
    question = forms.CharField(label=_("Your question"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    municipality = forms.CharField(widget=forms.HiddenInput, required=False)
    contact = forms.CharField(
        label=_("Where should we send the answer? (optional)"),
        required=False,
        help_text=_("An e-mail or a phone number. Without it, follow the answer with your tracking code."),
    )
    agrees_to_publish = forms.BooleanField(
        label=_("I agree that the question and answer are published without anything that identifies me"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("requester_kind", "question"):
            marked_required(self.fields[name])

    def to_input(self) -> services.InformationRequestInput:
        d = self.cleaned_data
        return services.InformationRequestInput(
            programme=d["programme"],
            requester_kind=d["requester_kind"],
            topic=d["topic"] or GuideTopic.OTHER,
            question=d["question"],
            municipality=_id(d["municipality"]),
            contact=d["contact"],
            agrees_to_publish=d["agrees_to_publish"],
        )


class TrackingForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=16)


# --- staff ----------------------------------------------------------------------------------------------


class FeedbackRecordForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Feedback,)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(label=_("Type"), choices=_blank(FeedbackKind.choices), required=False)
    concern = forms.ChoiceField(label=_("Sensitive: about"), choices=_blank(SensitiveConcern.choices), required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=_blank(FeedbackChannel.choices), required=False)
    priority = forms.ChoiceField(
        label=_("Priority"), choices=FeedbackPriority.choices, initial=FeedbackPriority.NORMAL, required=False
    )
    text = forms.CharField(label=_("What the person said"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    contact = forms.CharField(label=_("How to reach the person (optional)"), required=False)
    case = forms.IntegerField(label=_("Case id (optional)"), required=False, min_value=1)
    case_consent = forms.BooleanField(label=_("The person agrees to link their case"), required=False)
    provider = forms.TypedChoiceField(
        label=_("Service provider concerned (optional)"), coerce=int, required=False, empty_value=None
    )

    def __init__(
        self,
        *args: Any,
        programmes: list[tuple[int, str]],
        providers: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = _blank(programmes)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.TypedChoiceField)
        provider.choices = _blank(providers or [])
        for name in ("programme", "kind", "channel", "text"):
            marked_required(self.fields[name])

    def to_input(self) -> services.FeedbackInput:
        d = self.cleaned_data
        return services.FeedbackInput(
            programme=d["programme"],
            kind=d["kind"],
            concern=d["concern"],
            channel=d["channel"],
            priority=d["priority"] or FeedbackPriority.NORMAL,
            text=d["text"],
            contact=d["contact"],
            case=d["case"],
            case_consent=d["case_consent"],
            provider=d["provider"],
        )


class NoteForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.FeedbackEvent,)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ResponseForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Feedback,)
    response = forms.CharField(
        label=_("Response"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Shown to whoever follows the item with its tracking code: write nothing about other people."),
    )


class ProviderForm(forms.Form):
    """Which provider the item is about; any value goes to the service, which decides (one rule path)."""

    provider = forms.CharField(label=_("Service provider concerned"), required=False)

    def __init__(self, *args: Any, providers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].widget = forms.Select(choices=[("", _("No provider")), *providers])

    def clean_provider(self) -> int | None:
        return _id(self.cleaned_data["provider"])


class CloseLoopForm(forms.Form):
    how = forms.CharField(
        label=_("How the response was communicated"),
        max_length=200,
        required=False,
        help_text=_("A call, a visit, a message, the tracking page..."),
    )


class AnswerForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.InformationRequest,)
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}), required=False)


class PublishForm(forms.Form):
    public_question = forms.CharField(
        label=_("Question as published (anonymised)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    public_answer = forms.CharField(
        label=_("Answer as published (anonymised)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class GuideForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.Guide,)
    programme = forms.TypedChoiceField(label=_("Programme"), coerce=int, required=False, empty_value=None)
    country = forms.CharField(label=_("Country (ISO code)"), max_length=2, required=False)
    municipality = forms.IntegerField(
        label=_("Municipality id (optional)"), required=False, help_text=_("Empty: the guide is for the whole country.")
    )
    topic = forms.ChoiceField(label=_("Topic"), choices=_blank(GuideTopic.choices), required=False)
    language = forms.ChoiceField(label=_("Language"), choices=GuideLanguage.choices, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        help_text=_("Plain text; an empty line starts a new paragraph."),
    )
    is_published = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args: Any, programmes: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["programme"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = _blank(programmes)
        for name in ("programme", "country", "topic", "title", "body"):
            marked_required(self.fields[name])

    def to_input(self) -> services.GuideInput:
        d = self.cleaned_data
        return services.GuideInput(
            programme=d["programme"],
            country=d["country"],
            municipality=d["municipality"],
            topic=d["topic"],
            language=d["language"] or GuideLanguage.ES,
            title=d["title"],
            body=d["body"],
            is_published=d["is_published"],
        )


class SettingsForm(TextLimitsMixin, forms.Form):
    text_models = (text_model.PublicSettings,)
    is_listed = forms.BooleanField(label=_("Listed on the public portal"), required=False)
    summary = forms.CharField(
        label=_("What the programme offers"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    eligibility = forms.CharField(label=_("Who is eligible"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    acknowledge_days = forms.IntegerField(label=_("Days to acknowledge feedback"), required=False)
    sensitive_acknowledge_days = forms.IntegerField(label=_("Days to acknowledge sensitive feedback"), required=False)
    resolve_days = forms.IntegerField(label=_("Days to resolve feedback"), required=False)
    guide_review_months = forms.IntegerField(label=_("Months before a guide is reviewed again"), required=False)

    def to_input(self) -> services.SettingsInput:
        return services.SettingsInput(**self.cleaned_data)


class SatisfactionForm(TextLimitsMixin, forms.Form):
    """The four items of a case's satisfaction survey; `services.record_satisfaction_survey` decides."""

    text_models = (text_model.SatisfactionSurvey,)
    taken_on = forms.DateField(label=_("Date of the survey"), required=False, widget=DateInput())
    comment = forms.CharField(
        label=_("What the person added (optional)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, question in SATISFACTION_ITEMS:
            self.fields[name] = forms.ChoiceField(
                label=question, choices=SatisfactionAnswer.choices, widget=forms.RadioSelect, required=False
            )
            marked_required(self.fields[name])
        marked_required(self.fields["taken_on"])
        self.order_fields(["taken_on", *(name for name, _question in SATISFACTION_ITEMS), "comment"])

    def to_input(self) -> services.SatisfactionInput:
        d = self.cleaned_data
        return services.SatisfactionInput(
            taken_on=d["taken_on"],
            comment=d["comment"],
            **{name: d[name] for name, _question in SATISFACTION_ITEMS},
        )
