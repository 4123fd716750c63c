"""A reception point, a saved mapping and manifest files for the manifest import tests."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

import pytest

from reintegra.access.models import Organisation, User
from reintegra.access.roles import Role
from reintegra.places.services import load_gazetteer
from reintegra.reception import manifest_services as services
from reintegra.reception.manifest_models import ManifestMapping
from reintegra.reception.models import ReceptionPoint
from reintegra.testing import factories as f

HEADER = [
    "Nombres",
    "Apellidos",
    "Sexo",
    "Fecha de nacimiento",
    "Edad",
    "Nacionalidad",
    "Pasaporte",
    "Municipio",
    "Teléfono",
    "Grupo familiar",
    "NNA no acompañado",
    "Fecha de llegada",
    "Vuelo",
]
COLUMNS = {
    "given_names": "Nombres",
    "family_names": "Apellidos",
    "sex": "Sexo",
    "birth_date": "Fecha de nacimiento",
    "age": "Edad",
    "nationality": "Nacionalidad",
    "document_number": "Pasaporte",
    "municipality": "Municipio",
    "phone": "Teléfono",
    "family": "Grupo familiar",
    "unaccompanied_child": "NNA no acompañado",
    "arrival_date": "Fecha de llegada",
    "means_number": "Vuelo",
}
ARRIVED = "01/10/2026"


def row(
    given: str = "María José",
    family: str = "Hernández López",
    sex: str = "M",
    born: str = "17/05/1990",
    age: str = "",
    nationality: str = "Guatemala",
    passport: str = "",
    municipality: str = "Mixco",
    phone: str = "",
    group: str = "",
    unaccompanied: str = "no",
    arrived: str = ARRIVED,
    flight: str = "GUA-101",
) -> list[str]:
    return [
        given,
        family,
        sex,
        born,
        age,
        nationality,
        passport,
        municipality,
        phone,
        group,
        unaccompanied,
        arrived,
        flight,
    ]


def manifest(*rows: list[str], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@dataclass
class Desk:
    org: Organisation
    manager: User
    case_manager: User
    point: ReceptionPoint
    mapping: ManifestMapping
    other_org: Organisation
    other_manager: User
    other_point: ReceptionPoint


def mapping_input(**overrides: object) -> services.MappingInput:
    values: dict[str, object] = {"name": "INM — lista de vuelo", "columns": dict(COLUMNS), "return_type": "forced"}
    values.update(overrides)
    return services.MappingInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def desk(db) -> Desk:
    load_gazetteer(countries=["GT"])
    org = f.organisation("recepcion-gt", country="GT")
    other = f.organisation("otra-org", country="GT")
    manager = f.user(org, Role.PROGRAMME_MANAGER)
    point = ReceptionPoint.objects.create(
        organisation=org, code="fag", name="Centro de Recepción FAG", country="GT", kind="airport"
    )
    other_point = ReceptionPoint.objects.create(
        organisation=other, code="fag", name="Otro centro", country="GT", kind="airport"
    )
    mapping = services.save_mapping(manager, mapping_input())
    return Desk(
        org=org,
        manager=manager,
        case_manager=f.user(org, Role.CASE_MANAGER),
        point=point,
        mapping=mapping,
        other_org=other,
        other_manager=f.user(other, Role.PROGRAMME_MANAGER),
        other_point=other_point,
    )


def start(
    desk: Desk, content: bytes, *, name: str = "lista.csv", arrived_on: date | None = None, user: User | None = None
):
    return services.start_import(
        user or desk.manager,
        point_id=desk.point.pk,
        mapping_id=desk.mapping.pk,
        upload=content,
        file_name=name,
        arrived_on=arrived_on,
    )
