"""The standard indicator library as data (library.yaml): read by migration 0002, the docs test and the bench."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

PATH = Path(__file__).with_name("library.yaml")
LANGUAGES = ("es", "en", "fr")


def entries() -> list[dict[str, Any]]:
    loaded: list[dict[str, Any]] = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    return loaded


def fields(entry: dict[str, Any]) -> dict[str, Any]:
    """The entry as StandardIndicator fields."""
    values: dict[str, Any] = {
        key: entry[key]
        for key in ("code", "measure", "unit", "direction", "time_aggregation", "level", "dimension", "definition")
    }
    for language in LANGUAGES:
        values[f"name_{language}"] = entry["name"][language]
        values[f"description_{language}"] = entry["description"][language]
    values["means_of_verification"] = entry.get("means_of_verification", "")
    values["is_computed"] = True
    return values
