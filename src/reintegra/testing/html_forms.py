"""Read a rendered form the way a browser submits it: what a user "has on screen" in tests.

`form_values(html)` returns the successful controls of the page's POST form (the first one, or the first
containing `containing`) as {name: [values]}, which Django's test client posts as is.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

_SKIPPED_TYPES = {"submit", "button", "reset", "image", "file"}


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, list[str]]] = []
        self._current: dict[str, list[str]] | None = None
        self._select: tuple[str, bool] | None = None  # (name, multiple)
        self._select_first: str | None = None
        self._select_chosen = False
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = {}
            self.forms.append(self._current)
        if self._current is None:
            return
        if tag == "input":
            self._input(a)
        elif tag == "select" and a.get("name"):
            self._select = (a["name"], "multiple" in a)
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def _input(self, a: dict[str, str]) -> None:
        assert self._current is not None
        kind = a.get("type", "text").lower()
        name = a.get("name")
        if not name or kind in _SKIPPED_TYPES or "disabled" in a:
            return
        if kind in ("checkbox", "radio"):
            if "checked" in a:
                self._current.setdefault(name, []).append(a.get("value") or "on")
            return
        self._current.setdefault(name, []).append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data
        if self._option_value is None and self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if self._current is None:
            return
        if tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            name, multiple = self._select
            if self._select_first is None:
                self._select_first = value
            if self._option_selected and (multiple or not self._select_chosen):
                self._current.setdefault(name, []).append(value)
                self._select_chosen = True
            self._option_value = None
        elif tag == "select" and self._select is not None:
            name, multiple = self._select
            if not multiple and not self._select_chosen and self._select_first is not None:
                self._current.setdefault(name, []).append(self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # The first newline after <textarea> belongs to the markup, not the value.
            self._current.setdefault(self._textarea, []).append(self._text.removeprefix("\n"))
            self._textarea = None
        elif tag == "form":
            self._current = None


def form_values(html: str | bytes, containing: str = "") -> dict[str, Any]:
    """The POST form of the page (the first one with a control named `containing`, if given)."""
    parser = _FormParser()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    for form in parser.forms:
        if not containing or containing in form:
            return {name: values if len(values) != 1 else values[0] for name, values in form.items()}
    raise AssertionError(f"No POST form{f' with {containing!r}' if containing else ''} on the page.")
