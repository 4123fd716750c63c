"""Every free-text field of every model of the project has a limit, and a write over it is refused (issue 18.8).

`access.text_limits` gives each text field its limit (its own max_length, else its kind) and refuses a longer
value on `pre_save` of every model, before anything is written. These walk the whole model registry; the web
and API paths of one write per app are in tests/test_one_rule_path.py (`TOO_LONG`).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.db.models.signals import pre_save
from django.utils import translation

from reintegra.access import text_limits
from reintegra.access.fields import is_encrypted
from reintegra.access.roles import Role
from reintegra.cases import services
from reintegra.cases.models import Household
from reintegra.testing import factories


def _project_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if m._meta.app_config.name.startswith("reintegra.")]


def _text_fields() -> list[models.Field[Any, Any]]:
    return [f for m in _project_models() for f in m._meta.concrete_fields if text_limits.is_text(f)]


def test_no_text_field_is_left_without_a_limit() -> None:
    unlimited = [text_limits.key(f) for f in _text_fields() if text_limits.limit_of(f) is None]
    assert sorted(unlimited) == sorted(text_limits.SYSTEM), "only text the system writes has no limit"
    assert len(_text_fields()) > 300


def test_the_tables_name_fields_that_exist_and_have_no_limit_of_their_own() -> None:
    fields = {text_limits.key(f): f for f in _text_fields()}
    for name in [*text_limits.KINDS, *text_limits.SYSTEM]:
        assert name in fields, f"{name}: no such text field"
        assert fields[name].max_length is None, f"{name}: its own max_length is its limit"


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m._meta.label)
def test_every_text_field_refuses_one_character_over_its_limit(model: type[models.Model]) -> None:
    """Through the check `pre_save` runs for every model: the limit passes, one more character is refused."""
    for field in model._meta.concrete_fields:
        if not text_limits.is_text(field) or (limit := text_limits.limit_of(field)) is None:
            continue
        instance = model()
        setattr(instance, field.attname, "x" * limit)
        error = text_limits.problems(instance)
        assert error is None or field.name not in error.error_dict, f"{text_limits.key(field)}: {limit} refused"
        setattr(instance, field.attname, "x" * (limit + 1))
        with pytest.raises(ValidationError) as refused:
            text_limits.refuse_too_long(model, instance)
        assert [e.code for e in refused.value.error_dict[field.name]] == ["max_length"], text_limits.key(field)


def test_the_check_runs_before_every_save() -> None:
    assert any("refuse_too_long" in repr(receiver) for _key, receiver, *_ in pre_save.receivers)


def test_fixtures_load_as_they_are() -> None:
    instance = Household(notes="x" * 3_000)
    text_limits.refuse_too_long(Household, instance, raw=True)


@pytest.mark.django_db
def test_a_service_refuses_too_long_encrypted_text_counting_the_clear_text() -> None:
    """A household's notes (encrypted, a note: 2,000 characters): the limit is on what the user wrote; the
    stored ciphertext is far longer, and nothing is written when refused."""
    org = factories.organisation()
    manager = factories.user(org, Role.CASE_MANAGER)
    case = factories.case(manager, factories.returnee(manager), case_manager=manager)
    household = services.set_household(manager, case, [], notes="x" * 2_000)
    household = Household.objects.get(pk=household.pk)
    assert household.notes == "x" * 2_000
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT notes FROM {Household._meta.db_table} WHERE id = %s", [household.pk])  # noqa: S608
        assert len(cursor.fetchone()[0]) > 2_000
    assert is_encrypted(Household._meta.get_field("notes"))
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        services.set_household(manager, case, [], notes="y" * 2_001)
    (message,) = refused.value.error_dict["notes"]
    assert message.code == "max_length"
    with translation.override("es"):
        assert "2000" in str(message.messages[0]) or "2.000" in str(message.messages[0])
    assert Household.objects.get(pk=household.pk).notes == "x" * 2_000


# --- forms show the limit (presentation only) ----------------------------------------------------


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *_subclasses(sub)}
    return found


def _shown(form_class: type) -> Any:
    """The form as built (a form built from other arguments: its declared fields, given their limits)."""
    try:
        return form_class()
    except Exception:
        bare = form_class.__new__(form_class)
        bare.fields = copy.deepcopy(form_class.base_fields)
        model = getattr(getattr(form_class, "_meta", None), "model", None)
        text_limits.show_limits(bare, *form_class.text_models, *([model] if model else []))
        return bare


@pytest.mark.django_db
def test_forms_show_the_limit_of_their_free_text_as_maxlength() -> None:
    import reintegra.web.forms  # noqa: F401 - every app's forms are imported by its views

    for module in ("cases", "referrals", "structural", "public", "community", "monitoring", "children"):
        __import__(f"reintegra.{module}.urls")
    checked = 0
    for form_class in sorted(_subclasses(text_limits.TextLimitsMixin), key=lambda c: c.__qualname__):
        form = _shown(form_class)
        models_of = [*form_class.text_models, *([form_class._meta.model] if hasattr(form_class, "_meta") else [])]
        for name, form_field in form.fields.items():
            for model in models_of:
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if not text_limits.is_text(field) or text_limits.limit_of(field) is None:
                    continue
                shown = form_field.widget.attrs.get("maxlength")
                if shown is not None:
                    assert int(shown) <= text_limits.limit_of(field), f"{form_class.__name__}.{name}: above the limit"
                    checked += 1
                break
    assert checked > 150


@pytest.mark.django_db
def test_the_assessment_form_shows_its_narratives_limit() -> None:
    from reintegra.cases.forms.assessment import AssessmentForm

    user = factories.user(factories.organisation(), Role.CASE_MANAGER)
    assert 'maxlength="10000"' in str(AssessmentForm(user=user)["needs_vulnerabilities"])


def test_a_refusal_no_form_expected_answers_the_400_page_with_its_messages(rf: Any) -> None:
    """A page whose view does not expect the refusal (a script posting past the input's maxlength): the 400
    page says what was wrong, not a server error; the API answers its own 400 body."""
    from reintegra.api.error_pages import RefusedInputMiddleware

    middleware = RefusedInputMiddleware(lambda request: None)
    refusal = text_limits.problems(Household(notes="x" * 2_001))
    assert refusal is not None
    with translation.override("es"):
        page = middleware.process_exception(rf.post("/casos/1/hogar/"), refusal)
    assert page is not None and page.status_code == 400
    assert "2001" in page.content.decode() or "2.001" in page.content.decode()
    assert middleware.process_exception(rf.post("/api/v1/cases/"), refusal) is None
