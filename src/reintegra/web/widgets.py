"""The form widgets every app uses (docs/ARCHITECTURE.md, "The UI kit").

from reintegra.web.widgets import DateInput, FastSelect
return_date = forms.DateField(label=_("Return date"), widget=DateInput())
"""

from __future__ import annotations

import html
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe


class DateInput(forms.DateInput):
    """A native date picker. Its value is always ISO 8601 whatever the language: a date input cannot show
    "04/03/2025", so a localised value would come back empty when the form is shown again."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A native date-and-time picker (`datetime-local`), ISO 8601 ("2026-12-01T09:30") whatever the language."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class TimeInput(forms.TimeInput):
    """A native time picker, "09:30" whatever the language."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


# The input types a browser reads only in ISO 8601 (tests/test_ui_kit.py checks every form's).
ISO_INPUT_TYPES = {"date": DateInput, "datetime-local": DateTimeInput, "time": TimeInput}


class FastSelect(forms.Select):
    """A select whose options are rendered in Python, not one template include per option.

    Django renders ~2,500 options (the municipalities of Mexico) in about 120 ms through templates;
    this takes a few milliseconds. Same markup: attributes from the bound field (id, aria-*, hx-*,
    required), optgroups for grouped choices, selected values.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        parts = [f"<select{flatatt(final)}>"]
        for key, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'<optgroup label="{escape(key)}">')
                parts.extend(self._option(v, text, selected) for v, text in label)
                parts.append("</optgroup>")
            else:
                parts.append(self._option(key, label, selected))
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped above

    @staticmethod
    def _option(value: Any, label: Any, selected: set[str]) -> str:
        value = "" if value is None else str(value)
        mark = " selected" if value in selected else ""
        return f'<option value="{_escaped(value)}"{mark}>{_escaped(label)}</option>'


class SelectWidget(forms.Select):
    """A select rendered in Python with exactly the markup of Django's own templates (`select.html`, its
    options and attributes, whitespace included): for the few-option selects of a page every user opens (the
    case list's filters), where a template include per option is most of the form's rendering time. Named so
    that `BoundField.widget_type` stays "select" (the class name minus "widget"): the field's CSS class too."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        values = self.format_value(value)
        chosen = [False]  # Django marks the first matching option of a single select only
        parts = [f'<select name="{conditional_escape(name)}"{_attributes(final)}>']
        for key, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'\n  <optgroup label="{conditional_escape(key)}">')
                parts.extend(self._option(v, text, values, chosen) for v, text in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(self._option(key, label, values, chosen))
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped

    def _option(self, value: Any, label: Any, values: list[str], chosen: list[bool]) -> str:
        value = "" if value is None else value
        selected = str(value) in values and (self.allow_multiple_selected or not chosen[0])
        chosen[0] = chosen[0] or selected
        mark = " selected" if selected else ""
        return f'\n  <option value="{_escaped(str(value))}"{mark}>{_escaped(label)}</option>\n'


def _escaped(text: Any) -> str:
    """`conditional_escape(text)` as text, without its wrappers (a lazy-aware function, a `SafeString` made per
    value): a select of a few hundred people or a few thousand municipalities escapes every value and label."""
    if hasattr(text, "__html__"):
        return str(text.__html__())
    return html.escape(str(text))


def _attributes(attrs: dict[str, Any]) -> str:
    """`django/forms/widgets/attrs.html`: False left out, True as a bare name, any other value as text."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        elif value is not False:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return "".join(parts)


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class SuggestingTextInput(forms.TextInput):
    """Free text with suggestions the browser offers as one types (a `<datalist>`): e.g. the standard units of
    an indicator, any other text still accepted. `suggestions` is called at render time, so lazy translations
    come out in the reader's language."""

    def __init__(self, suggestions: Any, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs)
        self.suggestions = suggestions

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        listed = f"{name}-suggestions"
        field = super().render(name, value, {**(attrs or {}), "list": listed}, renderer)
        options = "".join(f'<option value="{escape(text)}">' for text in self.suggestions())
        return mark_safe(f'{field}<datalist id="{listed}">{options}</datalist>')  # noqa: S308 - escaped above
