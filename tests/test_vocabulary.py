"""One vocabulary: every choices class is defined once, in a `choices.py`, and the shared words of the
integrated approach live in `reintegra.vocabulary` (docs/ARCHITECTURE.md)."""

import ast
import importlib
import pkgutil
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import models
from django.utils import translation
from django.utils.functional import Promise

import reintegra
from reintegra.vocabulary import codes
from reintegra.vocabulary.choices import Dimension, GeographicLevel, InterventionLevel

# Entry points and settings run code on import; tests and migrations define no vocabulary of the project.
SKIPPED = ("reintegra.__main__", "reintegra.settings")
SKIPPED_PARTS = {"tests", "migrations"}
VOCABULARY = Path(reintegra.__file__).parent / "vocabulary"


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(reintegra.__path__, "reintegra."):
        name = module.name
        if name.startswith(SKIPPED) or SKIPPED_PARTS & set(name.split(".")):
            continue
        importlib.import_module(name)


def _subclasses(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


def project_choices() -> list[type[models.Choices]]:
    """Every Choices class the project's modules define (nested and function-level ones included)."""
    _import_every_module()
    classes = {
        cls
        for cls in _subclasses(models.Choices)
        if cls.__module__.startswith("reintegra.") and not SKIPPED_PARTS & set(cls.__module__.split("."))
    }
    return sorted(classes, key=lambda cls: (cls.__module__, cls.__qualname__))


def test_the_walk_finds_the_project_choices():
    found = {(cls.__module__, cls.__qualname__) for cls in project_choices()}
    assert ("reintegra.vocabulary.choices", "Dimension") in found
    assert ("reintegra.cases.choices", "CaseStatus") in found
    assert len(found) > 50


def test_no_choices_class_name_is_defined_twice():
    by_name: dict[str, list[str]] = defaultdict(list)
    for cls in project_choices():
        by_name[cls.__name__].append(f"{cls.__module__}.{cls.__qualname__}")
    twice = {name: where for name, where in by_name.items() if len(where) > 1}
    assert not twice, f"one name, several vocabularies: give each its domain name {twice}"


def test_choices_are_defined_in_a_choices_module():
    misplaced = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in project_choices()
        # An app's concept with its own modules may keep its words beside them (children.plan_choices).
        if not cls.__module__.endswith((".choices", "_choices")) or "." in cls.__qualname__
    ]
    assert not misplaced, f"move these to the app's choices.py (or reintegra.vocabulary): {misplaced}"


def test_every_shown_label_is_translated_in_spanish_and_french():
    """Labels made with gettext_lazy / pgettext_lazy are in the es and fr catalogues (plain-string labels
    are codes never shown, e.g. NameTokenKind)."""
    missing = []
    for cls in project_choices():
        for member in cls:
            label = member.label
            if not isinstance(label, Promise):
                continue
            args = label._args  # the lazy call's (msgid) or (context, msgid)
            key = "\x04".join(args) if len(args) == 2 else args[0]
            for language in ("es", "fr"):
                catalog = translation.trans_real.translation(language)._catalog
                if not catalog.get(key):
                    missing.append(f"{language}: {cls.__name__}.{member.name} {args}")
    assert not missing, missing


@pytest.mark.parametrize(
    ("choices", "stored"),
    [
        (InterventionLevel, codes.INTERVENTION_LEVELS),
        (Dimension, codes.DIMENSIONS),
        (GeographicLevel, codes.GEOGRAPHIC_LEVELS),
    ],
)
def test_the_choices_label_the_codes_the_pure_cores_use(choices, stored):
    assert tuple(choices.values) == stored


def test_the_shared_words_keep_their_stored_values():
    # Rows in the database hold these codes: changing one needs a data migration.
    assert InterventionLevel.values == ["individual", "community", "structural"]
    assert Dimension.values == ["economic", "social", "psychosocial"]
    assert GeographicLevel.values == ["local", "national", "international"]


def test_the_vocabulary_is_the_lowest_layer():
    """It imports nothing from the apps; `codes` not even Django (the pure cores import it)."""
    for path in VOCABULARY.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                if module.startswith("reintegra"):
                    assert module.startswith("reintegra.vocabulary"), f"{path.name} imports {module}"
                if path.name == "codes.py":
                    assert not module.startswith("django"), f"codes.py imports {module}"


def test_the_shared_labels_have_their_meaning_in_each_language():
    # "Community" as a level is an adjective (nivel comunitario), not the noun "comunidad".
    with translation.override("es"):
        assert [str(label) for label in InterventionLevel.labels] == ["Individual", "Comunitario", "Estructural"]
        assert [str(label) for label in Dimension.labels] == ["Económica", "Social", "Psicosocial"]
        assert [str(label) for label in GeographicLevel.labels] == ["Local", "Nacional", "Internacional"]
    with translation.override("fr"):
        assert [str(label) for label in InterventionLevel.labels] == ["Individuel", "Communautaire", "Structurel"]
        assert [str(label) for label in Dimension.labels] == ["Économique", "Sociale", "Psychosociale"]
        assert [str(label) for label in GeographicLevel.labels] == ["Local", "National", "International"]
