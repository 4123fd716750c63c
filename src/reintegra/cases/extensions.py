"""Where the other levels plug into the case page, without the cases app importing them.

Apps register in `AppConfig.ready()`:

    from reintegra.cases import extensions
    extensions.register_tab("sustainability", "sustainability:case-rounds", _("Sustainability"), after="follow_up")
    extensions.register_panel("plan", "sustainability/includes/plan_panel.html", plan_panel_context)
    extensions.register_event_describer(CaseEventKind.SUSTAINABILITY, describe_round)

A tab's view renders a template that extends "cases/case_base.html" (block `tab`) with the context of
`reintegra.cases.pages.case_page_context(request, case, tab_key)`.

A panel is a template included on a case tab (`summary` or `plan`), below that tab's own content, on the
plan form (`plan_form`: beside the plan items being edited), or in the header of every case page (`HEADER`:
a `<div>` of the header's description list), with `panel` = what `context(request, case)` returns;
returning None leaves the panel out. Panels of the home dashboard register in `web.dashboard`.

A case file section is a part of the printable case file (`cases.case_file`, the PDF of issue 18.15):

    extensions.register_case_file_section("referrals", "referrals/pdf/case_file_section.html", section_context,
                                          after="plan")

`context(user, case)` reads what that user may see of the case (the same scoping and field-level protection
as the app's own tab) and returns None to leave the section out; the template is rendered inside the PDF's
HTML, which runs no script (a chart is an inline SVG drawn on the server).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CaseTab:
    key: str
    url_name: str  # reversed with the case's pk
    label: Any  # a lazy translation
    after: str  # key of the tab it follows


@dataclass(frozen=True)
class CasePanel:
    tab: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]
    order: int = 50


_TABS: dict[str, CaseTab] = {}
# Timeline: kind -> describe(data) -> list of lines in words (data holds codes, dates and counts only).
_DESCRIBERS: dict[str, Callable[[dict[str, Any]], list[str]]] = {}


def register_event_describer(kind: str, describe: Callable[[dict[str, Any]], list[str]]) -> None:
    """How the timeline words events of `kind` (e.g. CaseEventKind.REFERRAL) written by another app."""
    _DESCRIBERS[kind] = describe


def describe_extra(kind: str, data: dict[str, Any]) -> list[str]:
    describe = _DESCRIBERS.get(kind)
    return describe(data) if describe else []


_PANELS: list[CasePanel] = []


def register_tab(key: str, url_name: str, label: Any, *, after: str) -> None:
    _TABS[key] = CaseTab(key, url_name, label, after)


def register_panel(
    tab: str, template: str, context: Callable[[Any, Any], dict[str, Any] | None], order: int = 50
) -> None:
    if not any(p.template == template and p.tab == tab for p in _PANELS):
        _PANELS.append(CasePanel(tab, template, context, order))


HEADER = "header"  # the header of every case page, above the tabs


def tabs(base: list[tuple[str, str, Any]]) -> list[tuple[str, str, Any]]:
    """The case tabs: the cases app's own, with each registered tab placed after the one it names."""
    result = list(base)
    for tab in _TABS.values():
        keys = [key for key, _url, _label in result]
        position = keys.index(tab.after) + 1 if tab.after in keys else len(result)
        result.insert(position, (tab.key, tab.url_name, tab.label))
    return result


def panels(request: Any, case: Any, tab: str) -> list[dict[str, Any]]:
    shown = []
    for panel in sorted((p for p in _PANELS if p.tab == tab), key=lambda p: p.order):
        context = panel.context(request, case)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown


# Rules a higher level adds to a step of a case (children: a child case's plan needs a best-interests
# assessment). A check raises TransitionError (or ValidationError) to refuse the step; the service calls
# them inside its transaction, after its own checks of the case's status, so every channel obeys them.
PLAN_AGREEMENT = "plan_agreement"
CLOSURE = "closure"
_STEP_CHECKS: dict[str, list[Callable[[Any], None]]] = {}


def register_step_check(step: str, check: Callable[[Any], None]) -> None:
    checks = _STEP_CHECKS.setdefault(step, [])
    if check not in checks:
        checks.append(check)


def check_step(step: str, case: Any) -> None:
    for check in _STEP_CHECKS.get(step, []):
        check(case)


# What is still open when a case closes (issue 18.2: a case closed while a referral waited; the provider then
# served a closed case). Each app lists its open matters and settles them as the user decided, inside the
# closure's transaction: the closure asks about each one, on every channel.
@dataclass(frozen=True)
class OpenMatter:
    key: str  # unique on the case and safe in a form field's name, e.g. "referral-12"
    kind: str  # "plan_item", "referral", "final_round"
    label: str  # in words: what it is, without more personal data than the case page shows
    choices: tuple[tuple[str, str], ...]  # (code, words); the first is what the page suggests
    url: str = ""  # where to deal with it before closing
    link_label: str = ""  # the words of that link
    # the row it is about, read once by `open` inside the closure's transaction, so settling need not read it again
    record: Any = field(default=None, compare=False, repr=False)


# (user, case, [(matter, choice)]) -> acts on the matters its own `open` listed, each with the user's choice
Settle = Callable[[Any, Any, list[tuple[OpenMatter, str]]], None]


@dataclass(frozen=True)
class ClosureMatters:
    open: Callable[[Any], list[OpenMatter]]  # (case) -> what is still open on it
    settle: Settle | None = None  # None when a decision changes nothing


_CLOSURE_MATTERS: list[ClosureMatters] = []


def register_closure_matters(open_matters: Callable[[Any], list[OpenMatter]], settle: Settle | None = None) -> None:
    if not any(m.open is open_matters for m in _CLOSURE_MATTERS):
        _CLOSURE_MATTERS.append(ClosureMatters(open_matters, settle))


def closure_matters() -> list[ClosureMatters]:
    return list(_CLOSURE_MATTERS)


# The printable case file (issue 18.15): the sections of the levels above, placed after a section of the
# cases app's own (see `cases.case_file.SECTIONS`), in registration order when several follow the same one.
@dataclass(frozen=True)
class CaseFileSection:
    key: str
    template: str
    context: Callable[[Any, Any], dict[str, Any] | None]  # (user, case) -> the section's context, or None
    after: str


_FILE_SECTIONS: dict[str, CaseFileSection] = {}


def register_case_file_section(
    key: str, template: str, context: Callable[[Any, Any], dict[str, Any] | None], *, after: str
) -> None:
    _FILE_SECTIONS[key] = CaseFileSection(key, template, context, after)


def case_file_sections(own: list[str], user: Any, case: Any) -> list[dict[str, Any]]:
    """The case file's sections in order: the cases app's own keys (rendered by its template: `template` is
    empty) with each registered section after the one it names; a section whose context is None is left out."""
    order = list(own)
    for section in _FILE_SECTIONS.values():
        order.insert(order.index(section.after) + 1 if section.after in order else len(order), section.key)
    shown: list[dict[str, Any]] = []
    for key in order:
        registered = _FILE_SECTIONS.get(key)
        if registered is None:
            shown.append({"key": key, "template": "", "context": {}})
            continue
        context = registered.context(user, case)
        if context is not None:
            shown.append({"key": key, "template": registered.template, "context": context})
    return shown
