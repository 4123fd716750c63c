"""The demo's vocabularies (names, places, phrases, organisations), loaded once from the YAML files of
`demo/data/` and checked on loading: every code is one the models accept, every name is stored as the
services store a typed name (`matching.clean_name`), so a typo in a data file fails at once, not in a
generated row.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from reintegra.cases import matching
from reintegra.cases.choices import (
    AssistanceForm,
    ClosureReason,
    Dimension,
    MigrationCause,
    PlanItemStatus,
    ReceptionAssistance,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


def load(name: str) -> Any:
    """The parsed content of `demo/data/<name>` (YAML)."""
    return _load(name)


@functools.cache
def _load(name: str) -> Any:
    with (DATA_DIR / name).open(encoding="utf-8") as stream:
        return yaml.load(stream, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders


def zipf(items: Sequence[Any], offset: float = 6.0) -> list[float]:
    """Cumulative weights where earlier items are more common (names follow a Zipf-like curve)."""
    return list(itertools.accumulate(1.0 / (rank + offset) for rank in range(len(items))))


def cumulative(weights: Mapping[Any, float]) -> tuple[list[Any], list[float]]:
    """(items, cumulative weights) of a mapping item → relative weight, in the file's order."""
    return list(weights), list(itertools.accumulate(float(w) for w in weights.values()))


class DataError(ValueError):
    """A demo data file holds something the models would not accept."""


def _require_codes(what: str, codes: Sequence[str], allowed: Sequence[str]) -> None:
    unknown = sorted(set(codes) - set(allowed))
    if unknown:
        raise DataError(f"{what}: unknown code(s) {', '.join(unknown)}")


def _clean_names(what: str, names: Sequence[str]) -> list[str]:
    bad = [name for name in names if matching.clean_name(name) != name or not name]
    if bad:
        raise DataError(f"{what}: not stored as typed names are ({', '.join(bad)})")
    return list(names)


@dataclass(frozen=True)
class Names:
    male: list[str]
    female: list[str]
    surnames: list[str]
    male_w: list[float]
    female_w: list[float]
    surnames_w: list[float]
    # Mayan given names and surnames, for indigenous returnees (Guatemala).
    indigenous_male: list[str]
    indigenous_female: list[str]
    indigenous_surnames: list[str]

    @classmethod
    def parse(cls, country: str, data: Mapping[str, list[str]]) -> Names:
        lists = {
            key: _clean_names(f"names.yaml {country}.{key}", data.get(key, []))
            for key in ("male", "female", "surnames", "indigenous_male", "indigenous_female", "indigenous_surnames")
        }
        return cls(
            male_w=zipf(lists["male"]),
            female_w=zipf(lists["female"]),
            surnames_w=zipf(lists["surnames"], 10.0),
            **lists,
        )


@dataclass(frozen=True)
class Languages:
    share: float  # of returnees who are indigenous
    languages: list[str]
    with_spanish: float = 0.85  # share of them who speak Spanish too


@dataclass(frozen=True)
class Country:
    code: str
    names: Names
    zone: ZoneInfo
    currency: str
    support_ceiling: int
    violence_rate: float
    passport_letter: str
    return_certificate: str
    return_weights: dict[str, float]
    localities: list[str]
    reception: dict[str, tuple[list[str], list[float]]]  # "air" / "land" → (places, cumulative weights)
    family_reception: str
    indigenous_default: Languages
    indigenous: dict[str, Languages]  # by state / department code
    phone_areas: dict[str, str]
    curp_states: dict[str, str]

    @classmethod
    def parse(cls, code: str, data: Mapping[str, Any], names: Names) -> Country:
        indigenous = data.get("indigenous", {})
        return cls(
            code=code,
            names=names,
            zone=ZoneInfo(data["time_zone"]),
            currency=data["currency"],
            support_ceiling=int(data["support_ceiling"]),
            violence_rate=float(data["violence_rate"]),
            passport_letter=data["passport_letter"],
            return_certificate=data["return_certificate"],
            return_weights={key: float(weight) for key, weight in data["return_weights"].items()},
            localities=list(data["localities"]),
            reception={mode: cumulative(places) for mode, places in data["reception"].items()},
            family_reception=data.get("family_reception", ""),
            indigenous_default=Languages(**indigenous.get("default", {"share": 0.0, "languages": []})),
            indigenous={state: Languages(**value) for state, value in indigenous.get("by_state", {}).items()},
            phone_areas=dict(data.get("phone_areas", {})),
            curp_states=dict(data.get("curp_states", {})),
        )


@dataclass(frozen=True)
class Approach:
    """One kind of support a plan item offers (plans.yaml)."""

    approach: str
    dimension: str
    assistance_form: str
    weight: float
    service: str
    amount_share: tuple[float, float] | None
    descriptions: list[str]


@dataclass(frozen=True)
class Plans:
    approaches: list[Approach]
    approaches_w: list[float]
    responsible: dict[str, dict[str, list[str]]]  # country → kind of service → who delivers it


@dataclass(frozen=True)
class Texts:
    """texts.yaml, one attribute per list (a missing or unknown key fails on loading)."""

    other_cause_notes: list[str]
    cause_details: dict[str, list[str]]
    reception_assistance: dict[str, float]
    household_notes: list[str]
    family_situation: dict[str, str]
    gender_identities: list[str]
    needs: list[str]
    skills: list[str]
    risks: list[str]
    protective: list[str]
    economic_needs: list[str]
    social_needs: list[str]
    psychosocial_needs: list[str]
    protection: list[str]
    protection_child: str
    health: list[str]
    mental_health: list[str]
    gbv: list[str]
    counselling_topics: list[str]
    counselling_notes: list[str]
    goals: list[str]
    motivations: list[str]
    late_reasons: list[str]
    visit_notes: list[str]
    significant_changes: list[str]
    progress_notes: dict[str, list[str]]  # by the plan item's new status
    closure_notes: dict[str, str]
    early_closures: dict[str, float]


@dataclass(frozen=True)
class OrganisationSpec:
    code: str
    name: str
    country: str
    teams: tuple[str, ...]
    weight: float  # share of the cases when several default organisations are seeded


@dataclass(frozen=True)
class Vocabulary:
    countries: dict[str, Country]
    compound_female: list[str]
    compound_male: list[str]
    dry_corridor: frozenset[str]
    addresses: list[str]
    texts: Texts
    plans: Plans
    organisations: dict[str, OrganisationSpec]  # by country
    organisation_codes: dict[str, OrganisationSpec]  # by code
    case_managers_per_team: int


def _texts(data: Mapping[str, Any]) -> Texts:
    known = {f.name for f in fields(Texts)}
    if set(data) != known:
        raise DataError(f"texts.yaml: expected the keys {sorted(known)}, found {sorted(data)}")
    texts = Texts(**data)
    _require_codes("texts.yaml cause_details", list(texts.cause_details), MigrationCause.values)
    _require_codes("texts.yaml reception_assistance", list(texts.reception_assistance), ReceptionAssistance.values)
    _require_codes("texts.yaml closure_notes", list(texts.closure_notes), ClosureReason.values)
    _require_codes("texts.yaml progress_notes", list(texts.progress_notes), PlanItemStatus.values)
    _require_codes("texts.yaml early_closures", list(texts.early_closures), ClosureReason.values)
    missing = set(ClosureReason.values) - set(texts.closure_notes)
    if missing:
        raise DataError(f"texts.yaml closure_notes: no note for {', '.join(sorted(missing))}")
    return texts


def _plans(data: Mapping[str, Any]) -> Plans:
    approaches = [
        Approach(**{**entry, "amount_share": tuple(entry["amount_share"]) if entry["amount_share"] else None})
        for entry in data["approaches"]
    ]
    _require_codes("plans.yaml dimension", [a.dimension for a in approaches], Dimension.values)
    _require_codes("plans.yaml assistance_form", [a.assistance_form for a in approaches], AssistanceForm.values)
    responsible = data["responsible"]
    for country, services in responsible.items():
        _require_codes(f"plans.yaml responsible.{country}", [a.service for a in approaches], list(services))
    return Plans(approaches, list(itertools.accumulate(a.weight for a in approaches)), responsible)


@functools.cache
def vocabulary() -> Vocabulary:
    """Every vocabulary of the generator, parsed and checked once per process."""
    names, places = load("names.yaml"), load("places.yaml")
    organisations = load("organisations.yaml")
    countries = {
        code: Country.parse(code, data, Names.parse(code, names[code])) for code, data in places["countries"].items()
    }
    specs = {
        entry["country"]: OrganisationSpec(**{**entry, "teams": tuple(entry["teams"])})
        for entry in organisations["organisations"]
    }
    _require_codes("organisations.yaml country", list(specs), list(countries))
    return Vocabulary(
        countries=countries,
        compound_female=_clean_names("names.yaml compound_female", names["compound_female"]),
        compound_male=_clean_names("names.yaml compound_male", names["compound_male"]),
        dry_corridor=frozenset(places["dry_corridor"]),
        addresses=list(places["addresses"]),
        texts=_texts(load("texts.yaml")),
        plans=_plans(load("plans.yaml")),
        organisations=specs,
        organisation_codes={spec.code: spec for spec in specs.values()},
        case_managers_per_team=int(organisations["case_managers_per_team"]),
    )
