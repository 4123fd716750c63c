"""Synthetic returnees and cases for demos, tests and benchmarks (`reintegra seed`, `reintegra demo`).

Realistic: Spanish names of Mexico and Central America (Mayan surnames and languages in the
Guatemalan highlands), municipalities of return from the gazetteer, forced returns most common,
causes of migration by country (violence in Honduras and El Salvador, climate in the Dry Corridor),
and cases in every status with the records that status implies (assessments, counselling, plans with
items per dimension, follow-up visits, closures across the Handbook's reasons, the timeline).

Deterministic: a skeleton drawn from `random.Random(seed)` fixes every case's return and opening
dates, organisation, case number and case manager; then case i is generated from its own stream
(seeded with seed and i). The same seed, `as_of` day and organisations therefore give the same names,
dates, statuses and case numbers whatever the chunk size or the number of worker processes. Database
ids and ciphertexts (Fernet uses a fresh IV) are not part of that promise.

Fast (target: 100,000 cases, about three million rows, within a minute on a two-core machine with
SQLite). `bulk_create` builds a model instance and prepares every field of every row, which alone takes
minutes at this volume; here rows are tuples, adapted for the driver by the model fields' own backend
adapters (dates, datetimes, JSON, decimals: the same code writes SQLite and PostgreSQL), and written
with one `executemany` per table per chunk of `chunk_size` cases, one transaction per chunk. Ids are
computed, not fetched: each case owns a fixed block of ids per model, reserved up front by moving the
database's id generator past all the blocks (sqlite_sequence, PostgreSQL sequences), and every
organisation's CaseNumberSequence is moved past the skeleton's case numbers likewise, so whatever is
created meanwhile through the UI cannot collide. Worker processes (forked, never touching the database)
generate chunks while the main process writes.

Written exactly as the services would: names, contact details and birth dates encrypted, the derived
columns, `NameToken` and `MatchKey` rows from `name_index.identity_index` (the services' own function),
document numbers encrypted with `crypto.encrypt` and indexed with `crypto.document_index` (a number
another person of the organisation already holds is left out, as the unique constraint demands), case
numbers `{ORGCODE}-{year}-{seq:05d}` with each organisation's `CaseNumberSequence` moved past them.
One liberty, for speed: a value that recurs (a name, a locality, a birth date) is encrypted once per run
and its ciphertext reused (`_Generator.sealed`), where the services encrypt value by value; equal
ciphertexts reveal equal values, which is harmless in synthetic data only.

Seeding again into the same database appends: new returnees and cases with new case numbers (with the
same seed the same names come back, like people returned a second time). Auditlog is disabled while
seeding: synthetic data is not a user's change.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from bisect import bisect
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from auditlog.context import disable_auditlog
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Max
from django.utils import timezone
from unidecode import unidecode

from reintegra.access import crypto
from reintegra.access import services as access_services
from reintegra.access.fields import is_encrypted
from reintegra.access.models import Organisation, Programme, RoleAssignment, Team, User
from reintegra.access.roles import Role
from reintegra.cases import name_index
from reintegra.cases.choices import (
    CLOSURE_CATEGORY,
    AssessmentKind,
    AttentionFlag,
    CaseEventKind,
    CaseStatus,
    ClosureReason,
    MigrationCause,
    ReceptionAssistance,
    ReturnType,
)
from reintegra.cases.models import (
    Assessment,
    Case,
    CaseEvent,
    CaseNumberSequence,
    CounsellingSession,
    FollowUpVisit,
    Household,
    HouseholdMember,
    IdentityDocument,
    MatchKey,
    NameToken,
    PlanItem,
    PlanItemProgress,
    ReintegrationPlan,
    Returnee,
)
from reintegra.places.choices import AdminLevel
from reintegra.places.models import AdminArea

COUNTRIES = ("MX", "GT", "HN", "SV")

# =====================================================================================================
# Organisations and staff
# =====================================================================================================


@dataclass(frozen=True)
class OrganisationSpec:
    code: str
    name: str
    country: str
    teams: tuple[str, ...]


DEFAULT_ORGANISATIONS: dict[str, OrganisationSpec] = {
    "MX": OrganisationSpec(
        "oim-mx", "OIM México", "MX", ("Equipo Tijuana", "Equipo Ciudad Juárez", "Equipo Ciudad de México")
    ),
    "GT": OrganisationSpec(
        "oim-gt", "OIM Guatemala", "GT", ("Equipo Ciudad de Guatemala", "Equipo Huehuetenango", "Equipo Quetzaltenango")
    ),
    "HN": OrganisationSpec(
        "oim-hn", "OIM Honduras", "HN", ("Equipo San Pedro Sula", "Equipo Tegucigalpa", "Equipo Choluteca")
    ),
    "SV": OrganisationSpec(
        "oim-sv", "OIM El Salvador", "SV", ("Equipo San Salvador", "Equipo San Miguel", "Equipo Santa Ana")
    ),
}
SPEC_BY_CODE = {spec.code: spec for spec in DEFAULT_ORGANISATIONS.values()}
# Share of the cases per country when seeding several organisations (Mexico receives most returns).
COUNTRY_WEIGHTS = {"MX": 0.40, "GT": 0.27, "HN": 0.23, "SV": 0.10}
CASE_MANAGERS_PER_TEAM = 3


def ensure_organisation(code: str) -> Organisation:
    """The organisation with this code; one of DEFAULT_ORGANISATIONS is created when missing."""
    org = Organisation.objects.filter(code=code).first()
    if org is not None:
        return org
    spec = SPEC_BY_CODE.get(code)
    if spec is None:
        known = ", ".join(sorted(SPEC_BY_CODE))
        raise ValueError(f"Unknown organisation {code!r}: create it first, or use one of {known}.")
    with disable_auditlog():
        org = Organisation.objects.create(code=spec.code, name=spec.name, country=spec.country)
        access_services.create_programme(org)
        return org


def default_organisations() -> list[Organisation]:
    return [ensure_organisation(spec.code) for spec in DEFAULT_ORGANISATIONS.values()]


def ensure_staff(org: Organisation) -> list[User]:
    """Teams, synthetic case managers and a supervisor for `org` (created once), then every active case
    manager of the organisation, oldest first. Synthetic staff have no usable password."""
    country = str(org.country)
    spec = SPEC_BY_CODE.get(org.code) or DEFAULT_ORGANISATIONS[country]
    rng = random.Random(f"staff:{org.code}")  # separate stream: staff never shift the cases' draws
    vocab = VOCABULARY[country]
    with disable_auditlog(), transaction.atomic():
        teams = [Team.objects.get_or_create(organisation=org, name=name)[0] for name in spec.teams]
        people = [
            (f"{org.code}-gestor{t + 1}{k + 1}", teams[t], Role.CASE_MANAGER)
            for t in range(len(teams))
            for k in range(CASE_MANAGERS_PER_TEAM)
        ]
        people.append((f"{org.code}-supervisor", teams[0], Role.SUPERVISOR))
        for username, team, role in people:
            female = rng.random() < 0.6
            first = rng.choice(vocab.female if female else vocab.male)
            last = rng.choice(vocab.surnames)
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, organisation=org, team=team, first_name=first, last_name=last)
                user.set_unusable_password()
                user.save()
                RoleAssignment.objects.create(user=user, role=str(role))
    return list(
        User.objects.filter(organisation=org, is_active=True, role_assignments__role=Role.CASE_MANAGER)
        .distinct()
        .order_by("id")
    )


# =====================================================================================================
# Vocabulary
# =====================================================================================================


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split("|") if part.strip()]


def _zipf(items: Sequence[Any], offset: float = 6.0) -> list[float]:
    """Cumulative weights where earlier items are more common (names follow a Zipf-like curve)."""
    return list(itertools.accumulate(1.0 / (rank + offset) for rank in range(len(items))))


_COMMON_SURNAMES = _split(
    "Hernández|García|López|Martínez|González|Pérez|Rodríguez|Sánchez|Ramírez|Cruz|Flores|Gómez|Morales|Reyes|"
    "Jiménez|Torres|Díaz|Gutiérrez|Ruiz|Mendoza|Aguilar|Ortiz|Moreno|Castillo|Romero|Álvarez|Méndez|Chávez|"
    "Rivera|Juárez|Ramos|Domínguez|Herrera|Medina|Castro|Vargas|Guzmán|Muñoz|Rojas|Contreras|Salazar|Luna|"
    "Ortega|Guerrero|Estrada|Bautista|Soto|Alvarado|Lara|Ávila|Ríos|Silva|Delgado|Vega|Márquez|Sandoval|"
    "Carrillo|León|Mejía|Solís|Rosales|Acosta|Miranda|Fuentes|Molina|Aguirre|Cabrera|Escobar|Navarro|Peña"
)


@dataclass
class _Vocabulary:
    male: list[str]
    female: list[str]
    surnames: list[str]
    # Mayan given names and surnames, for indigenous returnees (Guatemala).
    indigenous_male: list[str] = field(default_factory=list)
    indigenous_female: list[str] = field(default_factory=list)
    indigenous_surnames: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.male_w = _zipf(self.male)
        self.female_w = _zipf(self.female)
        self.surnames_w = _zipf(self.surnames, 10.0)


VOCABULARY: dict[str, _Vocabulary] = {
    "MX": _Vocabulary(
        male=_split(
            "José|Juan|Luis|Carlos|Jesús|Miguel|Francisco|Alejandro|Antonio|Jorge|Pedro|Manuel|Ricardo|Fernando|"
            "Roberto|Eduardo|Javier|Daniel|Sergio|Raúl|Martín|Alberto|Ángel|Arturo|Óscar|Héctor|Rafael|Víctor|"
            "Salvador|Mario|Gerardo|Enrique|Alfredo|Ramón|Rubén|Julio|Hugo|Iván|Emmanuel|Diego|Adrián|Omar|"
            "Cristian|Abraham|Ulises|Jaime|Israel|Efraín|Brandon|Kevin"
        ),
        female=_split(
            "María|Guadalupe|Juana|Margarita|Verónica|Leticia|Rosa|Patricia|Alejandra|Elizabeth|Gabriela|Adriana|"
            "Araceli|Silvia|Claudia|Yolanda|Martha|Laura|Ana|Sandra|Mónica|Norma|Karina|Brenda|Fernanda|Daniela|"
            "Jessica|Yesenia|Lucía|Esmeralda|Lorena|Maricela|Dulce|Itzel|Xóchitl|Nayeli|Ximena|Carmen|Teresa|"
            "Rocío|Liliana|Paola|Andrea"
        ),
        surnames=_COMMON_SURNAMES
        + _split("Santiago|Velázquez|Cervantes|Ibarra|Valdez|Trejo|Valencia|Nava|Pacheco|Huerta|Padilla|Cortés"),
    ),
    "GT": _Vocabulary(
        male=_split(
            "José|Juan|Carlos|Luis|Mario|Edgar|Byron|Marvin|Selvin|Wilson|Erick|Kevin|Jorge|Otto|Walter|Hugo|"
            "Elmer|Manuel|Pedro|Diego|Mateo|Francisco|Domingo|Gaspar|Santos|Cristian|Brayan|Wilmer|Rony|Henry|"
            "Estuardo|Julio|Anderson|Josué|Oswaldo|Fredy|Miguel|Érick|Mynor|Rigoberto"
        ),
        female=_split(
            "María|Ana|Rosa|Juana|Marta|Sandra|Lesly|Heidy|Ingrid|Mayra|Glenda|Karla|Evelyn|Jennifer|Yesenia|"
            "Dulce|Olga|Candelaria|Catarina|Magdalena|Manuela|Petrona|Francisca|Sonia|Rosario|Wendy|Astrid|"
            "Marleny|Yoselin|Silvia|Floridalma|Brenda"
        ),
        surnames=_split(
            "López|Pérez|García|Hernández|Gómez|Ramírez|Morales|Vásquez|Méndez|Rodríguez|Martínez|González|"
            "Cifuentes|Orozco|Barrios|Ordóñez|Velásquez|Monterroso|Cardona|Castillo|Fuentes|Juárez|Reyes|"
            "Recinos|Escobar|Chávez|Mejía|Aguilar|Rodas|Girón|Sandoval|Estrada|Cano|Alvarado|Ruiz|Díaz|Cruz|"
            "Ramos|Maldonado|Herrera|Salazar|Calderón|Figueroa|Marroquín|Pineda"
        ),
        indigenous_male=_split(
            "Diego|Mateo|Gaspar|Domingo|Pascual|Francisco|Andrés|Baltazar|Lucas|Tomás|Sebastián|Nicolás|"
            "Marcos|Jacinto|Felipe|Santiago|Juan|Pedro|Miguel|Alonzo"
        ),
        indigenous_female=_split(
            "Juana|Catarina|Magdalena|Petrona|Manuela|Micaela|Rosa|María|Candelaria|Sebastiana|Lucía|Marta|"
            "Tomasa|Andrea|Isabel|Dominga|Francisca|Josefa"
        ),
        indigenous_surnames=_split(
            "Tzoc|Xicará|Cux|Ajú|Tzul|Chuc|Tum|Quiej|Sic|Ixcoy|Batz|Coj|Tzunux|Xiloj|Cumes|Cutzal|Chitic|"
            "Ajanel|Pascual|Mateo|Diego|Andrés|Gaspar|Baltazar|Simón|Silvestre|Bámaca|Chilel|Ixcot|Tecún|"
            "Choc|Caal|Pop|Tut|Xol|Cac|Coc|Tiul"
        ),
    ),
    "HN": _Vocabulary(
        male=_split(
            "José|Juan|Carlos|Luis|Marvin|Wilmer|Darwin|Elvin|Kevin|Óscar|Mario|Jorge|Nelson|Denis|Edwin|Milton|"
            "Fredy|Melvin|Allan|Walter|Héctor|Josué|Jonathan|Brayan|Cristian|Yoni|Olvin|Franklin|Santos|Ángel|"
            "Francisco|Roberto|Miguel|Dennis|Eduardo|Norlan"
        ),
        female=_split(
            "María|Dania|Karla|Sandra|Lourdes|Yolany|Wendy|Suyapa|Glenda|Reina|Ana|Sonia|Cindy|Joselin|Yeimi|"
            "Ruth|Digna|Marleny|Elsy|Iris|Alba|Nohemí|Keyla|Dilcia|Xiomara|Gloria|Fanny|Ingrid|Jackeline"
        ),
        surnames=_split(
            "Martínez|López|Hernández|Rodríguez|García|Reyes|Flores|Mejía|Zelaya|Cruz|Castro|Banegas|Ávila|"
            "Sierra|Paz|Amador|Matute|Ordóñez|Lagos|Maradiaga|Padilla|Funes|Girón|Pineda|Aguilar|Sánchez|"
            "Díaz|Mendoza|Romero|Murillo|Rivera|Castillo|Núñez|Valladares|Bonilla|Velásquez|Gómez|Ramos|"
            "Fúnez|Alvarado|Montoya|Espinal|Orellana|Zúniga|Cálix|Turcios"
        ),
    ),
    "SV": _Vocabulary(
        male=_split(
            "José|Juan|Carlos|Luis|Mario|Óscar|Rafael|Salvador|Francisco|Jorge|Manuel|René|Nelson|Roberto|"
            "Edwin|Walter|Douglas|Wilfredo|Kevin|Bryan|Cristian|Henry|Ernesto|Rigoberto|Miguel|Alexander|"
            "Josué|Mauricio|Fredy|Marvin|Julio|Balmore|Adonay"
        ),
        female=_split(
            "María|Ana|Rosa|Sandra|Claudia|Karla|Gladis|Marta|Ruth|Reina|Blanca|Dinora|Elsy|Jennifer|Katherine|"
            "Yanira|Xiomara|Cecilia|Lorena|Fátima|Marisol|Silvia|Delmy|Evelyn|Brenda|Roxana|Guadalupe|Morena"
        ),
        surnames=_split(
            "Hernández|Martínez|López|García|Rodríguez|Flores|Ramírez|Cruz|Rivera|Portillo|Orellana|Alvarado|"
            "Romero|Amaya|Argueta|Guevara|Chicas|Ayala|Henríquez|Menjívar|Mejía|Quintanilla|Bonilla|Alfaro|"
            "Rivas|Aguilar|Escobar|Lemus|Velásquez|Campos|Díaz|Pérez|Sorto|Ventura|Fuentes|Reyes|Molina|"
            "Gómez|Castro|Cañas|Melgar|Majano"
        ),
    ),
}


@dataclass(frozen=True)
class _Place:
    id: int
    code: str
    parent_id: int | None
    parent_code: str
    name: str


# Relative frequency of returns per municipality (gazetteer code); unlisted municipalities weigh 1.
# Illustrative for synthetic data only: the largest cities and the main sending regions weigh more.
RETURN_WEIGHTS: dict[str, dict[str, float]] = {
    "MX": {
        "02004": 8,
        "02002": 4,
        "08037": 6,
        "14039": 6,
        "14120": 3,
        "09007": 5,
        "15033": 4,
        "16053": 4,
        "16102": 3,
        "16006": 2,
        "20067": 4,
        "21114": 5,
        "11020": 5,
        "11007": 3,
        "12001": 4,
        "32056": 3,
        "32010": 3,
        "07089": 3,
        "28032": 3,
        "28022": 3,
        "28027": 3,
        "26043": 3,
        "05025": 2,
        "19039": 4,
    },
    "GT": {
        "0101": 8,
        "0108": 4,
        "0115": 4,
        "1301": 5,
        "1308": 3,
        "1317": 2,
        "1326": 4,
        "1302": 2,
        "0901": 4,
        "0920": 2,
        "1201": 4,
        "1215": 3,
        "1601": 3,
        "1609": 2,
        "0801": 3,
        "0805": 3,
        "1401": 3,
        "2001": 2,
        "2004": 2,
        "2005": 2,
        "2201": 2,
    },
    "HN": {
        "0501": 10,
        "0801": 8,
        "0502": 6,
        "0101": 4,
        "1804": 5,
        "0511": 3,
        "0601": 4,
        "0301": 3,
        "1501": 3,
        "0703": 3,
        "0401": 3,
        "1503": 2,
        "1807": 2,
        "0209": 2,
        "0506": 2,
        "0512": 2,
        "0318": 2,
    },
    "SV": {
        "0614": 8,
        "0617": 5,
        "1217": 6,
        "0210": 5,
        "0608": 3,
        "0602": 4,
        "1123": 4,
        "0315": 3,
        "0101": 3,
        "1408": 3,
        "1416": 2,
        "0407": 2,
        "0607": 3,
        "0511": 3,
        "0619": 2,
        "0613": 2,
        "0821": 2,
    },
}

# Languages and the share of indigenous returnees, by state / department of return.
_GT_LANGUAGES = {
    "GT-13": (0.7, ("q'anjob'al", "mam", "chuj", "akateko")),
    "GT-14": (0.75, ("k'iche'", "ixil")),
    "GT-08": (0.85, ("k'iche'",)),
    "GT-12": (0.5, ("mam",)),
    "GT-09": (0.45, ("mam", "k'iche'")),
    "GT-16": (0.8, ("q'eqchi'",)),
    "GT-07": (0.8, ("kaqchikel", "tz'utujil", "k'iche'")),
    "GT-04": (0.6, ("kaqchikel",)),
    "GT-15": (0.4, ("achi", "q'eqchi'")),
}
_MX_LANGUAGES = {
    "20": (0.3, ("mixteco", "zapoteco")),
    "07": (0.3, ("tsotsil", "tseltal")),
    "12": (0.2, ("náhuatl", "mixteco")),
    "21": (0.12, ("náhuatl",)),
    "16": (0.1, ("purépecha",)),
}
# Dry Corridor departments, where drought drives migration.
_DRY_CORRIDOR = {
    "GT-20",
    "GT-19",
    "GT-22",
    "GT-02",
    "GT-21",
    "GT-15",
    "HN-CH",
    "HN-VA",
    "HN-EP",
    "HN-LP",
    "HN-IN",
    "SV-UN",
    "SV-MO",
    "SV-SM",
}

_ZONES = {
    "MX": ZoneInfo("America/Mexico_City"),
    "GT": ZoneInfo("America/Guatemala"),
    "HN": ZoneInfo("America/Tegucigalpa"),
    "SV": ZoneInfo("America/El_Salvador"),
}
_CURRENCY = {"MX": ("MXN", 25000), "GT": ("GTQ", 10000), "HN": ("HNL", 25000), "SV": ("USD", 1200)}
_VIOLENCE_RATE = {"MX": 0.15, "GT": 0.18, "HN": 0.42, "SV": 0.40}
_MX_PHONE_AREA = {
    "02": "664",
    "08": "656",
    "26": "631",
    "28": "899",
    "05": "878",
    "14": "33",
    "16": "443",
    "20": "951",
    "21": "222",
    "07": "962",
    "12": "744",
    "09": "55",
    "15": "55",
    "32": "492",
    "11": "477",
    "19": "81",
}
# RENAPO two-letter state codes used in CURPs (by INEGI state code).
_CURP_STATE = dict(
    zip(
        [f"{i:02d}" for i in range(1, 33)],
        [
            "AS",
            "BC",
            "BS",
            "CC",
            "CL",
            "CM",
            "CS",
            "CH",
            "DF",
            "DG",
            "GT",
            "GR",
            "HG",
            "JC",
            "MC",
            "MN",
            "MS",
            "NT",
            "NL",
            "OC",
            "PL",
            "QT",
            "QR",
            "SP",
            "SL",
            "SR",
            "TC",
            "TS",
            "TL",
            "VZ",
            "YN",
            "ZS",
        ],
        strict=True,
    )
)

_LOCALITIES = {
    "MX": _split(
        "Colonia Centro|Colonia Libertad|Colonia Guadalupe|Colonia Independencia|Colonia Reforma|Colonia Obrera|"
        "Colonia Emiliano Zapata|Colonia Benito Juárez|Colonia Las Flores|Ejido La Esperanza|Ejido San José|"
        "Fraccionamiento Las Palmas|Barrio de San Juan|Colonia Insurgentes|Colonia Hidalgo"
    ),
    "GT": _split(
        "Zona 1|Zona 6|Zona 18|Aldea Las Flores|Aldea San José|Aldea El Rosario|Caserío Los Pinos|Cantón Central|"
        "Colonia El Milagro|Barrio El Calvario|Aldea Buena Vista|Aldea San Antonio|Caserío Pueblo Nuevo"
    ),
    "HN": _split(
        "Colonia Las Palmas|Barrio El Centro|Colonia San José|Aldea El Carmen|Colonia Los Pinos|"
        "Barrio La Guadalupe|Colonia Suyapa|Aldea Buenos Aires|Colonia La Esperanza|Barrio Abajo"
    ),
    "SV": _split(
        "Colonia Santa Lucía|Barrio El Calvario|Cantón Las Delicias|Caserío El Jícaro|Colonia San Francisco|"
        "Barrio San Sebastián|Cantón Los Llanitos|Colonia Jardines|Cantón El Rosario"
    ),
}

# Where people are received, by country of return and how they came back.
_RECEPTION = {
    ("MX", "air"): (
        [
            "Aeropuerto Internacional de la Ciudad de México (vuelos de repatriación)",
            "Aeropuerto Internacional de Guadalajara (vuelos de repatriación)",
        ],
        [4, 1],
    ),
    ("MX", "land"): (
        [
            "Módulo de repatriación, Tijuana",
            "Módulo de repatriación, Mexicali",
            "Módulo de repatriación, Ciudad Juárez",
            "Módulo de repatriación, Nogales",
            "Módulo de repatriación, Reynosa",
            "Módulo de repatriación, Matamoros",
            "Módulo de repatriación, Nuevo Laredo",
            "Módulo de repatriación, Piedras Negras",
            "Módulo de repatriación, Ciudad Acuña",
        ],
        [25, 10, 15, 12, 10, 8, 8, 5, 3],
    ),
    ("GT", "air"): (["Centro de Recepción de Retornados, La Aurora"], [1]),
    ("GT", "land"): (
        [
            "Centro de Recepción de Retornados, Tecún Umán",
            "Puesto fronterizo La Mesilla",
            "Puesto fronterizo El Carmen",
        ],
        [6, 3, 1],
    ),
    ("HN", "air"): (["CAMR San Pedro Sula"], [1]),
    ("HN", "land"): (["CAMR Omoa", "Puesto fronterizo Agua Caliente"], [7, 3]),
    ("SV", "air"): (["Centro de Atención Integral al Migrante, San Salvador"], [1]),
    ("SV", "land"): (["Puesto fronterizo La Hachadura", "Puesto fronterizo El Amatillo"], [7, 3]),
}
_RECEPTION = {key: (names, list(itertools.accumulate(weights))) for key, (names, weights) in _RECEPTION.items()}
_FAMILY_RECEPTION = {"HN": "CANFM Belén, San Pedro Sula"}

_RECEPTION_ASSISTANCE = [
    (ReceptionAssistance.FOOD, 0.8),
    (ReceptionAssistance.ORIENTATION, 0.7),
    (ReceptionAssistance.HEALTH, 0.4),
    (ReceptionAssistance.HYGIENE_KIT, 0.5),
    (ReceptionAssistance.TRANSPORT, 0.6),
    (ReceptionAssistance.SHELTER, 0.1),
    (ReceptionAssistance.COMMUNICATION, 0.5),
]

_OTHER_CAUSE_NOTES = _split(
    "Deuda con un prestamista local|Oferta de trabajo de un familiar en el extranjero|"
    "Buscar tratamiento médico para un hijo|Pérdida de la cosecha y de la tierra arrendada"
)
_CAUSE_DETAILS: dict[str, list[str]] = {
    MigrationCause.VIOLENCE: _split(
        "Amenazas y extorsión en su colonia|Reclutamiento forzado de jóvenes en la zona|"
        "Violencia intrafamiliar|Cobro de renta a su negocio"
    ),
    MigrationCause.CLIMATE: _split("Sequía prolongada y pérdida de la cosecha|Daños por tormenta tropical"),
    MigrationCause.ECONOMIC: _split("Desempleo y deudas|Salario insuficiente para mantener a la familia"),
}

# --- Assessment, counselling, plan and follow-up texts (Spanish, from templates) -----------------

_NEEDS = _split(
    "Sin ingresos desde el retorno y con deuda pendiente por el viaje.|"
    "Necesita empleo estable y apoyo para recuperar documentos de identidad.|"
    "Dificultad para reinsertarse en la comunidad después de varios años fuera.|"
    "Hijos e hijas sin inscripción escolar este año.|"
    "Vivienda precaria, compartida con familia extendida.|"
    "Necesita atención médica por una lesión sufrida durante el tránsito.|"
    "Teme regresar a su colonia por amenazas previas.|"
    "Necesita orientación sobre servicios disponibles en su municipio."
)
_SKILLS = _split(
    "Albañilería y acabados en construcción|Cocina en restaurantes|Agricultura (café, maíz y frijol)|"
    "Mecánica automotriz|Jardinería y paisajismo|Inglés conversacional|Carpintería|Limpieza y mantenimiento|"
    "Conducción de vehículos pesados|Costura|Estilismo y belleza|Panadería|Soldadura|Electricidad residencial|"
    "Ventas y atención al cliente|Cuidado de personas adultas mayores|Pintura de casas|Empaque en bodegas"
)
_RISKS = _split(
    "Deuda con prestamista local por el costo del viaje.|Desempleo prolongado en la comunidad.|"
    "Amenazas de grupos delictivos antes de migrar.|Aislamiento social desde el retorno.|"
    "Consumo de alcohol reportado por la familia.|Intención declarada de volver a migrar."
)
_PROTECTIVE = _split(
    "Cuenta con el apoyo de su familia.|Participa en su iglesia.|Experiencia laboral acumulada en el extranjero.|"
    "Motivación para emprender un negocio propio.|Red de amistades en la comunidad.|"
    "Terreno familiar disponible para cultivo.|Buena salud general."
)
_ECONOMIC_NEEDS = _split(
    "Ingresos para cubrir alimentación y vivienda.|Capital para iniciar un negocio.|"
    "Empleo acorde a su experiencia.|Pago de deuda del viaje.|Herramientas de trabajo."
)
_SOCIAL_NEEDS = _split(
    "Documentos de identidad.|Inscripción escolar de los hijos.|Acceso a servicios de salud.|"
    "Vivienda adecuada.|Asesoría legal sobre custodia y documentos."
)
_PSYCHOSOCIAL_NEEDS = _split(
    "Apoyo emocional por la separación familiar.|Manejo del estrés tras la detención.|"
    "Fortalecer redes de apoyo en la comunidad.|Acompañamiento por sentimiento de fracaso migratorio."
)
# Sensitive texts (encrypted at rest). Synthetic data reuses a handful of texts, so each distinct text is
# encrypted once per run and the token reused (see _Generator.sealed): real data is encrypted per value.
_PROTECTION = _split(
    "Refiere amenazas de un grupo delictivo en su comunidad de origen.|"
    "Teme represalias por deudas con un prestamista.|Fue víctima de extorsión antes de migrar.|"
    "Refiere haber sido retenido por un grupo criminal durante el tránsito."
)
_PROTECTION_CHILD = "Menor no acompañado; se activó el protocolo de protección de la niñez."
_HEALTH = _split(
    "Hipertensión; requiere control periódico.|Lesión en el tobillo sufrida durante el tránsito.|"
    "Diabetes tipo 2 sin tratamiento desde la detención.|Dolor lumbar crónico por trabajo en construcción.|"
    "Infección respiratoria al momento de la recepción."
)
_MENTAL_HEALTH = _split(
    "Síntomas de ansiedad y dificultad para dormir desde el retorno.|"
    "Refiere tristeza persistente y sentimiento de fracaso.|Estrés agudo relacionado con la detención migratoria.|"
    "Sin signos de malestar significativo en esta evaluación."
)
_GBV = _split(
    "Refiere violencia de pareja antes de migrar; se ofreció referencia a servicio especializado.|"
    "Sobreviviente de violencia sexual durante el tránsito; acepta acompañamiento especializado."
)
_COUNSELLING_TOPICS = _split(
    "Orientación sobre servicios disponibles|Manejo del estrés y las emociones|Expectativas sobre el retorno|"
    "Relaciones familiares|Plan de reintegración|Duelo migratorio|Proyecto de vida"
)
_COUNSELLING_NOTES = _split(
    "Se establece relación de confianza; expresa preocupación por la deuda.|Refiere mejor ánimo; duerme mejor.|"
    "Habla de la separación de sus hijos que siguen en Estados Unidos.|"
    "Identifica metas a corto plazo y su red de apoyo.|Se acuerda referencia a atención psicológica especializada.|"
    "Expresa deseo de volver a migrar; se exploran alternativas locales."
)
_GOALS = _split(
    "Abrir una tienda de abarrotes en su comunidad.|Conseguir un empleo formal cerca de su casa.|"
    "Recuperar sus documentos y reinscribir a sus hijos en la escuela.|Iniciar un taller de mecánica.|"
    "Producir y vender café de su parcela.|Montar un negocio de venta de comida.|"
    "Certificar su experiencia en construcción y trabajar como maestro de obra.|Abrir una barbería."
)
_MOTIVATIONS = _split(
    "Mantener a su familia sin tener que volver a migrar.|Estar cerca de sus hijos.|"
    "Aprovechar lo aprendido en el extranjero.|Pagar la deuda del viaje.|Cuidar de sus padres."
)
_LATE_REASONS = _split(
    "La persona necesitó atención médica antes de definir el plan.|"
    "Cambió de domicilio después del retorno; se retomó el contacto más tarde.|"
    "Se esperó la obtención de documentos de identidad.|Una situación de protección requirió atención prioritaria."
)
# (dimension, approach, form of assistance, amount range as a share of the ceiling or None, descriptions)
_PLAN_CATALOGUE: list[tuple[str, str, str, tuple[float, float] | None, list[str]]] = [
    (
        "economic",
        "Apoyo para emprendimiento",
        "in_kind",
        (0.6, 1.0),
        _split(
            "Capital semilla en especie para tienda de abarrotes|Equipo para taller de costura|"
            "Herramientas para taller mecánico|Insumos para venta de comida|Equipo de panadería"
        ),
    ),
    (
        "economic",
        "Capacitación técnica",
        "service",
        None,
        _split(
            "Curso de electricidad residencial|Curso de cocina|Curso de soldadura|Curso de barbería|"
            "Certificación de competencias en construcción"
        ),
    ),
    (
        "economic",
        "Colocación laboral",
        "service",
        None,
        _split(
            "Referencia a la bolsa de empleo|Intermediación con una empresa de la zona|Acompañamiento en entrevistas"
        ),
    ),
    (
        "economic",
        "Asistencia en efectivo",
        "cash",
        (0.2, 0.5),
        _split("Transferencia para necesidades básicas durante tres meses"),
    ),
    (
        "economic",
        "Insumos agrícolas",
        "in_kind",
        (0.3, 0.7),
        _split("Semillas, fertilizante y herramientas|Sistema de riego por goteo"),
    ),
    (
        "social",
        "Acceso a servicios de salud",
        "service",
        None,
        _split("Referencia al centro de salud|Acompañamiento a consulta especializada"),
    ),
    (
        "social",
        "Obtención de documentos de identidad",
        "service",
        None,
        _split("Trámite del documento de identidad|Reposición del acta de nacimiento"),
    ),
    (
        "social",
        "Inscripción escolar",
        "service",
        None,
        _split("Inscripción escolar de hijos e hijas|Útiles y uniformes escolares"),
    ),
    (
        "social",
        "Apoyo para vivienda",
        "mixed",
        (0.3, 0.6),
        _split("Apoyo para alquiler durante tres meses|Materiales para mejorar la vivienda"),
    ),
    (
        "social",
        "Asesoría jurídica",
        "service",
        None,
        _split("Asesoría sobre custodia de hijos|Orientación legal sobre documentos"),
    ),
    (
        "psychosocial",
        "Atención psicosocial",
        "service",
        None,
        _split("Sesiones de apoyo psicosocial individual|Seguimiento psicosocial mensual"),
    ),
    (
        "psychosocial",
        "Grupo de apoyo entre pares",
        "service",
        None,
        _split("Grupo de personas retornadas del municipio"),
    ),
    (
        "psychosocial",
        "Referencia a salud mental especializada",
        "service",
        None,
        _split("Referencia a psicología del hospital regional"),
    ),
    (
        "psychosocial",
        "Actividades comunitarias",
        "service",
        None,
        _split("Participación en actividades deportivas y culturales de la comunidad"),
    ),
]
_PLAN_WEIGHTS = list(itertools.accumulate([30, 14, 10, 8, 6, 10, 8, 6, 5, 3, 10, 5, 3, 3]))
# Who delivers each kind of support, by country (the plan item's "responsible").
_SERVICE_OF_APPROACH = {
    "Apoyo para emprendimiento": "business",
    "Capacitación técnica": "training",
    "Colocación laboral": "employment",
    "Asistencia en efectivo": "cash",
    "Insumos agrícolas": "agriculture",
    "Acceso a servicios de salud": "health",
    "Obtención de documentos de identidad": "documents",
    "Inscripción escolar": "education",
    "Apoyo para vivienda": "housing",
    "Asesoría jurídica": "legal",
    "Atención psicosocial": "psychosocial",
    "Grupo de apoyo entre pares": "psychosocial",
    "Referencia a salud mental especializada": "health",
    "Actividades comunitarias": "psychosocial",
}
_RESPONSIBLE = {
    "MX": {
        "business": ["OIM", "Secretaría de Economía"],
        "training": ["Instituto de Capacitación para el Trabajo", "Servicio Nacional de Empleo"],
        "employment": ["Servicio Nacional de Empleo"],
        "cash": ["OIM"],
        "agriculture": ["OIM", "Secretaría de Agricultura"],
        "health": ["Secretaría de Salud", "IMSS-Bienestar"],
        "documents": ["Registro Civil", "RENAPO"],
        "education": ["SEP"],
        "housing": ["OIM", "DIF municipal"],
        "legal": ["Defensoría pública", "DIF municipal"],
        "psychosocial": ["OIM", "Centro comunitario de salud mental"],
    },
    "GT": {
        "business": ["OIM", "MINECO"],
        "training": ["INTECAP"],
        "employment": ["Ministerio de Trabajo"],
        "cash": ["OIM"],
        "agriculture": ["OIM", "MAGA"],
        "health": ["Ministerio de Salud"],
        "documents": ["RENAP"],
        "education": ["MINEDUC"],
        "housing": ["OIM"],
        "legal": ["Defensoría pública", "PGN"],
        "psychosocial": ["OIM", "Ministerio de Salud"],
    },
    "HN": {
        "business": ["OIM", "SENPRENDE"],
        "training": ["INFOP"],
        "employment": ["Secretaría de Trabajo"],
        "cash": ["OIM"],
        "agriculture": ["OIM", "SAG"],
        "health": ["Secretaría de Salud"],
        "documents": ["RNP"],
        "education": ["Secretaría de Educación"],
        "housing": ["OIM"],
        "legal": ["Defensa pública"],
        "psychosocial": ["OIM", "Secretaría de Salud"],
    },
    "SV": {
        "business": ["OIM", "CONAMYPE"],
        "training": ["INSAFORP"],
        "employment": ["Ministerio de Trabajo"],
        "cash": ["OIM"],
        "agriculture": ["OIM", "MAG"],
        "health": ["MINSAL"],
        "documents": ["RNPN"],
        "education": ["MINED"],
        "housing": ["OIM"],
        "legal": ["PGR"],
        "psychosocial": ["OIM", "MINSAL"],
    },
}
_VISIT_NOTES = _split(
    "Negocio en funcionamiento; ventas estables.|Completó el curso y busca empleo en el área.|"
    "Refiere mejoras en su estado de ánimo.|Tiene dificultades para pagar la deuda.|"
    "Hijos inscritos en la escuela.|Trabaja de forma temporal en la construcción.|"
    "Recibió los insumos del plan; inició la siembra.|Sin cambios desde la visita anterior."
)
_SIGNIFICANT_CHANGES = _split(
    "Nacimiento de un hijo.|Cambio de domicilio dentro del municipio.|Perdió el empleo.|"
    "Obtuvo un empleo formal.|Un familiar enfermó gravemente."
)
_CLOSURE_NOTES = {
    ClosureReason.SUPPORT_ENDED: "Concluyó el periodo de apoyo; ingresos estables y sin intención de volver a migrar.",
    ClosureReason.NO_LONGER_ELIGIBLE: "Ya no cumple los criterios del programa.",
    ClosureReason.RETURNEE_DECIDED: "La persona decidió terminar la asistencia.",
    ClosureReason.LEFT_AREA: "Se trasladó a otro departamento fuera del área del programa.",
    ClosureReason.DIED: "Fallecimiento informado por la familia.",
    ClosureReason.NO_LONGER_WANTS: "Ya no desea recibir asistencia.",
    ClosureReason.ACCESS_BARRIER: "No puede asistir por la distancia y el costo del transporte.",
    ClosureReason.NOT_SUITABLE: "La asistencia ya no responde a su situación.",
    ClosureReason.AGGRESSIVE: "Cierre por conducta amenazante hacia el personal.",
    ClosureReason.NEGATIVE_REPERCUSSIONS: "La participación le causaba estigma en la comunidad.",
    ClosureReason.REMIGRATED: "Según sus familiares, volvió a migrar.",
    ClosureReason.COSTS_OUTWEIGH: "Participar le hace perder días de trabajo.",
    ClosureReason.FUNDING_ENDED: "Terminó el financiamiento del proyecto.",
    ClosureReason.SECURITY: "Situación de seguridad en la zona impide el seguimiento.",
}
# Early closures (before the support period ends), by weight; violence-related reasons weigh more in HN/SV.
_EARLY_CLOSURES = [
    (ClosureReason.NO_LONGER_ELIGIBLE, 6),
    (ClosureReason.RETURNEE_DECIDED, 9),
    (ClosureReason.LEFT_AREA, 10),
    (ClosureReason.DIED, 1),
    (ClosureReason.NO_LONGER_WANTS, 12),
    (ClosureReason.ACCESS_BARRIER, 6),
    (ClosureReason.NOT_SUITABLE, 5),
    (ClosureReason.AGGRESSIVE, 1),
    (ClosureReason.NEGATIVE_REPERCUSSIONS, 3),
    (ClosureReason.REMIGRATED, 22),
    (ClosureReason.COSTS_OUTWEIGH, 4),
    (ClosureReason.FUNDING_ENDED, 8),
    (ClosureReason.SECURITY, 4),
]
_EARLY_REASONS = [r for r, _w in _EARLY_CLOSURES]
_EARLY_WEIGHTS = list(itertools.accumulate(w for _r, w in _EARLY_CLOSURES))
_HOUSEHOLD_NOTES = _split(
    "Vive en casa de sus padres.|Alquila un cuarto.|Vivienda propia de adobe.|"
    "Comparte vivienda con familia extendida.|Vivienda prestada por un familiar."
)

# Stages a case can reach: each implies the records of the ones before it.
_REGISTERED, _ASSESSED, _PLAN_AGREED, _FOLLOW_UP, _SUPPORT_DONE = range(5)
_STATUS = [
    s.value for s in (CaseStatus.REGISTERED, CaseStatus.ASSESSED, CaseStatus.PLAN_AGREED, CaseStatus.IN_FOLLOW_UP)
]
_EV = {kind: kind.value for kind in CaseEventKind}  # plain strings for the driver


class _Person:
    """Stand-in with Returnee's own name properties, so full names are built exactly as the model does."""

    __slots__ = ("first_family_name", "given_names", "second_family_name")
    if TYPE_CHECKING:  # mypy cannot follow a property borrowed from another class

        @property
        def family_names(self) -> str: ...

        @property
        def full_name(self) -> str: ...

    else:
        family_names = Returnee.family_names
        full_name = Returnee.full_name

    def __init__(self, given_names: str, first_family_name: str, second_family_name: str) -> None:
        self.given_names = given_names
        self.first_family_name = first_family_name
        self.second_family_name = second_family_name


# =====================================================================================================
# Writing rows
# =====================================================================================================


def _converter(model_field: models.Field, conn: Any) -> Callable[[Any], Any] | None:
    """How a column's Python value becomes a driver value: the backend's own adapters, and encryption for
    encrypted fields."""
    ops = conn.ops
    if is_encrypted(model_field):
        return _sealer()
    if isinstance(model_field, models.DateTimeField):
        if conn.vendor == "sqlite" and conn.timezone_name == "UTC":
            # What ops.adapt_datetimefield_value does, minus the time-zone conversion: the generator
            # only produces datetimes already in UTC.
            return lambda value: None if value is None else str(value.replace(tzinfo=None))
        return ops.adapt_datetimefield_value
    if isinstance(model_field, models.DateField):
        days: dict[date, Any] = {}  # a few thousand distinct days: adapt each once

        def date_value(value: date | None) -> Any:
            if value is None:
                return None
            if value not in days:
                days[value] = ops.adapt_datefield_value(value)
            return days[value]

        return date_value
    if isinstance(model_field, models.DecimalField):
        return partial(
            ops.adapt_decimalfield_value, max_digits=model_field.max_digits, decimal_places=model_field.decimal_places
        )
    if isinstance(model_field, models.JSONField):
        adapt = partial(ops.adapt_json_value, encoder=model_field.encoder)
        cache: dict[Any, Any] = {}

        def json_value(value: Any) -> Any:
            # Lists of codes and most event payloads repeat a lot: adapt each distinct one once.
            key = value if type(value) is tuple else tuple(value.items()) if type(value) is dict else None
            if key is None:
                return adapt(value)
            hit = cache.get(key)
            if hit is None:
                if len(cache) > 4096:  # payloads with ids never repeat: keep the memo small
                    cache.clear()
                hit = cache[key] = adapt(list(value) if type(value) is tuple else value)
            return hit

        return json_value
    return None


def _sealer() -> Callable[[Any], Any]:
    """Encrypts a column's clear values (tokens already encrypted pass through). Synthetic data repeats a few
    texts: each distinct one is encrypted once per run and its token reused (see _Generator.sealed)."""
    tokens: dict[str, str] = {}

    def sealed(value: Any) -> Any:
        if not value or value.startswith(crypto.ENCRYPTED_PREFIX):
            return value
        token = tokens.get(value)
        if token is None:
            if len(tokens) > 4096:  # texts with ids or names never repeat: keep the memo small
                tokens.clear()
            token = tokens[value] = crypto.encrypt(value)
        return token

    return sealed


class _Table:
    """Rows of one model as tuples in `columns` order, written with one executemany per chunk.

    Values of encrypted fields are encrypted when the rows are adapted (`_converter`), so no column of an
    encrypted field is ever written in clear, whatever the generator passes.
    """

    def __init__(self, model: type[models.Model], columns: Sequence[str], *, skip_conflicts: bool = False) -> None:
        self.model = model
        self.columns = list(columns)
        # Rows a unique constraint refuses are left out instead of failing the chunk.
        self.skip_conflicts = skip_conflicts
        self.rows: list[Any] = []
        self.written = 0
        self._converters: list[tuple[int, Callable[[Any], Any]]] | None = None

    def _field(self, name: str) -> models.Field:
        """The model field behind column `name` (always a concrete field, never a reverse relation)."""
        model_field = self.model._meta.get_field(name)
        assert isinstance(model_field, models.Field)
        return model_field

    def drain(self, conn: Any, *, convert: bool = True) -> list[Any]:
        """The rows collected so far (adapted for the driver when `convert`), and a fresh start."""
        rows, self.rows = self.rows, []
        if convert and rows:
            if self._converters is None:
                self._converters = [
                    (i, conv) for i, name in enumerate(self.columns) if (conv := _converter(self._field(name), conn))
                ]
            if self._converters:
                converted = []
                for row in rows:
                    values = list(row)
                    for i, conv in self._converters:
                        values[i] = conv(values[i])
                    converted.append(values)
                rows = converted
        return rows

    def insert(self, conn: Any, rows: list[Any]) -> None:
        """Write driver-ready rows (from `drain`)."""
        if not rows:
            return
        meta = self.model._meta
        qn = conn.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({}){}".format(  # noqa: S608 - quoted identifiers, values bound
            qn(meta.db_table),
            ", ".join(qn(self._field(name).column) for name in self.columns),
            ", ".join(["%s"] * len(self.columns)),
            " ON CONFLICT DO NOTHING" if self.skip_conflicts else "",
        )
        with conn.cursor() as cursor:
            cursor.executemany(sql, rows)
        self.written += len(rows)

    def copy(self, conn: Any, source: str) -> None:
        """Copy the rows of `source`, a table of an attached SQLite database written by `_spool`."""
        meta = self.model._meta
        qn = conn.ops.quote_name
        sql = "INSERT{} INTO {} ({}) SELECT {} FROM {}".format(  # noqa: S608 - quoted identifiers
            " OR IGNORE" if self.skip_conflicts else "",  # only SQLite spools chunks
            qn(meta.db_table),
            ", ".join(qn(self._field(name).column) for name in self.columns),
            ", ".join(f"c{i}" for i in range(len(self.columns))),
            source,
        )
        with conn.cursor() as cursor:
            cursor.execute(sql)
            self.written += cursor.rowcount


# Ids are computed, not drawn row by row: case i owns ids base + i*k … base + i*k + k-1 of each model that
# other rows point at (k = most rows of that model one case can have). Unused ids are simply gaps.
_ID_BLOCKS: dict[type[models.Model], int] = {
    Returnee: 1,
    Case: 1,
    Household: 1,
    ReintegrationPlan: 1,
    Assessment: 4,
    CounsellingSession: 4,
    PlanItem: 4,
    FollowUpVisit: 16,
}


def _reserve_ids(cases: int, conn: Any) -> dict[type[models.Model], int]:
    """First id of each model's block for `cases` cases; the database's id generator is moved past the
    whole block at once (SQLite's sqlite_sequence, PostgreSQL's sequences), so rows inserted meanwhile by
    anyone else get ids after it. Call inside a transaction."""
    bases = {}
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        for model, per_case in _ID_BLOCKS.items():
            table = model._meta.db_table
            if conn.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {qn(table)} IN EXCLUSIVE MODE")  # readers still read
            top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
            if conn.vendor == "sqlite":
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                row = cursor.fetchone()
                top = max(top, row[0] if row else 0)
                last = top + cases * per_case
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, table])
                if cursor.rowcount == 0:
                    cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, last])
            elif conn.vendor == "postgresql":
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
                sequence = cursor.fetchone()[0]
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - name from the catalogue
                last_value, is_called = cursor.fetchone()
                top = max(top, last_value if is_called else last_value - 1)
                last = top + cases * per_case
                cursor.execute("SELECT setval(%s, %s)", [sequence, last])
            bases[model] = top + 1
    return bases


# =====================================================================================================
# The generator
# =====================================================================================================


@dataclass
class _OrgContext:
    org: Organisation
    country: str
    cycle: list[tuple[int, int | None]]  # (case manager id, team id), weighted round-robin
    places: list[_Place]
    places_w: list[float]
    sequences: dict[int, int]  # year → last case number used
    programme_id: int | None = None
    position: int = 0


@dataclass(frozen=True, slots=True)
class _Slot:
    """What the skeleton fixes for case i before any case is generated."""

    index: int
    ctx: _OrgContext
    return_day: date
    opened: date
    case_number: str
    manager_id: int
    team_id: int | None


@dataclass
class SeedResult:
    cases: int
    seconds: float
    per_organisation: dict[str, int]
    rows: dict[str, int]


class _Draft:
    """The person and the case being generated (one at a time)."""

    __slots__ = (
        "age",
        "assistance",
        "birth_date",
        "birth_year",
        "causes",
        "causes_note",
        "children",
        "chronic",
        "country",
        "estimated",
        "female",
        "first_family",
        "given",
        "host",
        "household",
        "indigenous",
        "languages",
        "minor",
        "person",
        "place",
        "reception",
        "return_type",
        "second_family",
        "sex",
        "spouse",
        "transit",
        "violence",
        "vocab",
    )

    age: int
    assistance: tuple[str, ...]
    birth_date: date | None
    birth_year: int
    causes: tuple[str, ...]
    causes_note: str
    children: int
    chronic: bool
    country: str
    estimated: bool
    female: bool
    first_family: str
    given: str
    host: str
    household: list[tuple[Any, ...]]
    indigenous: bool
    languages: str
    minor: bool
    person: _Person
    place: _Place
    reception: str
    return_type: str
    second_family: str
    sex: str
    spouse: bool
    transit: tuple[str, ...]
    violence: bool
    vocab: _Vocabulary


class _Generator:
    def __init__(self, seed: int, as_of: date, bases: dict[type[models.Model], int]) -> None:
        self.rng = random.Random()
        self.rnd = self.rng.random
        self.seed = seed
        self.as_of = as_of
        self.bases = bases
        self.sealed_cache: dict[str, str] = {}
        self.indexer = name_index.indexer()  # memoises digests: names repeat across cases
        self.day_starts: dict[tuple[str, date], datetime] = {}
        t = _Table
        self.returnees = t(
            Returnee,
            [
                "id",
                "organisation_id",
                "given_names",
                "first_family_name",
                "second_family_name",
                "sex",
                "gender_identity",
                "birth_date",
                "estimated_birth_year",
                "nationality",
                "phone",
                "languages",
                "return_country",
                "admin1_id",
                "municipality_id",
                "locality",
                "address",
                "attention_flags",
                "registered_by_id",
                "created_at",
                "updated_at",
                "birth_year",
                "birth_date_index",
                "match_record",
            ],
        )
        self.documents = t(
            IdentityDocument,
            ["returnee_id", "organisation_id", "document_type", "number", "number_index", "issuing_country"],
            skip_conflicts=True,
        )
        self.match_keys = t(MatchKey, ["returnee_id", "key"])
        self.name_tokens = t(NameToken, ["returnee_id", "kind", "digest"])
        self.households = t(Household, ["id", "organisation_id", "notes", "created_at"])
        self.members = t(
            HouseholdMember,
            [
                "household_id",
                "given_names",
                "family_names",
                "relationship",
                "sex",
                "birth_date",
                "estimated_age",
                "is_minor",
                "returned_too",
            ],
        )
        self.cases = t(
            Case,
            [
                "id",
                "case_number",
                "returnee_id",
                "household_id",
                "organisation_id",
                "programme_id",
                "team_id",
                "case_manager_id",
                "status",
                "opened_on",
                "return_date",
                "return_type",
                "host_country",
                "transit_countries",
                "reception_place",
                "reception_assistance",
                "causes_of_migration",
                "causes_note",
                "closure_reason",
                "closure_category",
                "closed_on",
                "closure_note",
                "created_at",
                "updated_at",
            ],
        )
        self.assessments = t(
            Assessment,
            [
                "id",
                "case_id",
                "kind",
                "assessed_on",
                "assessed_by_id",
                "needs_vulnerabilities",
                "capacities_skills",
                "risk_factors",
                "protective_factors",
                "family_situation",
                "economic_need",
                "economic_needs",
                "social_need",
                "social_needs",
                "psychosocial_need",
                "psychosocial_needs",
                "protection_concerns",
                "health_notes",
                "mental_health_notes",
                "gbv_notes",
                "created_at",
            ],
        )
        self.sessions = t(
            CounsellingSession,
            [
                "id",
                "case_id",
                "held_on",
                "counsellor_id",
                "mode",
                "duration_minutes",
                "topics",
                "notes",
                "created_at",
            ],
        )
        self.plans = t(
            ReintegrationPlan,
            [
                "id",
                "case_id",
                "goals",
                "motivations",
                "agreed_on",
                "agreed_late_reason",
                "created_at",
                "updated_at",
            ],
        )
        self.items = t(
            PlanItem,
            [
                "id",
                "plan_id",
                "dimension",
                "approach",
                "description",
                "assistance_form",
                "amount",
                "currency",
                "responsible",
                "due_date",
                "status",
            ],
        )
        self.visits = t(
            FollowUpVisit,
            [
                "id",
                "case_id",
                "visited_on",
                "mode",
                "conducted_by_id",
                "notes",
                "significant_changes",
                "next_visit_on",
                "created_at",
            ],
        )
        self.progress = t(PlanItemProgress, ["visit_id", "item_id", "status", "note"])
        self.events = t(CaseEvent, ["case_id", "kind", "occurred_at", "actor_id", "data", "note"])
        # Parents before children (constraints are deferred anyway, but it reads well in a trace).
        self.tables = [
            self.returnees,
            self.households,
            self.cases,
            self.documents,
            self.match_keys,
            self.name_tokens,
            self.members,
            self.assessments,
            self.sessions,
            self.plans,
            self.items,
            self.visits,
            self.progress,
            self.events,
        ]

    # --- small helpers (faster than random.choices/randint, which matter at millions of draws) ----------

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[int(self.rnd() * len(seq))]

    def pick_w(self, seq: Sequence[Any], cum_weights: Sequence[float]) -> Any:
        return seq[bisect(cum_weights, self.rnd() * cum_weights[-1])]

    def between(self, low: int, high: int) -> int:
        return low + int(self.rnd() * (high - low + 1))

    def some(self, seq: Sequence[Any], count: int) -> list[Any]:
        """`count` distinct items of `seq` (a run of neighbours from a random start), in `seq` order."""
        start = int(self.rnd() * len(seq))
        return [seq[(start + k) % len(seq)] for k in range(count)]

    def sealed(self, text: str) -> str:
        """Encrypted form of a synthetic sensitive text. The few distinct texts are encrypted once per run
        and the token reused: fine for synthetic data (real data is encrypted value by value), and it keeps
        Fernet off the hot path. Empty stays empty, as in the model's fields."""
        if not text:
            return text
        token = self.sealed_cache.get(text)
        if token is None:
            token = self.sealed_cache[text] = crypto.encrypt(text)
        return token

    def at(self, country: str, day: date, minute: int) -> datetime:
        """`minute` after local midnight of `day` in the country, as an aware UTC datetime."""
        start = self.day_starts.get((country, day))
        if start is None:
            local = datetime(day.year, day.month, day.day, 12, tzinfo=_ZONES[country])
            start = datetime(day.year, day.month, day.day, tzinfo=UTC) - local.utcoffset()  # type: ignore[operator]
            self.day_starts[(country, day)] = start
        return start + timedelta(minutes=min(minute, 1439))

    def drain(self, conn: Any, *, convert: bool = True) -> list[list[Any]]:
        """Every table's rows generated since the last call, in `self.tables` order."""
        return [table.drain(conn, convert=convert) for table in self.tables]

    def insert(self, conn: Any, drained: list[list[Any]], *, converted: bool = True) -> None:
        for table, rows in zip(self.tables, drained, strict=True):
            if not converted:
                table.rows = rows
                rows = table.drain(conn)
            table.insert(conn, rows)

    def copy(self, conn: Any, path: str) -> None:
        """Write a chunk spooled by a worker (`_spool`): attach its file and copy table by table, in SQL."""
        with conn.cursor() as cursor:
            cursor.execute("ATTACH DATABASE %s AS seed_chunk", [path])  # not allowed inside a transaction
        try:
            with transaction.atomic():
                with conn.cursor() as cursor:
                    cursor.execute("SELECT name FROM seed_chunk.sqlite_master WHERE type = 'table'")
                    present = {name for (name,) in cursor.fetchall()}
                for i, table in enumerate(self.tables):
                    if f"t{i}" in present:
                        table.copy(conn, f"seed_chunk.t{i}")
        finally:
            with conn.cursor() as cursor:
                cursor.execute("DETACH DATABASE seed_chunk")
            os.remove(path)

    def _ids(self, model: type[models.Model], index: int) -> Iterator[int]:
        """The ids case `index` may use for `model`, in order."""
        per_case = _ID_BLOCKS[model]
        first = self.bases[model] + index * per_case
        return iter(range(first, first + per_case))

    # --- one case ----------------------------------------------------------------------------------

    def case(self, slot: _Slot) -> None:
        self.rng.seed(self.seed * 4_294_967_296 + slot.index)  # one stream per case: chunking never matters
        ctx = slot.ctx
        d = _Draft()
        d.country = ctx.country
        d.vocab = VOCABULARY[ctx.country]
        self._person(d, ctx, slot.return_day)
        self._return(d)
        self._household(d, slot.return_day)
        flags, gender_identity = self._flags(d)
        phone, locality, address = self._contact(d)
        CaseWriter(self, d, slot).write(flags, gender_identity, phone, locality, address)

    def _person(self, d: _Draft, ctx: _OrgContext, return_day: date) -> None:
        rnd, between, pick = self.rnd, self.between, self.pick
        vocab = d.vocab
        d.place = self.pick_w(ctx.places, ctx.places_w)
        d.female = rnd() < 0.21
        d.sex = "unknown" if rnd() < 0.004 else "female" if d.female else "male"
        u = rnd()
        age = (
            between(15, 17)
            if u < 0.05
            else between(18, 34)
            if u < 0.70
            else between(35, 49)
            if u < 0.93
            else between(50, 59)
            if u < 0.98
            else between(60, 66)
        )
        d.birth_year = min(2010, max(1960, return_day.year - age))
        d.age = return_day.year - d.birth_year
        d.minor = d.age < 18
        d.estimated = rnd() < 0.12
        d.birth_date = None if d.estimated else date(d.birth_year, 1, 1) + timedelta(days=int(rnd() * 365))

        d.languages = "español"
        d.indigenous = False
        state = d.place.parent_code
        if d.country in ("GT", "MX"):
            table, default = (
                (_GT_LANGUAGES, (0.04, ("k'iche'",))) if d.country == "GT" else (_MX_LANGUAGES, (0.02, ("náhuatl",)))
            )
            rate, langs = table.get(state if d.country == "GT" else state[:2], default)
            if rnd() < rate:
                d.indigenous = True
                lang = pick(langs)
                d.languages = f"{lang}, español" if rnd() < 0.85 else lang
        elif d.country == "HN" and rnd() < 0.01:
            d.indigenous = True
            d.languages = "garífuna, español"

        mayan = d.indigenous and d.country == "GT"
        names, weights = (vocab.female, vocab.female_w) if d.female else (vocab.male, vocab.male_w)
        if mayan and rnd() < 0.7:
            first = pick(vocab.indigenous_female if d.female else vocab.indigenous_male)
        else:
            first = self.pick_w(names, weights)
        d.given = first
        if rnd() < 0.5:  # two given names, often after a María, José or Juan
            if not mayan and rnd() < 0.5:
                first = pick(_COMPOUND_FEMALE if d.female else _COMPOUND_MALE)
            second = self.pick_w(names, weights)
            if second != first:
                d.given = f"{first} {second}"
        d.first_family = self._surname(vocab, mayan)
        d.second_family = self._surname(vocab, mayan) if rnd() > 0.04 else ""
        d.person = _Person(d.given, d.first_family, d.second_family)

    def _surname(self, vocab: _Vocabulary, mayan: bool = False) -> str:
        if mayan and self.rnd() < 0.65:
            return self.pick(vocab.indigenous_surnames)
        return self.pick_w(vocab.surnames, vocab.surnames_w)

    def _return(self, d: _Draft) -> None:
        rnd, pick = self.rnd, self.pick
        country = d.country
        u = rnd()
        d.return_type = (
            ReturnType.FORCED.value
            if u < 0.70
            else ReturnType.VOLUNTARY_ASSISTED.value
            if u < 0.88
            else ReturnType.VOLUNTARY_SPONTANEOUS.value
        )
        if country == "MX":
            d.host = "US" if rnd() < 0.97 else "CA"
            d.transit = ()
        else:
            u = rnd()
            d.host = "US" if u < 0.64 else "MX" if u < 0.97 else "CA"
            if d.host == "MX":
                d.transit = ("GT",) if country != "GT" else ()
            else:
                d.transit = ("MX",) if country == "GT" else ("GT", "MX")
        # Returns from the United States to Central America are by air; Mexico deports by land.
        by_air = d.host != "MX" and (country != "MX" or d.return_type != ReturnType.FORCED.value or rnd() < 0.05)
        d.reception = ""
        d.assistance = ()
        if d.return_type != ReturnType.VOLUNTARY_SPONTANEOUS.value or rnd() < 0.2:
            if d.minor and by_air and country in _FAMILY_RECEPTION:
                d.reception = _FAMILY_RECEPTION[country]
            else:
                names, cum = _RECEPTION[(country, "air" if by_air else "land")]
                d.reception = self.pick_w(names, cum)
            d.assistance = (
                ReceptionAssistance.REGISTRATION.value,
                *(code.value for code, share in _RECEPTION_ASSISTANCE if rnd() < share),
            )
        causes = []
        if rnd() < 0.75:
            causes.append(MigrationCause.ECONOMIC.value)
        if rnd() < _VIOLENCE_RATE[country]:
            causes.append(MigrationCause.VIOLENCE.value)
        if rnd() < 0.18:
            causes.append(MigrationCause.FAMILY.value)
        if rnd() < (0.4 if d.place.parent_code in _DRY_CORRIDOR else 0.03):
            causes.append(MigrationCause.CLIMATE.value)
        if rnd() < 0.03:
            causes.append(MigrationCause.EDUCATION.value)
        if rnd() < 0.03:
            causes.append(MigrationCause.HEALTH.value)
        d.causes_note = ""
        if rnd() < 0.02 or not causes:
            causes.append(MigrationCause.OTHER.value)
            d.causes_note = pick(_OTHER_CAUSE_NOTES)
        elif rnd() < 0.12 and causes[0] in _CAUSE_DETAILS:
            d.causes_note = pick(_CAUSE_DETAILS[causes[0]])
        d.causes = tuple(causes)
        d.violence = MigrationCause.VIOLENCE.value in causes

    def _household(self, d: _Draft, return_day: date) -> None:
        rnd, between, pick = self.rnd, self.between, self.pick
        vocab = d.vocab
        rows: list[tuple[Any, ...]] = []
        d.spouse = False
        d.children = 0
        if d.minor:
            mother_family = f"{d.second_family or d.first_family} {self._surname(vocab)}"
            rows.append(
                (pick(vocab.female), mother_family, "parent", "female", None, d.age + between(18, 30), False, False)
            )
            if rnd() < 0.5:
                rows.append(
                    (
                        pick(vocab.male),
                        f"{d.first_family} {self._surname(vocab)}",
                        "parent",
                        "male",
                        None,
                        d.age + between(20, 35),
                        False,
                        False,
                    )
                )
            for _ in range(between(0, 3)):
                rows.append(
                    self._member(
                        vocab,
                        f"{d.first_family} {d.second_family}".strip(),
                        "sibling",
                        rnd() < 0.5,
                        max(0, d.age + between(-10, 8)),
                        return_day,
                        False,
                    )
                )
        elif rnd() < 0.5:
            d.spouse = d.age >= 19 and rnd() < 0.65
            partner_family = self._surname(vocab)
            if d.spouse:
                partner_female = (not d.female) if d.sex != "unknown" else rnd() < 0.5
                rows.append(
                    self._member(
                        vocab,
                        f"{partner_family} {self._surname(vocab)}",
                        "spouse",
                        partner_female,
                        max(18, d.age + between(-6, 6)),
                        return_day,
                        False,
                    )
                )
            most = 0 if d.age < 19 else 1 if d.age < 22 else 5
            d.children = min(most, self.pick_w((0, 1, 2, 3, 4, 5), _CHILDREN_CUM))
            family = f"{partner_family} {d.first_family}" if d.female else f"{d.first_family} {partner_family}"
            for _ in range(d.children):
                child_age = between(0, max(0, min(d.age - 17, 25)))
                returned_too = d.return_type == ReturnType.FORCED.value and child_age < 18 and rnd() < 0.08
                rows.append(self._member(vocab, family, "child", rnd() < 0.5, child_age, return_day, returned_too))
            if rnd() < 0.15:
                rows.append(
                    (
                        pick(vocab.female),
                        f"{d.second_family or d.first_family} {self._surname(vocab)}",
                        "parent",
                        "female",
                        None,
                        min(99, d.age + between(18, 32)),
                        False,
                        False,
                    )
                )
        d.household = rows

    def _member(
        self, vocab: _Vocabulary, family: str, relationship: str, female: bool, age: int, on: date, returned_too: bool
    ) -> tuple[Any, ...]:
        name = self.pick_w(*((vocab.female, vocab.female_w) if female else (vocab.male, vocab.male_w)))
        if self.rnd() < 0.7:
            birth = date(on.year - age, 1, 1) + timedelta(days=int(self.rnd() * 364))
            years = self.as_of.year - birth.year - int((self.as_of.month, self.as_of.day) < (birth.month, birth.day))
            return (name, family, relationship, "female" if female else "male", birth, None, years < 18, returned_too)
        return (name, family, relationship, "female" if female else "male", None, age, age < 18, returned_too)

    def _flags(self, d: _Draft) -> tuple[tuple[str, ...], str]:
        rnd = self.rnd
        flags = []
        if d.minor:
            flags.append(AttentionFlag.CHILD.value)
            if rnd() < 0.6:
                flags.append(AttentionFlag.UNACCOMPANIED_MINOR.value)
        elif d.age <= 29 and rnd() < 0.7:
            flags.append(AttentionFlag.YOUTH.value)
        if d.age >= 60:
            flags.append(AttentionFlag.OLDER_PERSON.value)
        if d.female and d.children and not d.spouse:
            flags.append(AttentionFlag.WOMAN_HEAD_OF_HOUSEHOLD.value)
        if d.indigenous:
            flags.append(AttentionFlag.INDIGENOUS.value)
        if rnd() < 0.03:
            flags.append(AttentionFlag.DISABILITY.value)
        lgbtiq = rnd() < 0.015
        if lgbtiq:
            flags.append(AttentionFlag.LGBTIQ.value)
        if d.female and 18 <= d.age <= 42 and rnd() < 0.06:
            flags.append(AttentionFlag.PREGNANT.value)
        d.chronic = rnd() < 0.05
        if d.chronic:
            flags.append(AttentionFlag.CHRONIC_ILLNESS.value)
        if rnd() < (0.35 if d.violence else 0.05):
            flags.append(AttentionFlag.VICTIM_OF_VIOLENCE.value)
        gender_identity = self.pick(("Mujer trans", "Hombre trans", "No binaria")) if lgbtiq and rnd() < 0.4 else ""
        return tuple(flags), gender_identity

    def _contact(self, d: _Draft) -> tuple[str, str, str]:
        rnd, between = self.rnd, self.between
        phone = self._phone(d.country, d.place.parent_code) if rnd() < 0.7 else ""
        locality = self.pick(_LOCALITIES[d.country]) if rnd() < 0.8 else ""
        address = ""
        if rnd() < 0.4:
            address = self.pick(_ADDRESSES).format(n=between(1, 250), k=between(1, 12), c=self.pick("ABCDEF"))
        return phone, locality, address

    def _phone(self, country: str, state: str) -> str:
        b = self.between
        if country == "MX":
            area = _MX_PHONE_AREA.get(state, str(b(222, 999)))
            width = 10 - len(area)
            digits = f"{b(0, 10**width - 1):0{width}d}"
            return f"+52 {area} {digits[:-4]} {digits[-4:]}"
        if country == "GT":
            return f"+502 {b(3000, 5999)} {b(0, 9999):04d}"
        if country == "HN":
            return f"+504 {self.pick('389')}{b(0, 999):03d}-{b(0, 9999):04d}"
        return f"+503 {self.pick('67')}{b(0, 999):03d}-{b(0, 9999):04d}"

    def document(self, d: _Draft, return_day: date, *, second: bool = False) -> tuple[str, str]:
        """(document type, number) in the country's format: CURP, DPI/CUI, DNI, DUI with valid check digits."""
        b = self.between
        country = d.country
        u = 0.99 if second else self.rnd()  # a second document is a return certificate
        if d.minor and u < 0.6:
            kind = "birth_certificate"
        elif u < 0.55:
            kind = "national_id" if not d.minor or country == "MX" else "birth_certificate"
        elif u < 0.72:
            kind = "passport"
        elif u < 0.78 and country == "MX":
            kind = "consular_id"
        elif u < 0.9:
            kind = "return_certificate"
        else:
            kind = "birth_certificate"
        if kind == "national_id":
            if country == "MX":
                homoclave = str(b(0, 9)) if d.birth_year < 2000 else chr(65 + b(0, 25))
                birth = d.birth_date or date(d.birth_year, 1, 1)
                return kind, _curp(d.person, birth, d.sex, _CURP_STATE.get(d.place.parent_code[:2], "NE"), homoclave)
            if country == "GT":
                while True:
                    base = str(b(10000000, 99999999))
                    check = sum(int(c) * (i + 2) for i, c in enumerate(base)) % 11
                    if check < 10:
                        return kind, f"{base[:4]} {base[4:]}{check} {d.place.code}"
            if country == "HN":
                return kind, f"{d.place.code}-{d.birth_year}-{b(0, 99999):05d}"
            base = f"0{b(0, 9999999):07d}"
            check = (10 - sum(int(c) * (9 - i) for i, c in enumerate(base)) % 10) % 10
            return kind, f"{base}-{check}"
        if kind == "passport":
            return kind, f"{_PASSPORT_LETTER[country]}{b(0, 99999999):08d}"
        if kind == "consular_id":
            return kind, f"{b(0, 9999999999):010d}"
        if kind == "return_certificate":
            return kind, f"{_RETURN_CERTIFICATE[country]}-{return_day.year}-{b(1, 999999):06d}"
        return kind, f"{b(1, 999):03d}-{d.birth_year}-{b(1, 9999):04d}"


_COMPOUND_FEMALE = ("María", "María", "María", "Ana", "Rosa", "Juana", "Luz")
_COMPOUND_MALE = ("José", "José", "Juan", "Juan", "Luis", "Carlos", "Jesús", "Miguel")
_CHILDREN_CUM = list(itertools.accumulate((10, 25, 30, 20, 10, 5)))
_ADDRESSES = (
    "Calle principal, casa {n}",
    "{k}a. avenida, casa {n}",
    "Pasaje {c}, casa {n}",
    "Frente a la escuela, casa {n}",
)
_PASSPORT_LETTER = {"MX": "G", "GT": "G", "HN": "F", "SV": "B"}
_RETURN_CERTIFICATE = {"MX": "CRM", "GT": "IGM", "HN": "CAMR", "SV": "DGME"}
_MODES = ("in_person", "phone", "remote")
_SESSION_MODES_CUM = list(itertools.accumulate((65, 25, 10)))
_VISIT_MODES_CUM = list(itertools.accumulate((60, 30, 10)))
_LEVELS = ("high", "medium", "low", "none")
_ECONOMIC_CUM = list(itertools.accumulate((55, 30, 10, 5)))
_SOCIAL_CUM = list(itertools.accumulate((25, 40, 25, 10)))
_PSYCHOSOCIAL_CUM = list(itertools.accumulate((20, 35, 30, 15)))
_PSYCHOSOCIAL_VIOLENCE_CUM = list(itertools.accumulate((40, 35, 30, 15)))
_NEXT_ITEM_STATUS = {"planned": "in_progress", "in_progress": "completed"}


class CaseWriter:
    """The story of one case (its dates and stage) and the rows that tell it."""

    def __init__(self, gen: _Generator, d: _Draft, slot: _Slot) -> None:
        self.gen = gen
        self.d = d
        self.slot = slot
        self.events: list[tuple[datetime, str, dict[str, Any]]] = []
        self.status = _STATUS[_REGISTERED]
        self.case_id = gen.bases[Case] + slot.index
        self.assessment_ids = gen._ids(Assessment, slot.index)

    def at(self, day: date, minute: int) -> datetime:
        return self.gen.at(self.d.country, day, minute)

    def when(self, day: date) -> datetime:
        """A working-hours time on `day`, after the registration when that is the same day."""
        if day == self.slot.opened:
            return self.opened_at + timedelta(minutes=10 + int(self.gen.rnd() * 120))
        return self.at(day, 480 + int(self.gen.rnd() * 540))

    def event(self, when: datetime, kind: CaseEventKind, **data: Any) -> None:
        self.events.append((when, _EV[kind], data))

    def status_change(self, when: datetime, new: str) -> None:
        self.event(when + timedelta(minutes=1), CaseEventKind.STATUS_CHANGED, old=self.status, new=new)
        self.status = new

    def write(self, flags: tuple[str, ...], gender_identity: str, phone: str, locality: str, address: str) -> None:
        gen, d, slot = self.gen, self.d, self.slot
        rnd, between, pick = gen.rnd, gen.between, gen.pick
        as_of = gen.as_of
        returnee_id = gen.bases[Returnee] + slot.index
        case_id = self.case_id
        manager_id = slot.manager_id
        org_id = slot.ctx.org.pk
        opened = slot.opened
        return_day = slot.return_day

        # --- the story: when each step would happen, and how far this case got ---------------------
        assessed_on = opened + timedelta(days=pick((0, 0, 0, 1, 2, 3, 5, 7, 10, 14)))
        drafted_on = assessed_on + timedelta(days=between(2, 21))
        late = rnd() < 0.2
        agreed_on = drafted_on + timedelta(days=between(20, 60) if late else between(0, 10))
        first_visit = agreed_on + timedelta(days=between(20, 60))
        support_end = agreed_on + timedelta(days=30 * between(12, 18))
        schedule = [first_visit]
        while len(schedule) < _ID_BLOCKS[FollowUpVisit]:
            following = schedule[-1] + timedelta(days=between(80, 150))  # about quarterly
            if following > support_end:
                break
            schedule.append(following)
        support_done = schedule[-1] + timedelta(days=between(0, 20))
        # The stage reached by `as_of` if nothing goes wrong.
        natural = sum(1 for day in (assessed_on, agreed_on, first_visit, support_done) if day <= as_of)

        stage, reason, extended = natural, "", False
        u = rnd()
        early_exit = min(0.25, (as_of - return_day).days / 2000)
        if natural == _SUPPORT_DONE:
            if u < 0.48:
                reason = ClosureReason.SUPPORT_ENDED.value
            elif u < 0.63:
                reason = "early"
            elif u < 0.85:
                stage, extended = _FOLLOW_UP, True  # follow-up goes on past the planned period
            else:
                stage = between(_REGISTERED, _PLAN_AGREED)  # stalled: contact lost, case still open
        elif u < early_exit:
            reason = "early"
        elif u < early_exit + 0.2 and natural > _REGISTERED:
            stage = between(_REGISTERED, natural - 1)
        if reason == "early":
            stage = between(_REGISTERED, min(natural, _FOLLOW_UP))
            reason = gen.pick_w(_EARLY_REASONS, _EARLY_WEIGHTS)
            if reason == ClosureReason.FUNDING_ENDED.value and stage < _PLAN_AGREED:
                reason = ClosureReason.NO_LONGER_WANTS.value
            if reason == ClosureReason.SECURITY.value and d.country in ("MX", "GT") and rnd() < 0.5:
                reason = ClosureReason.LEFT_AREA.value
        closed = bool(reason)

        if extended:
            while schedule[-1] <= as_of and len(schedule) < _ID_BLOCKS[FollowUpVisit]:
                schedule.append(schedule[-1] + timedelta(days=between(80, 150)))
        visits: list[date] = []
        if stage >= _FOLLOW_UP:
            stage = _FOLLOW_UP
            visits = [day for day in schedule if day <= (support_end if reason == "support_ended" else as_of)]
            if closed and reason != ClosureReason.SUPPORT_ENDED.value:
                visits = visits[: between(1, len(visits))]
        last_day = visits[-1] if visits else (opened, assessed_on, agreed_on)[min(stage, _PLAN_AGREED)]
        closed_on = None
        if closed:
            gap = between(0, 20) if reason == ClosureReason.SUPPORT_ENDED.value else between(5, 60)
            closed_on = min(as_of, last_day + timedelta(days=gap))
        horizon = closed_on or as_of

        # --- registration ----------------------------------------------------------------------------
        self.opened_at = opened_at = self.at(opened, 480 + int(rnd() * 540))
        self.event(opened_at, CaseEventKind.REGISTERED, return_type=d.return_type)
        household_id = None
        if d.household:
            household_id = gen.bases[Household] + slot.index
            notes = pick(_HOUSEHOLD_NOTES) if rnd() < 0.3 else ""
            gen.households.rows.append((household_id, org_id, notes, opened_at + timedelta(minutes=5)))
            sealed = gen.sealed
            gen.members.rows.extend(
                (
                    household_id,
                    sealed(given),
                    sealed(family),
                    relationship,
                    sex,
                    born and sealed(born.isoformat()),
                    *rest,
                )
                for given, family, relationship, sex, born, *rest in d.household
            )
            self.event(
                opened_at + timedelta(minutes=6), CaseEventKind.UPDATED, what="household", members=len(d.household)
            )
        self._documents(returnee_id, org_id, return_day)
        identity = name_index.identity_index(
            gen.indexer,
            org_id,
            d.given,
            d.first_family,
            d.second_family,
            d.birth_date,
            d.birth_year if d.estimated else None,
        )
        gen.match_keys.rows.extend((returnee_id, key) for key in identity.match_keys)
        gen.name_tokens.rows.extend((returnee_id, kind, digest) for kind, digest in identity.tokens)

        # --- counselling, assessment, plan, follow-up -----------------------------------------------
        session_days = [opened + timedelta(days=between(0, 5))] if rnd() < 0.25 else []
        if stage >= _ASSESSED:
            window = max(
                0, ((agreed_on if stage >= _PLAN_AGREED else assessed_on + timedelta(days=45)) - assessed_on).days
            )
            session_days.extend(assessed_on + timedelta(days=between(0, window)) for _ in range(between(1, 2)))
        session_ids = gen._ids(CounsellingSession, slot.index)
        for day in sorted(session_days)[: _ID_BLOCKS[CounsellingSession]]:
            if day <= horizon:
                self._session(next(session_ids), day)
        if stage >= _ASSESSED:
            when = self.when(assessed_on)
            self._assessment(AssessmentKind.BEST_INTERESTS if d.minor else AssessmentKind.INITIAL, assessed_on, when)
            self.status_change(when, _STATUS[_ASSESSED])
        items: dict[int, list[Any]] = {}
        if stage >= _PLAN_AGREED or (stage == _ASSESSED and drafted_on <= horizon and rnd() < 0.4):
            items = self._plan(drafted_on, agreed_on if stage >= _PLAN_AGREED else None)
        if visits:
            self._visits(visits, schedule, items, closed, reason)

        # --- closure and the rows of the case and the person -------------------------------------
        self.events.sort(key=lambda e: e[0])
        category = ""
        status = _STATUS[stage]
        if closed:
            assert closed_on is not None
            closed_at = max(self.at(closed_on, 480 + int(rnd() * 540)), self.events[-1][0] + timedelta(minutes=30))
            category = CLOSURE_CATEGORY[ClosureReason(reason)].value
            self.event(closed_at, CaseEventKind.CLOSED, old=self.status, reason=reason, category=category)
            status = CaseStatus.CLOSED.value
        gen.events.rows.extend((case_id, kind, when, manager_id, data, "") for when, kind, data in self.events)
        sealed = gen.sealed
        gen.returnees.rows.append(
            (
                returnee_id,
                org_id,
                sealed(d.given),
                sealed(d.first_family),
                sealed(d.second_family),
                d.sex,
                gender_identity,
                d.birth_date and sealed(d.birth_date.isoformat()),
                d.birth_year if d.estimated else None,
                d.country,
                phone and crypto.encrypt(phone),  # one per person: not worth a cache entry
                d.languages,
                d.country,
                d.place.parent_id,
                d.place.id,
                sealed(locality),
                sealed(address),
                flags,
                manager_id,
                opened_at,
                opened_at,
                identity.birth_year,
                identity.birth_date_index,
                crypto.encrypt(identity.match_record),
            )
        )
        closure_note = _CLOSURE_NOTES[ClosureReason(reason)] if closed and rnd() < 0.8 else ""
        gen.cases.rows.append(
            (
                case_id,
                slot.case_number,
                returnee_id,
                household_id,
                org_id,
                slot.ctx.programme_id,
                slot.team_id,
                manager_id,
                status,
                opened,
                return_day,
                d.return_type,
                d.host,
                d.transit,
                d.reception,
                d.assistance,
                d.causes,
                d.causes_note,
                reason,
                category,
                closed_on,
                closure_note,
                opened_at,
                self.events[-1][0],
            )
        )

    def _documents(self, returnee_id: int, organisation_id: int, return_day: date) -> None:
        """About 60% carry a document; numbers encrypted at rest and blind-indexed, as services do."""
        gen = self.gen
        if gen.rnd() >= 0.6:
            return
        docs = [gen.document(self.d, return_day)]
        if gen.rnd() < 0.1:
            docs.append(gen.document(self.d, return_day, second=True))
        seen = set()
        for kind, number in docs:
            index = crypto.document_index(number)
            if index not in seen:
                seen.add(index)
                gen.documents.rows.append(
                    (returnee_id, organisation_id, kind, crypto.encrypt(number), index, self.d.country)
                )

    def _session(self, session_id: int, day: date) -> None:
        gen = self.gen
        when = self.when(day)
        mode = gen.pick_w(_MODES, _SESSION_MODES_CUM)
        topics = ", ".join(gen.some(_COUNSELLING_TOPICS, gen.between(1, 2)))
        notes = gen.sealed(gen.pick(_COUNSELLING_NOTES)) if gen.rnd() < 0.75 else ""
        gen.sessions.rows.append(
            (
                session_id,
                self.case_id,
                day,
                self.slot.manager_id,
                mode,
                gen.pick((30, 45, 45, 60, 60, 90)),
                topics,
                notes,
                when,
            )
        )
        self.event(when, CaseEventKind.COUNSELLING, session=session_id, mode=mode)

    def _assessment(self, kind: AssessmentKind, day: date, when: datetime) -> None:
        gen, d = self.gen, self.d
        rnd, pick = gen.rnd, gen.pick
        assessment_id = next(self.assessment_ids, None)
        if assessment_id is None:
            return
        if d.minor:
            family = "Vive con su familia de origen." if d.household else "Sin familia identificada en el país."
        elif d.spouse and d.children:
            family = f"Vive con su pareja y {d.children} hijo{'s' if d.children > 1 else ''}."
        elif d.spouse:
            family = "Vive con su pareja."
        elif d.children:
            plural = "s" if d.children > 1 else ""
            family = (
                f"Jefa de hogar con {d.children} hijo{plural}." if d.female else f"Vive con {d.children} hijo{plural}."
            )
        elif d.household:
            family = "Vive con familiares."
        else:
            family = "Vive sola." if d.female else "Vive solo."
        economic = gen.pick_w(_LEVELS, _ECONOMIC_CUM)
        social = gen.pick_w(_LEVELS, _SOCIAL_CUM)
        psychosocial = gen.pick_w(_LEVELS, _PSYCHOSOCIAL_VIOLENCE_CUM if d.violence else _PSYCHOSOCIAL_CUM)
        protection = ""
        if kind == AssessmentKind.BEST_INTERESTS:
            protection = gen.sealed(_PROTECTION_CHILD)
        elif rnd() < (0.5 if d.violence else 0.1):
            protection = gen.sealed(pick(_PROTECTION))
        health = gen.sealed(pick(_HEALTH)) if rnd() < (0.8 if d.chronic else 0.15) else ""
        mental = gen.sealed(pick(_MENTAL_HEALTH)) if rnd() < 0.15 else ""
        gbv = gen.sealed(pick(_GBV)) if rnd() < (0.1 if d.female else 0.005) else ""
        gen.assessments.rows.append(
            (
                assessment_id,
                self.case_id,
                kind.value,
                day,
                self.slot.manager_id,
                " ".join(gen.some(_NEEDS, 2)),
                "; ".join(gen.some(_SKILLS, gen.between(1, 3))),
                pick(_RISKS) if rnd() < 0.7 else "",
                pick(_PROTECTIVE),
                family,
                economic,
                pick(_ECONOMIC_NEEDS),
                social,
                pick(_SOCIAL_NEEDS) if social != "none" else "",
                psychosocial,
                pick(_PSYCHOSOCIAL_NEEDS) if psychosocial != "none" else "",
                protection,
                health,
                mental,
                gbv,
                when,
            )
        )
        self.event(when, CaseEventKind.ASSESSMENT, assessment=assessment_id, assessment_kind=kind.value)

    def _plan(self, drafted_on: date, agreed_on: date | None) -> dict[int, list[Any]]:
        """Plan with one to four items; agreed when `agreed_on` is given. Returns the item rows by id."""
        gen, d, slot = self.gen, self.d, self.slot
        rnd, pick = gen.rnd, gen.pick
        plan_id = gen.bases[ReintegrationPlan] + slot.index
        drafted_at = self.at(drafted_on, 480 + int(rnd() * 540))
        currency, ceiling = _CURRENCY[d.country]
        due_from = agreed_on or drafted_on
        items: dict[int, list[Any]] = {}
        approaches = set()
        for item_id in gen._ids(PlanItem, slot.index):
            if items and rnd() < 0.35:
                break
            dimension, approach, form, share, descriptions = gen.pick_w(_PLAN_CATALOGUE, _PLAN_WEIGHTS)
            if approach in approaches:
                continue
            approaches.add(approach)
            amount = None
            if share is not None:
                amount = Decimal(int(ceiling * (share[0] + rnd() * (share[1] - share[0])) / 50) * 50)
            status = "in_progress" if agreed_on and rnd() < 0.2 else "planned"
            items[item_id] = [
                item_id,
                plan_id,
                dimension,
                approach,
                pick(descriptions),
                form,
                amount,
                currency if amount is not None else "",
                pick(_RESPONSIBLE[d.country][_SERVICE_OF_APPROACH[approach]]),
                due_from + timedelta(days=gen.between(30, 180)),
                status,
            ]
        gen.items.rows.extend(items.values())
        agreed_at = None
        late_reason = ""
        if agreed_on is not None:
            agreed_at = max(self.at(agreed_on, 480 + int(rnd() * 540)), drafted_at + timedelta(minutes=30))
            if (agreed_on - slot.return_day).days > 31 and rnd() < 0.8:
                late_reason = pick(_LATE_REASONS)
        self.plan_row = [
            plan_id,
            self.case_id,
            pick(_GOALS),
            pick(_MOTIVATIONS),
            agreed_on,
            late_reason,
            drafted_at,
            agreed_at or drafted_at,
        ]
        gen.plans.rows.append(self.plan_row)
        self.event(drafted_at, CaseEventKind.PLAN_DRAFTED)
        if agreed_on is not None and agreed_at is not None:
            late = agreed_on > slot.return_day + timedelta(days=31)  # as selectors.plan_is_late
            self.event(agreed_at, CaseEventKind.PLAN_AGREED, agreed_on=agreed_on.isoformat(), late=late)
            self.status_change(agreed_at, _STATUS[_PLAN_AGREED])
        return items

    def _visits(
        self, visits: list[date], schedule: list[date], items: dict[int, list[Any]], closed: bool, reason: str
    ) -> None:
        gen = self.gen
        rnd, pick = gen.rnd, gen.pick
        overdue = not closed and len(visits) > 1 and rnd() < 0.15
        if overdue:
            visits = visits[:-1]  # the last planned visit did not happen: it shows as overdue
        visit_ids = gen._ids(FollowUpVisit, self.slot.index)
        item_ids = list(items)
        for n, day in enumerate(visits):
            visit_id = next(visit_ids)
            when = self.when(day)
            mode = gen.pick_w(_MODES, _VISIT_MODES_CUM)
            if n + 1 < len(visits):
                next_visit = visits[n + 1]
            elif overdue:
                next_visit = schedule[len(visits)]
            elif closed:
                next_visit = None
            else:
                next_visit = day + timedelta(days=gen.between(30, 120))
            gen.visits.rows.append(
                (
                    visit_id,
                    self.case_id,
                    day,
                    mode,
                    self.slot.manager_id,
                    pick(_VISIT_NOTES),
                    pick(_SIGNIFICANT_CHANGES) if rnd() < 0.15 else "",
                    next_visit,
                    when,
                )
            )
            self.event(when, CaseEventKind.FOLLOW_UP, visit=visit_id, mode=mode)
            if n == 0:
                self.status_change(when, _STATUS[_FOLLOW_UP])
            if item_ids:
                item = items[pick(item_ids)]
                current = item[10]
                new = _NEXT_ITEM_STATUS.get(current, current)
                if current in ("planned", "in_progress") and rnd() < 0.05:
                    new = "cancelled"
                if reason == ClosureReason.SUPPORT_ENDED.value and n == len(visits) - 1 and current != "cancelled":
                    new = "completed"
                if new != current:  # progress is recorded when an item moves
                    item[10] = new
                    gen.progress.rows.append((visit_id, item[0], new, ""))
            if n > 0 and rnd() < 0.08:
                self._assessment(AssessmentKind.REASSESSMENT, day, when + timedelta(minutes=20))
        if visits and item_ids:
            self.plan_row[7] = self.at(visits[-1], 1080)


_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CURP_SKIP_GIVEN = {"MARIA", "MA", "JOSE", "J"}
_CURP_PARTICLES = {"DE", "DEL", "LA", "LOS", "LAS", "Y"}
_VOWELS = frozenset("AEIOU")


def _curp(person: _Person, birth: date, sex: str, state: str, homoclave: str) -> str:
    """A well-formed CURP (structure and check digit) for a synthetic person; not anybody's real one."""

    def words(text: str) -> list[str]:
        return [w for w in unidecode(text).upper().replace("-", " ").split() if w not in _CURP_PARTICLES]

    first = "".join(words(person.first_family_name)) or "X"
    second = "".join(words(person.second_family_name)) or "X"
    givens = words(person.given_names) or ["X"]
    given = givens[1] if len(givens) > 1 and givens[0] in _CURP_SKIP_GIVEN else givens[0]

    def inner_vowel(word: str) -> str:
        return next((c for c in word[1:] if c in _VOWELS), "X")

    def inner_consonant(word: str) -> str:
        return next((c for c in word[1:] if c.isalpha() and c not in _VOWELS), "X")

    body = (
        f"{first[0]}{inner_vowel(first)}{second[0]}{given[0]}{birth:%y%m%d}{'M' if sex == 'female' else 'H'}{state}"
        f"{inner_consonant(first)}{inner_consonant(second)}{inner_consonant(given)}{homoclave}"
    )
    total = sum(_CURP_ALPHABET.index(c) * (18 - i) for i, c in enumerate(body))
    return f"{body}{(10 - total % 10) % 10}"


# =====================================================================================================
# Public API
# =====================================================================================================


def _places(country: str) -> tuple[list[_Place], list[float]]:
    rows = list(
        AdminArea.objects.filter(country=country, level=AdminLevel.SECOND)
        .values_list("id", "code", "parent_id", "parent__code", "name")
        .order_by("code")
    )
    if not rows:
        from reintegra.places.services import load_gazetteer

        load_gazetteer(countries=[country])
        return _places(country)
    places = [_Place(*row) for row in rows]
    weights = RETURN_WEIGHTS.get(country, {})
    return places, list(itertools.accumulate(weights.get(p.code, 1.0) for p in places))


def _existing_sequences(org: Organisation) -> dict[int, int]:
    """Last case number used per year: the sequence table, or a case number above it."""
    found = dict(CaseNumberSequence.objects.filter(organisation=org).values_list("year", "last_value"))
    prefix = f"{org.code.upper()}-"
    for number in Case.objects.filter(organisation=org, case_number__startswith=prefix).values_list(
        "case_number", flat=True
    ):
        year, _, seq = number[len(prefix) :].partition("-")
        if year.isdigit() and seq.isdigit() and int(seq) > found.get(int(year), 0):
            found[int(year)] = int(seq)
    return found


def _cycle(assignees: Sequence[tuple[User, int]]) -> list[tuple[int, int | None]]:
    """Weighted round-robin: each case manager appears `weight` times per round, interleaved."""
    slots: list[tuple[int, int | None]] = []
    users = [user for user, _weight in assignees]
    remaining = [max(1, int(weight)) for _user, weight in assignees]
    while any(weight > 0 for weight in remaining):
        for i, user in enumerate(users):
            if remaining[i] > 0:
                slots.append((user.pk, user.team_id))
                remaining[i] -= 1
    return slots


def _skeleton(
    cases: int, seed: int, as_of: date, span_days: int, contexts: list[_OrgContext], weights: Sequence[float]
) -> list[_Slot]:
    """Return and opening dates, organisation, case number and case manager of every case.

    Return dates are in chronological order; case numbers follow the opening date within each organisation
    and year, as if each case had been opened through the services on that day.
    """
    rng = random.Random(seed)
    cum = list(itertools.accumulate(weights))
    offsets = sorted((rng.randrange(span_days) for _ in range(cases)), reverse=True)
    owners = [bisect(cum, rng.random() * cum[-1]) if len(contexts) > 1 else 0 for _ in range(cases)]
    lags = [
        0 if u < 0.55 else 1 if u < 0.70 else rng.randint(2, 7) if u < 0.90 else rng.randint(8, 30)
        for u in (rng.random() for _ in range(cases))
    ]
    returns = [as_of - timedelta(days=offset) for offset in offsets]
    opened = [min(as_of, day + timedelta(days=lag)) for day, lag in zip(returns, lags, strict=True)]
    numbers = [""] * cases
    for i in sorted(range(cases), key=lambda i: (opened[i], i)):
        ctx = contexts[min(owners[i], len(contexts) - 1)]
        year = opened[i].year
        ctx.sequences[year] = ctx.sequences.get(year, 0) + 1
        numbers[i] = f"{ctx.org.code.upper()}-{year}-{ctx.sequences[year]:05d}"
    slots = []
    for i in range(cases):
        ctx = contexts[min(owners[i], len(contexts) - 1)]
        manager_id, team_id = ctx.cycle[ctx.position % len(ctx.cycle)]
        ctx.position += 1
        slots.append(_Slot(i, ctx, returns[i], opened[i], numbers[i], manager_id, team_id))
    return slots


def _reserve_case_numbers(contexts: Sequence[_OrgContext]) -> None:
    """Move every organisation's sequence past the numbers the skeleton handed out, before writing any."""
    for ctx in contexts:
        for year, last in ctx.sequences.items():
            seq, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
                organisation=ctx.org, year=year
            )
            if seq.last_value < last:
                seq.last_value = last
                seq.save(update_fields=["last_value"])


def seed(
    cases: int,
    *,
    seed: int = 1,
    organisations: Sequence[Organisation] | None = None,
    weights: Sequence[float] | None = None,
    assignees: Mapping[int, Sequence[tuple[User, int]]] | None = None,
    as_of: date | None = None,
    span_days: int = 3 * 365,
    chunk_size: int = 5000,
    workers: int | None = None,
    progress: bool = False,
) -> SeedResult:
    """Create `cases` synthetic cases with their returnees and records; returns counts.

    `organisations` default to one per return country (DEFAULT_ORGANISATIONS, created when missing); cases
    are shared among them by `weights` (default COUNTRY_WEIGHTS of their country). Within an organisation
    cases go round-robin to `assignees[org.pk]`, (case manager, weight) pairs, or else to every active
    case manager of the organisation once `ensure_staff` has created the synthetic teams. Return dates
    fall in the `span_days` up to `as_of`, the last day anything happens (default yesterday, so that no
    timestamp lies in the future). `workers` processes generate the cases while this one writes (default:
    one per CPU; 0 = generate here).
    """
    started = time.perf_counter()
    as_of = as_of or timezone.localdate() - timedelta(days=1)
    orgs = list(organisations) if organisations else default_organisations()
    for org in orgs:
        if str(org.country) not in VOCABULARY:
            raise ValueError(f"No synthetic data for country {org.country} (organisation {org.code}).")
    weights = list(weights) if weights is not None else [COUNTRY_WEIGHTS[str(org.country)] for org in orgs]
    if len(weights) != len(orgs) or min(weights, default=1) < 0 or sum(weights) <= 0:
        raise ValueError("Give one non-negative weight per organisation.")

    conn = connections[DEFAULT_DB_ALIAS]
    with disable_auditlog():
        contexts = []
        for org in orgs:
            people = (
                list(assignees[org.pk]) if assignees and org.pk in assignees else [(u, 1) for u in ensure_staff(org)]
            )
            if not people:
                raise ValueError(f"Organisation {org.code} has no case manager to assign cases to.")
            places, places_w = _places(str(org.country))
            programme = Programme.default_for(org.pk)
            contexts.append(
                _OrgContext(
                    org, str(org.country), _cycle(people), places, places_w, {}, programme.pk if programme else None
                )
            )
        with transaction.atomic():
            for ctx in contexts:
                ctx.sequences = _existing_sequences(ctx.org)
            slots = _skeleton(cases, seed, as_of, span_days, contexts, weights)
            _reserve_case_numbers(contexts)
            bases = _reserve_ids(cases, conn)
        generator = _Generator(seed, as_of, bases)
        workers = _worker_count(workers, -(-cases // chunk_size), conn)
        bounds = _bounds(cases, chunk_size, ramp=workers > 0)
        # Workers adapt values for the driver too when that gives plain values (SQLite); else this process does.
        # On SQLite they even write each chunk to a file of their own, which this process copies in SQL.
        convert_in_worker = conn.vendor == "sqlite"
        spool = tempfile.mkdtemp(prefix="reintegra-seed-") if workers and conn.vendor == "sqlite" else None
        _WORKER_STATE.update(generator=generator, slots=slots, convert=convert_in_worker, spool=spool)
        try:
            with _pool(workers) as pool, _bulk_settings(conn):  # forked before the progress bar starts its thread
                bar: Any = nullcontext()
                if progress:
                    from tqdm import tqdm

                    bar = tqdm(total=cases, unit="case", file=sys.stderr, dynamic_ncols=True, smoothing=0.1)
                with bar as progress_bar:
                    for (start, stop), chunk in _chunks(pool, bounds, workers + 1):
                        if isinstance(chunk, str):
                            generator.copy(conn, chunk)
                        else:
                            with transaction.atomic():
                                generator.insert(conn, chunk, converted=convert_in_worker)
                        if progress_bar is not None:
                            progress_bar.update(stop - start)
        finally:
            _WORKER_STATE.clear()
            if spool:
                shutil.rmtree(spool, ignore_errors=True)
    per_organisation = {ctx.org.code: 0 for ctx in contexts}
    for slot in slots:
        per_organisation[slot.ctx.org.code] += 1
    return SeedResult(
        cases=cases,
        seconds=time.perf_counter() - started,
        per_organisation=per_organisation,
        rows={table.model._meta.label: table.written for table in generator.tables},
    )


# --- parallel generation ------------------------------------------------------------------------------
# Cases are independent (one random stream and one id block each), so worker processes can generate them
# while this process writes. Workers are forked (they inherit the generator and the skeleton) and never
# touch the database; where fork is unavailable, or inside a transaction (tests), generation runs here.

_WORKER_STATE: dict[str, Any] = {}


@contextmanager
def _bulk_settings(conn: Any) -> Iterator[None]:
    """SQLite: checkpoint the write-ahead log every 40 MB instead of 4 MB while seeding, so the same index
    pages are copied back to the database file fewer times (restored afterwards)."""
    if conn.vendor != "sqlite":
        yield
        return
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        previous = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint = 10000")
    try:
        yield
    finally:
        with conn.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint = {previous}")


def _generate_chunk(bounds: tuple[int, int]) -> list[list[Any]] | str:
    """The chunk's rows (table by table, as in _Generator.tables), or the file they were spooled to."""
    generator: _Generator = _WORKER_STATE["generator"]
    for slot in _WORKER_STATE["slots"][bounds[0] : bounds[1]]:
        generator.case(slot)
    drained = generator.drain(connections[DEFAULT_DB_ALIAS], convert=_WORKER_STATE["convert"])
    if _WORKER_STATE.get("spool"):
        return _spool(drained, os.path.join(_WORKER_STATE["spool"], f"chunk-{bounds[0]:010d}.sqlite3"))
    return drained


def _spool(drained: list[list[Any]], path: str) -> str:
    """Write driver-ready rows to a scratch SQLite file: table t<i> holds the rows of _Generator.tables[i]
    in columns c0…cN, untyped so values keep the storage class they would get from executemany. Handing
    the main process a file name instead of pickled rows, and letting it copy with INSERT … SELECT, takes
    the per-row Python work off the one process that must write."""
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        for i, rows in enumerate(drained):
            if rows:
                width = len(rows[0])
                db.execute(f"CREATE TABLE t{i} ({', '.join(f'c{j}' for j in range(width))})")
                db.executemany(f"INSERT INTO t{i} VALUES ({', '.join(['?'] * width)})", rows)  # noqa: S608
        db.commit()
    finally:
        db.close()
    return path


def _bounds(cases: int, chunk_size: int, *, ramp: bool) -> list[tuple[int, int]]:
    """(start, stop) of each chunk. With workers, the first and last chunks are smaller, so the writer
    starts sooner and is not left alone with a large chunk at the end."""
    sizes: list[int] = []
    if ramp:
        steps = [size for size in (chunk_size // 8, chunk_size // 4, chunk_size // 2) if size > 0]
        if cases > 2 * (sum(steps) + chunk_size):
            sizes = steps
    remaining = cases - 2 * sum(sizes)
    middle = [chunk_size] * (remaining // chunk_size) + ([remaining % chunk_size] if remaining % chunk_size else [])
    bounds, start = [], 0
    for size in [*sizes, *middle, *reversed(sizes)]:
        bounds.append((start, start + size))
        start += size
    return bounds


def _worker_count(requested: int | None, chunks: int, conn: Any) -> int:
    if requested == 0 or chunks < 2 or conn.in_atomic_block:
        return 0
    if "fork" not in multiprocessing.get_all_start_methods() or sys.platform == "darwin":
        return 0  # forking is unsafe on macOS and unavailable on Windows
    return max(1, min(requested or (os.cpu_count() or 1), chunks))


@contextmanager
def _pool(workers: int) -> Iterator[Any]:
    if workers == 0:
        yield None
        return
    gc.freeze()  # the collector in a child would otherwise write to (and so copy) every inherited page
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            yield pool
    finally:
        gc.unfreeze()


def _chunks(pool: Any, bounds: list[tuple[int, int]], window: int) -> Iterator[tuple[tuple[int, int], Any]]:
    """Each chunk's rows (or spool file), in order; at most `window` chunks generated ahead of the writer."""
    if pool is None:
        for chunk in bounds:
            yield chunk, _generate_chunk(chunk)
        return
    pending: deque[tuple[tuple[int, int], Any]] = deque()
    upcoming = iter(bounds)
    for chunk in itertools.islice(upcoming, window):
        pending.append((chunk, pool.apply_async(_generate_chunk, (chunk,))))
    while pending:
        chunk, result = pending.popleft()
        for following in itertools.islice(upcoming, 1):
            pending.append((following, pool.apply_async(_generate_chunk, (following,))))
        yield chunk, result.get()
