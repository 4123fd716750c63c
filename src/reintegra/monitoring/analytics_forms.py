"""The analytics page's choice of breakdown (shapes only: `monitoring.analytics.clean_dimensions` decides)."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The largest "smallest cell" a user may ask for (the programme's threshold is still the floor).
MAX_K = 1000

DIMENSION_LABELS = {
    "status": _("Case status"),
    "return_type": _("Return type"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "municipality": _("Municipality of return"),
    "closure_category": _("Kind of exit (closed cases)"),
    "return_year": _("Year of return"),
    "attention_flag": _("Differential attention (cases with each)"),
    "cause_of_migration": _("Cause of migration (cases with each)"),
}


class AggregateForm(forms.Form):
    by = forms.ChoiceField(label=_("Count cases by"), choices=list(DIMENSION_LABELS.items()), initial="status")
    k = forms.IntegerField(
        label=_("Smallest count shown"),
        required=False,
        min_value=1,
        max_value=MAX_K,
        help_text=_("Smaller counts are hidden. It can be raised above the programme's threshold, never lowered."),
    )
